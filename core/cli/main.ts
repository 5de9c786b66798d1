// The rvreplay command line: run, record, replay, dump and snapshots. The entry point that runs
// it is adapter/cli.ts (bundled into dist/cli.js), which passes in the DAP server for `--dap`:
// core/ imports nothing from adapter/ (see core/cli/dap-option.ts).
import { runCommand, RUN_USAGE } from './run-command';
import { recordCommand, RECORD_USAGE } from './record-command';
import { replayCommand, REPLAY_USAGE } from './replay-command';
import { dumpCommand, DUMP_USAGE } from './dump-command';
import { snapshotsCommand, SNAPSHOTS_USAGE } from './snapshots-command';
import { UsageError } from './args';
import type { DapHook } from './dap-option';
import { ElfError } from '../elf/elf';
import { UserError } from '../errors';
import helloElf from '../../examples/hello.elf';

const USAGE = `usage: rvreplay <command> [options]
commands:
  run [prog.elf]                 run a RISC-V program on the virt board (default: the bundled example)
  record --rrfile F prog.elf     run and record every non-deterministic input to F
  replay --rrfile F prog.elf     run again from the recording: same output, same icount
  dump F                         print a recording's events
  snapshots F                    list the named snapshots saved with a recording
  help [command]                 this text, or a command's options`;

const COMMAND_USAGE: Record<string, string> = { run: RUN_USAGE, record: RECORD_USAGE, replay: REPLAY_USAGE, dump: DUMP_USAGE, snapshots: SNAPSHOTS_USAGE };

/** What the entry point adds to the commands: the DAP server behind `--dap PORT`. */
export interface CliHooks {
  dap?: DapHook;
}

async function main(argv: string[], hooks: CliHooks): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run': return runCommand(rest, { name: 'hello.elf (bundled example)', bytes: helloElf }, hooks.dap);
    case 'record': return recordCommand(rest, hooks.dap);
    case 'replay': return replayCommand(rest, hooks.dap);
    case 'dump': return dumpCommand(rest);
    case 'snapshots': return snapshotsCommand(rest);
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write((COMMAND_USAGE[rest[0] ?? ''] ?? USAGE) + '\n');
      return 0;
    default: throw new UsageError(`unknown command '${cmd}'`);
  }
}

/** Runs the command in argv (without node and the script) and sets process.exitCode. */
export function runCli(argv: string[], hooks: CliHooks = {}): Promise<void> {
  return main(argv, hooks).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`rvreplay: ${e.message}\n${e.showUsage ? `${USAGE}\n` : ''}`);
        process.exitCode = 2;
      } else if (e instanceof ElfError || e instanceof UserError) {
        process.stderr.write(`rvreplay: ${e.message}\n`);
        process.exitCode = 125;
      } else {
        // Anything else is a bug in rvreplay: show everything we know.
        process.stderr.write(`rvreplay: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
        process.exitCode = 125;
      }
    },
  );
}
