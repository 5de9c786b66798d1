// The time-travel controller: runs the machine forward taking automatic snapshots, stops at a
// replay breakpoint, and moves to any icount of a replay (seek): restore the nearest snapshot
// at or before the target, then replay forward to exactly the target. Output the guest
// produces again while re-executing history is not shown twice.
import type { VirtMachine, StopReason } from '../machine/virt';
import { Snapshotter, type Snapshot } from '../snapshot/snapshot';
import { AutoSnapshots } from '../snapshot/auto-snapshots';
import { NamedSnapshots } from './named-snapshots';
import { UserError } from '../errors';

export type TravelStop = StopReason | { kind: 'break' };

/** A refused time-travel command; the message is QEMU's where QEMU has one. */
export class TravelError extends UserError {
  override readonly name = 'TravelError';
}

export interface TimeTravelOptions {
  /** Automatic snapshot memory budget (default 256 MiB). */
  budgetMiB?: number;
  /** Instructions between automatic snapshots at first (default 2^21; doubles when the budget gets tight). */
  interval?: number;
  /** Where named snapshots persist (undefined: memory only). */
  snapshotFile?: string;
  /** The recording's id (rrfile recordingId), to tie the snapshot file to it. */
  recording?: string;
}

export class TimeTravel {
  readonly snapshotter: Snapshotter;
  readonly autos: AutoSnapshots;
  readonly named: NamedSnapshots;
  /** The furthest icount executed: output below it was shown already. */
  frontier = 0;
  /** replay-break: stop when the replay reaches this icount (one shot, as QEMU). */
  breakIcount: number | undefined;
  private nextAuto: number;
  private sink: (bytes: Uint8Array) => void = () => {};

  constructor(private readonly machine: VirtMachine, opts: TimeTravelOptions = {}) {
    this.snapshotter = new Snapshotter(machine);
    this.autos = new AutoSnapshots(this.snapshotter, opts.budgetMiB, opts.interval);
    this.named = new NamedSnapshots(this.snapshotter, opts.snapshotFile, opts.recording ?? '');
    machine.onOutput = (b) => { if (machine.hart.icount >= this.frontier) this.sink(b); };
    this.frontier = machine.hart.icount;
    if (this.canTravel) this.autos.take(machine.hart.icount); // history starts here
    this.nextAuto = this.autos.nextDue(machine.hart.icount);
  }

  /** Where guest output goes (only output not shown before). */
  set onOutput(f: (bytes: Uint8Array) => void) {
    this.sink = f;
  }

  /** A replay can move in time, and so can a recording with its file open (the gate's live edge). */
  get canTravel(): boolean {
    return this.machine.gate.canTravel;
  }

  get icount(): number {
    return this.machine.hart.icount;
  }

  /** Runs forward to `until`, taking automatic snapshots, stopping at the replay breakpoint. */
  run(until: number): TravelStop {
    const hart = this.machine.hart;
    for (;;) {
      const ic = hart.icount;
      if (this.breakIcount !== undefined && ic >= this.breakIcount) {
        this.breakIcount = undefined;
        return { kind: 'break' };
      }
      if (ic >= until) return { kind: 'limit' };
      if (this.canTravel && ic >= this.nextAuto) {
        if (this.autos.nearest(ic)?.icount !== ic) this.autos.take(this.frontier);
        this.nextAuto = this.autos.nextDue(ic);
      }
      let limit = Math.min(until, this.canTravel ? this.nextAuto : Infinity);
      if (this.breakIcount !== undefined) limit = Math.min(limit, this.breakIcount);
      const stop = this.machine.run(limit);
      if (hart.icount > this.frontier) this.frontier = hart.icount;
      if (stop.kind !== 'limit') return stop;
    }
  }

  /** replay-break: one breakpoint, in the future, while replaying. */
  setBreak(icount: number): void {
    if (!this.canTravel) throw new TravelError('setting the breakpoint is allowed only in play mode');
    if (icount < this.icount) throw new TravelError('cannot set breakpoint at the instruction in the past');
    this.breakIcount = icount;
  }

  deleteBreak(): void {
    if (!this.canTravel) throw new TravelError('replay breakpoints are allowed only in play mode');
    this.breakIcount = undefined;
  }

  /** The snapshot (automatic or named) nearest at or before `icount`. */
  nearestSnapshot(icount: number): Snapshot | undefined {
    const a = this.autos.nearest(icount);
    const n = this.named.nearest(icount)?.snapshot;
    if (a === undefined) return n;
    if (n === undefined) return a;
    return n.icount > a.icount ? n : a;
  }

  /** replay-seek: moves to exactly `icount`. Throws TravelError when that is impossible. */
  seek(icount: number): void {
    if (!this.canTravel) throw new TravelError('replay must be enabled to seek');
    if (!Number.isSafeInteger(icount) || icount < 0) throw new TravelError(`cannot seek to instruction count ${icount}`);
    const snap = this.nearestSnapshot(icount);
    if (icount < this.icount || (snap !== undefined && snap.icount > this.icount)) {
      if (snap === undefined) throw new TravelError('cannot seek to the specified instruction count');
      this.restore(snap);
    }
    const saved = this.breakIcount;
    this.breakIcount = undefined;
    const stop = this.run(icount);
    this.breakIcount = saved !== undefined && saved > this.icount ? saved : undefined;
    if (this.icount !== icount) {
      const why = stop.kind === 'replay-stop' ? stop.stop.message : stop.kind === 'exit' ? `the guest exited at icount ${this.icount}` : `it stopped (${stop.kind}) at icount ${this.icount}`;
      throw new TravelError(`cannot seek to the specified instruction count: ${why}`);
    }
  }

  /** Restores a snapshot (any kind); output is not repeated up to the frontier. */
  restore(s: Snapshot): void {
    this.snapshotter.restore(s);
    this.nextAuto = this.autos.nextDue(this.icount);
  }

  /** loadvm: in a replay, moves the replay position to the snapshot's icount. */
  loadNamed(name: string): void {
    const s = this.named.get(name);
    if (s === undefined) throw new TravelError(`Snapshot '${name}' does not exist`);
    if (!this.canTravel) throw new TravelError('loadvm is allowed only while replaying (a recording cannot go back)');
    this.restore(s.snapshot);
  }
}
