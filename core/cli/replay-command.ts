// `rvreplay replay`: runs a program again, fed from an rrfile instead of the host: the same
// output, the same icount, the same state digests; or a clear message where it could not.
// With --qmp it also serves QEMU's replay commands (query-replay, replay-break, replay-seek,
// savevm/loadvm...), so the run can be paused, inspected and moved back and forth in time.
import { parseArgs, flag, helpText, intOption, stringOption, UsageError, type OptionSpec } from './args';
import { MACHINE_OPTIONS, loadProgram, machineOptions } from './machine-options';
import { SESSION_OPTIONS, maxInsnsOption } from './run-command';
import { machineIdentity } from './record-command';
import { HostConsole } from './console';
import { runSession, printStats, EXIT_FAILED } from './session';
import { VirtMachine } from '../machine/virt';
import { Gate, ReplayStop } from '../replay/gate';
import { RrReader, RrFileError, identityMismatch, recordingId } from '../replay/rrfile';
import { snapshotFileFor } from '../replay/snapshot-file';
import { hartDigest } from '../replay/digest';
import { TimeTravel } from '../debug/time-travel';
import { VmControl } from '../debug/vm-control';
import { DEFAULT_BUDGET_MIB } from '../snapshot/auto-snapshots';
import { QmpServer, parseQmpAddress } from '../qmp/server';
import { UserError } from '../errors';
import { DAP_OPTIONS, dapRequest, requireDapHook, type DapHook } from './dap-option';

export const REPLAY_OPTIONS: Record<string, OptionSpec> = {
  rrfile: { value: true, help: 'the recording to replay (required)' },
  rrsnapshot: { value: true, help: 'start from this named snapshot (made by record --rrsnapshot or savevm)' },
  qmp: { value: true, help: 'serve QMP on tcp:HOST:PORT (HOST defaults to 127.0.0.1)' },
  paused: { help: 'start stopped until a QMP cont (QEMU\'s -S)' },
  'snapshot-budget': { value: true, help: `memory for automatic snapshots in MiB (default ${DEFAULT_BUDGET_MIB})` },
  ...MACHINE_OPTIONS,
  ...SESSION_OPTIONS,
  ...DAP_OPTIONS,
};

export const REPLAY_USAGE = `usage: rvreplay replay --rrfile FILE [options] prog.elf [args...]
Replays a recording made by 'rvreplay record' with the same program and machine options.
stdin is ignored: every input comes from FILE, and no host file is read or written.
Exit status: the recorded guest's, or 125 when the recording is damaged or the replay diverged.
options:
${helpText(REPLAY_OPTIONS)}`;

const log = (msg: string): void => { process.stderr.write(`[rvreplay] ${msg}\n`); };

export async function replayCommand(argv: string[], dap?: DapHook): Promise<number> {
  const args = parseArgs(argv, REPLAY_OPTIONS);
  const served = dapRequest('replay', args);
  if (served !== undefined) return requireDapHook(dap)(served);
  const file = stringOption(args, 'rrfile');
  if (file === undefined) throw new UsageError('replay needs --rrfile FILE');
  const qmpSpec = stringOption(args, 'qmp');
  const qmpAddr = qmpSpec === undefined ? undefined : parseQmpAddress(qmpSpec);
  if (flag(args, 'paused') && qmpAddr === undefined) throw new UsageError('--paused needs --qmp (nothing else could continue the VM)');
  const budget = intOption(args, 'snapshot-budget', DEFAULT_BUDGET_MIB, 1, 65536);
  const prog = loadProgram(args);
  const reader = RrReader.open(file);
  const mopts = machineOptions(args, prog.name, prog.args);
  const gate = Gate.replay(reader);
  const machine = new VirtMachine(prog.bytes, prog.name, { ...mopts, gate });
  const why = identityMismatch(reader.config, machineIdentity(machine, prog.name, prog.bytes, mopts.ramMiB!, mopts.semihosting));
  if (why !== undefined) throw new RrFileError(`cannot replay ${file}: ${why}`);
  const expected = RrReader.open(file).lastIcount();

  const rrsnapshot = stringOption(args, 'rrsnapshot');
  const travel = qmpAddr !== undefined || rrsnapshot !== undefined
    ? new TimeTravel(machine, { budgetMiB: budget, snapshotFile: snapshotFileFor(file), recording: recordingId(reader.config) })
    : undefined;
  if (rrsnapshot !== undefined) {
    const snap = travel!.named.get(rrsnapshot);
    if (snap === undefined) throw new UserError(`Could not load snapshot for icount replay: no snapshot '${rrsnapshot}' in ${snapshotFileFor(file)}`);
    travel!.restore(snap.snapshot);
  }
  let control: VmControl | undefined;
  let server: QmpServer | undefined;
  if (qmpAddr !== undefined) {
    control = new VmControl(machine, travel!, flag(args, 'paused'));
    server = new QmpServer(control);
    // As QEMU does when gdb attaches: a snapshot now, so reverse execution reaches back to here.
    server.onConnect = () => travel!.autos.take(travel!.frontier);
    const port = await server.listen(qmpAddr);
    log(`QMP listening on ${qmpAddr.host}:${port}`);
  }
  try {
    const r = await runSession(machine, new HostConsole(gate, false), { maxInsns: maxInsnsOption(args), expectedIcount: expected, travel, control });
    if (flag(args, 'stats')) printStats(machine, r);
    const stop = r.stop;
    if (stop.kind === 'replay-stop') {
      if (!control) log(stop.stop.message);
      return stop.stop.status;
    }
    // Stopped early on purpose, or moved around in time under QMP: nothing to check against the end.
    if (stop.kind === 'limit' || stop.kind === 'quit' || control) return r.status;
    try {
      gate.finish(r.reason, r.status);
    } catch (e) {
      if (!(e instanceof ReplayStop)) throw e;
      log(e.message);
      return EXIT_FAILED;
    }
    log(`replay complete: icount ${machine.hart.icount}, ${gate.events} events, final digest 0x${hartDigest(machine.hart).toString(16).padStart(8, '0')} matches the recording`);
    return r.status;
  } finally {
    server?.close();
  }
}
