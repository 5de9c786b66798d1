// Finding the external oracles (QEMU, the RISC-V toolchain, gdb) for differential tests.
// Locally a missing tool skips the test with a message naming it; in CI (CI=true) it fails,
// because .ci/run installs every one of them and a skip there would hide a broken install.
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

const found = new Map<string, boolean>();

export function hasTool(cmd: string): boolean {
  let ok = found.get(cmd);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
    found.set(cmd, ok);
  }
  return ok;
}

/** Returns true when every tool is present; otherwise skips `t` (or fails in CI) and returns false. */
export function needTools(t: TestContext, ...cmds: string[]): boolean {
  const missing = cmds.filter((c) => !hasTool(c));
  if (missing.length === 0) return true;
  const msg = `missing tool(s): ${missing.join(', ')} (install with .ci/run's apt-get line)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI must have them`);
  t.skip(msg);
  return false;
}

export const QEMU = 'qemu-system-riscv32';
export const OBJDUMP = 'riscv64-unknown-elf-objdump';
export const GCC = 'riscv64-unknown-elf-gcc';
