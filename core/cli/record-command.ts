// `rvreplay record`: runs like `run`, with stdin as live UART input, and logs every
// non-deterministic input to the rrfile so that `rvreplay replay` can reproduce the run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, flag, helpText, stringOption, UsageError, type OptionSpec } from './args';
import { MACHINE_OPTIONS, loadProgram, machineOptions } from './machine-options';
import { SESSION_OPTIONS, maxInsnsOption } from './run-command';
import { HostConsole } from './console';
import { runSession, printStats } from './session';
import { VirtMachine } from '../machine/virt';
import { Gate } from '../replay/gate';
import { RrWriter, identityHash, recordingId, sha256, type MachineIdentity, type RecordingConfig } from '../replay/rrfile';
import { VERSION } from '../version';
import { snapshotFileFor } from '../replay/snapshot-file';
import { NamedSnapshots } from '../debug/named-snapshots';
import { Snapshotter } from '../snapshot/snapshot';
import { hartDigest } from '../replay/digest';
import { DAP_OPTIONS, dapRequest, requireDapHook, type DapHook } from './dap-option';

export const RECORD_OPTIONS: Record<string, OptionSpec> = {
  rrfile: { value: true, help: 'the recording to write (required)' },
  force: { help: 'overwrite the rrfile if it exists' },
  rrsnapshot: { value: true, help: 'save a named snapshot of the start (replay --rrsnapshot loads it)' },
  ...MACHINE_OPTIONS,
  ...SESSION_OPTIONS,
  ...DAP_OPTIONS,
};

export const RECORD_USAGE = `usage: rvreplay record --rrfile FILE [options] prog.elf [args...]
Runs prog.elf like 'rvreplay run' (stdin is live serial input) and records every
non-deterministic input (typed bytes, host time, semihosting answers) with its icount.
An existing FILE is never overwritten unless --force is given.
options:
${helpText(RECORD_OPTIONS)}`;

/** What identifies the machine: replay refuses a recording made on another. */
export function machineIdentity(machine: VirtMachine, programName: string, bytes: Uint8Array, ramMiB: number, semihosting: { cmdline: string } | undefined): MachineIdentity {
  return {
    elf: { name: path.basename(programName), size: bytes.length, sha256: sha256(bytes) },
    ramMiB,
    icountShift: machine.icountShift,
    devices: machine.deviceNames(),
    semihosting: semihosting ? { cmdline: semihosting.cmdline } : null,
  };
}

export async function recordCommand(argv: string[], dap?: DapHook): Promise<number> {
  const args = parseArgs(argv, RECORD_OPTIONS);
  const served = dapRequest('record', args);
  if (served !== undefined) return requireDapHook(dap)(served);
  const file = stringOption(args, 'rrfile');
  if (file === undefined) throw new UsageError('record needs --rrfile FILE');
  const prog = loadProgram(args);
  const mopts = machineOptions(args, prog.name, prog.args);
  const gate = Gate.record();
  const machine = new VirtMachine(prog.bytes, prog.name, { ...mopts, gate });
  const identity = machineIdentity(machine, prog.name, prog.bytes, mopts.ramMiB!, mopts.semihosting);
  const config: RecordingConfig = {
    ...identity, configHash: identityHash(identity), digestInterval: gate.digestInterval,
    recordedAt: new Date().toISOString(), recorder: `rvreplay ${VERSION}`,
  };
  // Only now, with the program and options known to be good, is the file created.
  const writer = RrWriter.create(file, config, flag(args, 'force'));
  gate.startRecording(writer);
  // Snapshots of a recording this one replaces are meaningless now (they point into its log).
  fs.rmSync(snapshotFileFor(file), { force: true });
  const rrsnapshot = stringOption(args, 'rrsnapshot');
  if (rrsnapshot !== undefined) {
    new NamedSnapshots(new Snapshotter(machine), snapshotFileFor(file), recordingId(config)).save(rrsnapshot);
  }
  try {
    const r = await runSession(machine, new HostConsole(gate, true), {
      maxInsns: maxInsnsOption(args),
      afterSlice: () => writer.flushIfDue(),
      beforeWait: () => writer.flush(),
    });
    gate.finish(r.reason, r.status);
    process.stderr.write(`[rvreplay] recorded ${file}: icount ${machine.hart.icount}, ${writer.frames} frames, ${writer.bytesWritten} bytes, final digest 0x${hartDigest(machine.hart).toString(16).padStart(8, '0')}\n`);
    if (flag(args, 'stats')) printStats(machine, r);
    return r.status;
  } finally {
    writer.close(); // no-op after finish; keeps what was logged if something went wrong
  }
}
