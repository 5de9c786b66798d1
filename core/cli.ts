#!/usr/bin/env node
// rvreplay command line: run (today), record, replay, dump and snapshots (with their issues).
import { runCommand, RUN_USAGE } from './cli/run-command';
import { UsageError } from './cli/args';
import { ElfError } from './elf/elf';
import { UserError } from './errors';
import helloElf from '../examples/hello.elf';

const USAGE = `usage: rvreplay <command> [options]
commands:
  run [prog.elf]    run a RISC-V program on the virt board (default: the bundled example)
  help              this text; 'rvreplay help run' for a command's options`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run': return runCommand(rest, { name: 'hello.elf (bundled example)', bytes: helloElf });
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write((rest[0] === 'run' ? RUN_USAGE : USAGE) + '\n');
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
