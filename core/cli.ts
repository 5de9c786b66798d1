#!/usr/bin/env node
// rvreplay command line: run (today), record, replay, dump and snapshots (with their issues).
import { runCommand, RUN_USAGE } from './cli/run-command';
import { recordCommand, RECORD_USAGE } from './cli/record-command';
import { replayCommand, REPLAY_USAGE } from './cli/replay-command';
import { dumpCommand, DUMP_USAGE } from './cli/dump-command';
import { snapshotsCommand, SNAPSHOTS_USAGE } from './cli/snapshots-command';
import { UsageError } from './cli/args';
import { ElfError } from './elf/elf';
import { UserError } from './errors';
import helloElf from '../examples/hello.elf';

const USAGE = `usage: rvreplay <command> [options]
commands:
  run [prog.elf]                 run a RISC-V program on the virt board (default: the bundled example)
  record --rrfile F prog.elf     run and record every non-deterministic input to F
  replay --rrfile F prog.elf     run again from the recording: same output, same icount
  dump F                         print a recording's events
  snapshots F                    list the named snapshots saved with a recording
  help [command]                 this text, or a command's options`;

const COMMAND_USAGE: Record<string, string> = { run: RUN_USAGE, record: RECORD_USAGE, replay: REPLAY_USAGE, dump: DUMP_USAGE, snapshots: SNAPSHOTS_USAGE };

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run': return runCommand(rest, { name: 'hello.elf (bundled example)', bytes: helloElf });
    case 'record': return recordCommand(rest);
    case 'replay': return replayCommand(rest);
    case 'dump': return dumpCommand(rest);
    case 'snapshots': return snapshotsCommand(rest);
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write((COMMAND_USAGE[rest[0] ?? ''] ?? USAGE) + '\n');
      return 0;
    default: throw new UsageError(`unknown command '${cmd}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`rvreplay: ${e.message}\n${USAGE}\n`);
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
