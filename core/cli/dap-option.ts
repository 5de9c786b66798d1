// `--dap PORT` on `rvreplay run|record|replay`: instead of running the program on the terminal,
// build the same machine (as a debug launch configuration: core/debug/launch.ts) and serve it
// to a debugger over TCP, where VS Code attaches ("request": "attach", "port": PORT).
//
// Serving needs the debug adapter (adapter/), which core/ does not import: the command line's
// entry point (adapter/cli.ts) passes the server in as a DapHook. This file only checks the
// options and turns them into a launch configuration, with the CLI's own error messages.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type OptionSpec, type ParsedArgs, UsageError, flag, intOption, stringOption } from './args';
import { loadProgram, machineOptions } from './machine-options';
import { RrFileError } from '../replay/rrfile';
import type { DebugLaunchConfig } from '../debug/launch';
import { DEFAULT_BUDGET_MIB } from '../snapshot/auto-snapshots';

export const DAP_OPTIONS: Record<string, OptionSpec> = {
  dap: { value: true, help: 'do not run: serve the VM to a debugger on this TCP port (VS Code: "request": "attach"); 0 picks a free one' },
  'dap-host': { value: true, help: 'address --dap listens on (default 127.0.0.1; anything else lets other hosts control the VM)' },
};

/** What the DAP server is asked to do: serve the machine `config` describes on host:port. */
export interface DapRequest {
  /** The command it replaces (run: no recording; record; replay). */
  command: 'run' | 'record' | 'replay';
  port: number;
  host: string;
  /** The machine, as a debug launch configuration (launchVm builds it). */
  config: DebugLaunchConfig;
}

/** Serves the VM until the user ends it (Ctrl-C, SIGTERM); resolves to the exit status. */
export type DapHook = (req: DapRequest) => Promise<number>;

export const DEFAULT_DAP_HOST = '127.0.0.1';

/** Options that only make sense when the terminal runs the program, not under a debugger. */
const NOT_WITH_DAP = ['max-insns', 'stats', 'qmp', 'paused'];

/**
 * The DapRequest for `--dap PORT` (undefined without it), after checking every option the way
 * the command itself would, so that a mistake is reported before anything is created.
 */
export function dapRequest(command: DapRequest['command'], args: ParsedArgs): DapRequest | undefined {
  const portArg = args.options.get('dap');
  const host = stringOption(args, 'dap-host');
  if (portArg === undefined) {
    if (host !== undefined) throw new UsageError('--dap-host needs --dap PORT', false);
    return undefined;
  }
  if (typeof portArg !== 'string' || !/^\d+$/.test(portArg) || Number(portArg) > 65535) {
    throw new UsageError(`--dap must be a TCP port number from 0 to 65535 (0: any free port), got '${portArg === true ? '' : portArg}'`, false);
  }
  if (host === '') throw new UsageError('--dap-host must be an address, e.g. 127.0.0.1', false);
  for (const o of NOT_WITH_DAP) {
    if (args.options.has(o)) throw new UsageError(`--${o} cannot be combined with --dap (the debugger controls the run)`, false);
  }
  if (args.positionals.length === 0) throw new UsageError('--dap needs a program: rvreplay ' + command + ' --dap PORT [options] prog.elf', false);
  const prog = loadProgram(args); // a readable program, or the CLI's error
  const mopts = machineOptions(args, prog.name, prog.args); // --ram, --icount-shift checked here
  const config: DebugLaunchConfig = {
    program: prog.name,
    rr: command === 'run' ? 'none' : command,
    ramMiB: mopts.ramMiB,
    icountShift: mopts.icountShift,
  };
  if (mopts.semihosting) {
    config.semihosting = true;
    config.semihostingRoot = mopts.semihosting.root;
    config.args = prog.args;
  } else if (prog.args.length > 0) {
    throw new UsageError(`the program's arguments (${prog.args.join(' ')}) reach it only through semihosting: add --semihosting`, false);
  }
  if (command !== 'run') {
    const rrfile = stringOption(args, 'rrfile');
    if (rrfile === undefined) throw new UsageError(`${command} needs --rrfile FILE`, false);
    config.rrfile = path.resolve(rrfile);
    const rrsnapshot = stringOption(args, 'rrsnapshot');
    if (rrsnapshot !== undefined) config.rrsnapshot = rrsnapshot;
    if (command === 'record') {
      const force = flag(args, 'force');
      // The same message as `rvreplay record` without --dap (RrWriter.create's).
      if (!force && fs.existsSync(rrfile)) throw new RrFileError(`${rrfile} already exists; pass --force to overwrite it`);
      config.rrfileOverwrite = force;
    } else {
      if (!fs.existsSync(rrfile)) throw new RrFileError(`cannot read rrfile ${rrfile}: ENOENT`); // RrReader.open's words
      config.snapshotBudgetMiB = intOption(args, 'snapshot-budget', DEFAULT_BUDGET_MIB, 1, 65536);
    }
  }
  return { command, port: Number(portArg), host: host ?? DEFAULT_DAP_HOST, config };
}

/** For a build without the debug adapter (core alone): --dap is refused with a reason. */
export function requireDapHook(dap: DapHook | undefined): DapHook {
  if (dap === undefined) throw new UsageError('--dap is not available in this build (it needs the debug adapter: use dist/cli.js)', false);
  return dap;
}
