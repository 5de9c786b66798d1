// `rvreplay run`: boots a program on the virt board with the terminal as its console.
import { parseArgs, intOption, flag, helpText, type OptionSpec } from './args';
import { MACHINE_OPTIONS, loadProgram, machineOptions, type BundledProgram } from './machine-options';
import { HostConsole } from './console';
import { runSession, printStats } from './session';
import { VirtMachine } from '../machine/virt';
import { DAP_OPTIONS, dapRequest, requireDapHook, type DapHook } from './dap-option';

export const SESSION_OPTIONS: Record<string, OptionSpec> = {
  'max-insns': { value: true, help: 'stop after this many instructions (exit status 124)' },
  stats: { help: 'print icount, wall time and MIPS on stderr at the end' },
};

export const RUN_OPTIONS: Record<string, OptionSpec> = { ...MACHINE_OPTIONS, ...SESSION_OPTIONS, ...DAP_OPTIONS };

export const RUN_USAGE = `usage: rvreplay run [options] [prog.elf [args...]]
Runs prog.elf as qemu-system-riscv32 -M virt -bios none -kernel prog.elf would, with the
terminal as the serial console. Without prog.elf it runs the bundled example.
Exit status: the guest's (sifive_test finisher or semihosting exit), 124 when --max-insns
stopped it, 125 when rvreplay itself failed, 130 when you quit, 2 for a usage error.
options:
${helpText(RUN_OPTIONS)}`;

export function maxInsnsOption(args: ReturnType<typeof parseArgs>): number {
  return intOption(args, 'max-insns', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
}

export async function runCommand(argv: string[], bundled: BundledProgram, dap?: DapHook): Promise<number> {
  const args = parseArgs(argv, RUN_OPTIONS);
  const served = dapRequest('run', args);
  if (served !== undefined) return requireDapHook(dap)(served);
  const prog = loadProgram(args, bundled);
  const machine = new VirtMachine(prog.bytes, prog.name, machineOptions(args, prog.name, prog.args));
  const r = await runSession(machine, new HostConsole(machine.gate, true), { maxInsns: maxInsnsOption(args) });
  if (flag(args, 'stats')) printStats(machine, r);
  return r.status;
}
