// Options that describe the machine, shared by every command that builds one (run, and later
// record and replay, which must accept exactly the same machine options).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type OptionSpec, type ParsedArgs, intOption, stringOption, flag, UsageError } from './args';
import { DEFAULT_RAM_MIB, type MachineOptions } from '../machine/virt';

export const MACHINE_OPTIONS: Record<string, OptionSpec> = {
  ram: { value: true, help: `RAM size in MiB (default ${DEFAULT_RAM_MIB})` },
  'icount-shift': { value: true, help: 'virtual ns per instruction = 2^N, as QEMU -icount shift=N (default 0)' },
  semihosting: { help: 'enable RISC-V semihosting (QEMU -semihosting); console input goes to it' },
  'semihosting-root': { value: true, help: 'directory semihosting may touch (default: the program\'s directory)' },
};

export function machineOptions(args: ParsedArgs, program: string, programArgs: string[]): MachineOptions {
  const opts: MachineOptions = {
    ramMiB: intOption(args, 'ram', DEFAULT_RAM_MIB, 1, 2048),
    icountShift: intOption(args, 'icount-shift', 0, 0, 10),
  };
  if (flag(args, 'semihosting')) {
    const root = stringOption(args, 'semihosting-root') ?? path.dirname(path.resolve(program));
    opts.semihosting = { root: path.resolve(root), cmdline: [path.basename(program), ...programArgs].join(' ') };
  }
  return opts;
}

export interface BundledProgram { name: string; bytes: Uint8Array }
export interface Program { name: string; bytes: Uint8Array; args: string[] }

/** The program named by the first positional argument (the rest are its arguments), or the bundled example. */
export function loadProgram(args: ParsedArgs, bundled?: BundledProgram): Program {
  const [program, ...programArgs] = args.positionals;
  if (program === undefined) {
    if (bundled === undefined) throw new UsageError('no program given');
    return { ...bundled, args: [] };
  }
  try {
    return { name: program, bytes: fs.readFileSync(program), args: programArgs };
  } catch (e) {
    throw new UsageError(`cannot read ${program}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
