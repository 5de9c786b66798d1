// `rvreplay replay`: runs a program again, fed from an rrfile instead of the host: the same
// output, the same icount, the same state digests; or a clear message where it could not.
import { parseArgs, flag, helpText, stringOption, UsageError, type OptionSpec } from './args';
import { MACHINE_OPTIONS, loadProgram, machineOptions } from './machine-options';
import { SESSION_OPTIONS, maxInsnsOption } from './run-command';
import { machineIdentity } from './record-command';
import { HostConsole } from './console';
import { runSession, printStats, EXIT_FAILED } from './session';
import { VirtMachine } from '../machine/virt';
import { Gate, ReplayStop } from '../replay/gate';
import { RrReader, RrFileError, identityMismatch } from '../replay/rrfile';
import { hartDigest } from '../replay/digest';

export const REPLAY_OPTIONS: Record<string, OptionSpec> = {
  rrfile: { value: true, help: 'the recording to replay (required)' },
  ...MACHINE_OPTIONS,
  ...SESSION_OPTIONS,
};

export const REPLAY_USAGE = `usage: rvreplay replay --rrfile FILE [options] prog.elf [args...]
Replays a recording made by 'rvreplay record' with the same program and machine options.
stdin is ignored: every input comes from FILE, and no host file is read or written.
Exit status: the recorded guest's, or 125 when the recording is damaged or the replay diverged.
options:
${helpText(REPLAY_OPTIONS)}`;

const log = (msg: string): void => { process.stderr.write(`[rvreplay] ${msg}\n`); };

export async function replayCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, REPLAY_OPTIONS);
  const file = stringOption(args, 'rrfile');
  if (file === undefined) throw new UsageError('replay needs --rrfile FILE');
  const prog = loadProgram(args);
  const reader = RrReader.open(file);
  const mopts = machineOptions(args, prog.name, prog.args);
  const gate = Gate.replay(reader);
  const machine = new VirtMachine(prog.bytes, prog.name, { ...mopts, gate });
  const why = identityMismatch(reader.config, machineIdentity(machine, prog.name, prog.bytes, mopts.ramMiB!, mopts.semihosting));
  if (why !== undefined) throw new RrFileError(`cannot replay ${file}: ${why}`);
  const expected = RrReader.open(file).lastIcount();
  const r = await runSession(machine, new HostConsole(gate, false), { maxInsns: maxInsnsOption(args), expectedIcount: expected });
  if (flag(args, 'stats')) printStats(machine, r);
  const stop = r.stop;
  if (stop.kind === 'replay-stop') {
    log(stop.stop.message);
    return stop.stop.status;
  }
  if (stop.kind === 'limit') return r.status; // --max-insns: stopped early on purpose
  try {
    gate.finish(r.reason, r.status);
  } catch (e) {
    if (!(e instanceof ReplayStop)) throw e;
    log(e.message);
    return EXIT_FAILED;
  }
  log(`replay complete: icount ${machine.hart.icount}, ${gate.events} events, final digest 0x${hartDigest(machine.hart).toString(16).padStart(8, '0')} matches the recording`);
  return r.status;
}
