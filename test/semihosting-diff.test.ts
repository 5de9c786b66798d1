// Differential test: the semihosting example guests print the same and exit the same on
// `rvreplay run --semihosting` as on `qemu-system-riscv32 -semihosting`. Each side runs in its own
// scratch directory holding a copy of the ELF, because files.elf creates and removes files
// relative to it (QEMU: its working directory; rvreplay: the program's directory).
//
// QEMU 7.2 without a semihosting chardev writes the semihosting console (SYS_WRITEC/WRITE0,
// which picolibc's stdout uses) to its own stderr, and `:tt` writes to its stdout; rvreplay sends
// both to stdout. So QEMU's two streams are compared, joined, with ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, EXAMPLES, runOurs, runQemu } from './helpers/run';
import { needTools, QEMU } from './helpers/tools';

const DIR = path.join(EXAMPLES, 'semihosting');

/** Lines that depend on the host and the moment (files.c prints them as time=… and clock=…). */
const dropClockLines = (s: string): string => s.split('\n').filter((l) => !/^(time|clock)=/.test(l)).join('\n');

interface Case { elf: string; args: string[]; code: number }

const CASES: Case[] = [
  { elf: 'hello.elf', args: [], code: 0 },
  { elf: 'files.elf', args: ['one', 'two'], code: 3 },
];

function scratch(elf: string): { dir: string; elf: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-semidiff-'));
  fs.copyFileSync(path.join(DIR, elf), path.join(dir, elf));
  return { dir, elf: path.join(dir, elf) };
}

for (const c of CASES) {
  test(`semihosting ${c.elf}: same output and exit status as QEMU`, async (t) => {
    if (!needTools(t, QEMU)) return;
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run npm run build first`);
    const a = scratch(c.elf);
    const b = scratch(c.elf);
    t.after(() => {
      fs.rmSync(a.dir, { recursive: true, force: true });
      fs.rmSync(b.dir, { recursive: true, force: true });
    });
    const qemuArgs = ['-semihosting', ...(c.args.length > 0 ? ['-append', c.args.join(' ')] : [])];
    const [ours, qemu] = await Promise.all([
      runOurs(c.elf, ['--semihosting'], { cwd: a.dir, timeoutMs: 60_000 }, c.args),
      // -kernel with the bare name, so argv[0] (QEMU: the -kernel argument) matches ours (the file name).
      runQemu(c.elf, qemuArgs, { cwd: b.dir, timeoutMs: 60_000 }),
    ]);
    assert.equal(ours.code, c.code, `rvreplay exit status ${ours.code}\n${ours.stderr}`);
    assert.equal(qemu.code, c.code, `QEMU exit status ${qemu.code}\n${qemu.stderr}`);
    assert.equal(dropClockLines(ours.stdout), dropClockLines(qemu.stdout + qemu.stderr));
    assert.ok(ours.stdout.length > 0, 'the guest printed something');
    // files.elf cleans up after itself on both: nothing but the ELF is left.
    assert.deepEqual(fs.readdirSync(a.dir), [c.elf]);
    assert.deepEqual(fs.readdirSync(b.dir), [c.elf]);
  });
}

test('semihosting files.elf: time and clock lines are there and plausible', async (t) => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run npm run build first`);
  const a = scratch('files.elf');
  t.after(() => fs.rmSync(a.dir, { recursive: true, force: true }));
  const r = await runOurs('files.elf', ['--semihosting'], { cwd: a.dir, timeoutMs: 60_000 });
  const time = Number(/^time=(\d+)$/m.exec(r.stdout)?.[1]);
  assert.ok(Math.abs(time - Date.now() / 1000) < 600, `time=${time} is the host's time`);
  assert.match(r.stdout, /^clock=\d+$/m);
  assert.match(r.stdout, /^argc=2\nargv\[0\]=program-name\nargv\[1\]=files\.elf$/m, 'no arguments: just the program name');
});
