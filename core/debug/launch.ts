// Builds the machine a debug session runs, from a launch configuration (the `rvreplay` launch
// attributes of launch.json, see adapter/protocol.ts): checks every attribute and names the one
// at fault, sets up the gate for `rr` (none, record: the default, so time travel always works;
// replay), the recording file, the time-travel controller and the program's debug info.
// Nothing here knows about DAP: the adapter passes the attributes through.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VirtMachine, DEFAULT_RAM_MIB, type MachineOptions } from '../machine/virt';
import { Gate } from '../replay/gate';
import { RrReader, RrWriter, identityHash, identityMismatch, recordingId, type RecordingConfig } from '../replay/rrfile';
import { snapshotFileFor } from '../replay/snapshot-file';
import { machineIdentity } from '../cli/record-command';
import { TimeTravel } from './time-travel';
import { DEFAULT_BUDGET_MIB } from '../snapshot/auto-snapshots';
import { loadDebugInfo, type DebugInfo } from '../dwarf/index';
import { UserError } from '../errors';
import { VERSION } from '../version';

/** The launch attributes (the same fields as adapter/protocol.ts's LaunchArguments). */
export interface DebugLaunchConfig {
  program?: unknown;
  rr?: unknown;
  rrfile?: unknown;
  rrfileOverwrite?: unknown;
  rrsnapshot?: unknown;
  icountShift?: unknown;
  ramMiB?: unknown;
  snapshotBudgetMiB?: unknown;
  stopOnEntry?: unknown;
  semihosting?: unknown;
  semihostingRoot?: unknown;
  args?: unknown;
}

/** A launch attribute with a bad value; the message names it. */
export class LaunchError extends UserError {
  override readonly name = 'LaunchError';
  constructor(readonly attribute: string, message: string) {
    super(message);
  }
}

export type RrMode = 'none' | 'record' | 'replay';

/**
 * Instructions between automatic snapshots at first: denser than the CLI's 2^21, because a
 * debugger seeks all the time (every step back) and a seek replays from the snapshot before it.
 * The budget still bounds the memory (the interval grows when it gets tight).
 */
const SNAPSHOT_INTERVAL = 1 << 18;

export interface LaunchedVm {
  machine: VirtMachine;
  travel: TimeTravel;
  gate: Gate;
  mode: RrMode;
  /** The program, as given and resolved. */
  program: string;
  rrfile: string | undefined;
  /** Replay: the icount of the recording's last frame. */
  recordingEnd: number | undefined;
  stopOnEntry: boolean;
  /** The program's debug info (without DWARF `hasDebugInfo` is false: symbols and .eh_frame still help). */
  debugInfo: DebugInfo | undefined;
  /** Problems worth telling the user once (debug info skipped, and so on). */
  warnings: string[];
}

function str(cfg: DebugLaunchConfig, name: keyof DebugLaunchConfig): string | undefined {
  const v = cfg[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw new LaunchError(name, `"${name}" must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function bool(cfg: DebugLaunchConfig, name: keyof DebugLaunchConfig): boolean {
  const v = cfg[name];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new LaunchError(name, `"${name}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function int(cfg: DebugLaunchConfig, name: keyof DebugLaunchConfig, dflt: number, min: number, max: number): number {
  const v = cfg[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new LaunchError(name, `"${name}" must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks the attributes and builds the machine, ready to run (stopped at icount 0). */
export function launchVm(cfg: DebugLaunchConfig): LaunchedVm {
  if (typeof cfg !== 'object' || cfg === null) throw new LaunchError('program', 'the launch configuration is not an object');
  const program = str(cfg, 'program');
  if (program === undefined) throw new LaunchError('program', '"program" is missing: set it to the ELF file to debug');
  const rr = cfg.rr ?? 'record';
  if (rr !== 'none' && rr !== 'record' && rr !== 'replay') throw new LaunchError('rr', `"rr" must be "none", "record" or "replay", got ${JSON.stringify(rr)}`);
  const ramMiB = int(cfg, 'ramMiB', DEFAULT_RAM_MIB, 1, 2048);
  const icountShift = int(cfg, 'icountShift', 0, 0, 10);
  const budget = int(cfg, 'snapshotBudgetMiB', DEFAULT_BUDGET_MIB, 1, 65536);
  const stopOnEntry = bool(cfg, 'stopOnEntry');
  const semihosting = bool(cfg, 'semihosting');
  const overwrite = bool(cfg, 'rrfileOverwrite');
  const rrsnapshot = str(cfg, 'rrsnapshot');
  let rrfile = str(cfg, 'rrfile');
  const args = cfg.args ?? [];
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw new LaunchError('args', `"args" must be an array of strings, got ${JSON.stringify(cfg.args)}`);
  const rootAttr = str(cfg, 'semihostingRoot');
  if (rootAttr !== undefined && !semihosting) throw new LaunchError('semihostingRoot', '"semihostingRoot" needs "semihosting": true');
  if (args.length > 0 && !semihosting) throw new LaunchError('args', '"args" reach the program only through semihosting: set "semihosting": true');
  if (rr === 'none' && (rrfile !== undefined || rrsnapshot !== undefined)) {
    throw new LaunchError(rrfile !== undefined ? 'rrfile' : 'rrsnapshot', `"${rrfile !== undefined ? 'rrfile' : 'rrsnapshot'}" needs "rr": "record" or "replay" (it is "none")`);
  }

  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(program);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LaunchError('program', `"program": cannot read ${program}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? String(e)}`);
  }
  const opts: MachineOptions = { ramMiB, icountShift };
  if (semihosting) {
    const root = path.resolve(rootAttr ?? path.dirname(path.resolve(program)));
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new LaunchError('semihostingRoot', `"semihostingRoot": ${root} is not a directory`);
    opts.semihosting = { root, cmdline: [path.basename(program), ...(args as string[])].join(' ') };
  }

  rrfile = rr === 'none' ? undefined : path.resolve(rrfile ?? `${program}.rr`);
  let gate: Gate;
  let reader: RrReader | undefined;
  if (rr === 'replay') {
    if (!fs.existsSync(rrfile!)) throw new LaunchError('rrfile', `"rrfile": ${rrfile} does not exist; record it first ("rr": "record")`);
    reader = wrap('rrfile', () => RrReader.open(rrfile!));
    gate = Gate.replay(reader);
  } else if (rr === 'record') {
    if (fs.existsSync(rrfile!) && !overwrite) throw new LaunchError('rrfile', `"rrfile": ${rrfile} already exists; set "rrfileOverwrite": true to replace it, or "rr": "replay" to replay it`);
    gate = Gate.record();
  } else {
    gate = Gate.none();
  }
  const machine = wrap('program', () => new VirtMachine(bytes, program, { ...opts, gate }));
  const identity = machineIdentity(machine, program, bytes, ramMiB, opts.semihosting);
  const warnings: string[] = [];
  let recordingEnd: number | undefined;
  let travel: TimeTravel;
  if (rr === 'replay') {
    const why = identityMismatch(reader!.config, identity);
    if (why !== undefined) throw new LaunchError('rrfile', `"rrfile": cannot replay ${rrfile}: ${why}`);
    recordingEnd = RrReader.open(rrfile!).lastIcount();
    travel = wrap('rrfile', () => new TimeTravel(machine, { budgetMiB: budget, interval: SNAPSHOT_INTERVAL, snapshotFile: snapshotFileFor(rrfile!), recording: recordingId(reader!.config) }));
    if (rrsnapshot !== undefined) {
      const snap = travel.named.get(rrsnapshot);
      if (snap === undefined) throw new LaunchError('rrsnapshot', `"rrsnapshot": no snapshot '${rrsnapshot}' in ${snapshotFileFor(rrfile!)}`);
      travel.restore(snap.snapshot);
    }
  } else if (rr === 'record') {
    const config: RecordingConfig = {
      ...identity, configHash: identityHash(identity), digestInterval: gate.digestInterval,
      recordedAt: new Date().toISOString(), recorder: `rvreplay ${VERSION} (debug adapter)`,
    };
    // Only now, with everything checked, is the file created (a failed launch leaves nothing).
    const writer = wrap('rrfile', () => RrWriter.create(rrfile!, config, overwrite));
    gate.startRecording(writer);
    fs.rmSync(snapshotFileFor(rrfile!), { force: true }); // they belonged to the recording replaced
    travel = new TimeTravel(machine, { budgetMiB: budget, interval: SNAPSHOT_INTERVAL, snapshotFile: snapshotFileFor(rrfile!), recording: recordingId(config) });
    if (rrsnapshot !== undefined) travel.named.save(rrsnapshot);
  } else {
    travel = new TimeTravel(machine, { budgetMiB: budget });
  }
  let debugInfo: DebugInfo | undefined;
  try {
    const info = loadDebugInfo(machine.elf);
    info.prepare(); // at launch, not at the first step back or stack trace
    debugInfo = info;
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'DwarfError') throw e;
    warnings.push(`${path.basename(program)}: its DWARF debug info is unusable (${e.message}): debugging shows disassembly only`);
  }
  if (debugInfo !== undefined && !debugInfo.hasDebugInfo) warnings.push(`${path.basename(program)} has no DWARF debug info (build it with -g): debugging shows disassembly only`);
  return { machine, travel, gate, mode: rr, program, rrfile, recordingEnd, stopOnEntry, debugInfo, warnings };
}

/** Runs f, turning a user error (bad ELF, bad rrfile...) into a LaunchError naming `attribute`. */
function wrap<T>(attribute: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof LaunchError) throw e;
    if (e instanceof UserError || (e instanceof Error && (e.name === 'ElfError' || e.name === 'DwarfError'))) throw new LaunchError(attribute, `"${attribute}": ${e.message}`);
    throw e;
  }
}
