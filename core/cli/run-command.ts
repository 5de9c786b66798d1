// `rvreplay run`: boots a program on the virt board with the terminal as its console.
import * as fs from 'node:fs';
import { parseArgs, intOption, flag, helpText, UsageError, type OptionSpec } from './args';
import { MACHINE_OPTIONS, machineOptions } from './machine-options';
import { HostConsole } from './console';
import { VirtMachine } from '../machine/virt';
import { describeCause } from '../cpu/trap';

export const RUN_OPTIONS: Record<string, OptionSpec> = {
  ...MACHINE_OPTIONS,
  'max-insns': { value: true, help: 'stop after this many instructions (exit status 124)' },
  stats: { help: 'print icount, wall time and MIPS on stderr at the end' },
};

export const RUN_USAGE = `usage: rvreplay run [options] [prog.elf [args...]]
Runs prog.elf as qemu-system-riscv32 -M virt -bios none -kernel prog.elf would, with the
terminal as the serial console. Without prog.elf it runs the bundled example.
Exit status: the guest's (sifive_test finisher or semihosting exit), 124 when --max-insns
stopped it, 125 when rvreplay itself failed, 2 for a usage error.
options:
${helpText(RUN_OPTIONS)}`;

/** Instructions per run slice: small enough to answer input and Ctrl-C quickly, big enough to amortize. */
const SLICE = 2_000_000;
const PROGRESS_AFTER_MS = 2000;

export interface BundledProgram { name: string; bytes: Uint8Array }

export async function runCommand(argv: string[], bundled: BundledProgram): Promise<number> {
  const args = parseArgs(argv, RUN_OPTIONS);
  const [program, ...programArgs] = args.positionals;
  let bytes: Uint8Array;
  let name: string;
  if (program === undefined) {
    ({ bytes, name } = bundled);
  } else {
    try {
      bytes = fs.readFileSync(program);
    } catch (e) {
      throw new UsageError(`cannot read ${program}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    name = program;
  }
  const maxInsns = intOption(args, 'max-insns', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
  const machine = new VirtMachine(bytes, name, machineOptions(args, name, programArgs));
  const console = new HostConsole(machine.gate, true);
  machine.onOutput = (b) => console.write(b);
  const onSigint = (): void => console.requestQuit();
  process.on('SIGINT', onSigint);
  console.start();
  const t0 = performance.now();
  let lastProgress = t0;
  let status: number;
  try {
    for (;;) {
      const target = Math.min(machine.hart.icount + SLICE, maxInsns);
      const stop = machine.run(target);
      console.flush();
      if (stop.kind === 'exit') { status = stop.code; break; }
      if (console.quitRequested) {
        process.stderr.write(`\n[rvreplay] quit at icount ${machine.hart.icount}\n`);
        status = 130;
        break;
      }
      if (stop.kind === 'idle') {
        process.stderr.write(`[rvreplay] the guest waits in wfi with no interrupt that could wake it (icount ${machine.hart.icount}, pc 0x${machine.hart.pc.toString(16)}); stopping\n`);
        status = 125;
        break;
      }
      if (stop.kind === 'trap-loop') {
        process.stderr.write(`[rvreplay] the guest is stuck in a trap loop at icount ${machine.hart.icount}: ${describeCause(stop.mcause)} (mcause 0x${stop.mcause.toString(16)}) at pc 0x${stop.pc.toString(16)}, mtval 0x${stop.mtval.toString(16)}, and the handler at mtvec 0x${machine.hart.mtvec.toString(16)} traps again; stopping\n`);
        status = 125;
        break;
      }
      if (stop.kind === 'limit' && machine.hart.icount >= maxInsns) {
        process.stderr.write(`[rvreplay] stopped at icount ${machine.hart.icount} (--max-insns)\n`);
        status = 124;
        break;
      }
      if (stop.kind === 'input') await console.waitForInput();
      else await new Promise<void>((r) => setImmediate(r)); // let stdin and signals in
      const now = performance.now();
      if (now - t0 > PROGRESS_AFTER_MS && now - lastProgress > 250) {
        lastProgress = now;
        console.progress(`[rvreplay] icount ${machine.hart.icount.toLocaleString('en-US')}  ${(machine.hart.icount / ((now - t0) * 1000)).toFixed(1)} MIPS`);
      }
    }
  } finally {
    console.flush();
    console.clearProgress();
    console.stop();
    process.off('SIGINT', onSigint);
  }
  if (flag(args, 'stats')) {
    const secs = (performance.now() - t0) / 1000;
    process.stderr.write(`[rvreplay] icount=${machine.hart.icount} wall=${secs.toFixed(3)}s mips=${(machine.hart.icount / secs / 1e6).toFixed(1)} exit=${status}\n`);
  }
  return status;
}
