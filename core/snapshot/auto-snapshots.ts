// Automatic in-memory snapshots, taken while the machine runs so that any seek costs at most
// one short replay. Dense near the present, thinned with distance from it, under a byte budget:
// when over budget, the snapshot whose removal leaves the smallest hole relative to its age
// goes. When thinning has had to drop more snapshots than the store keeps, snapshots are too
// costly for this workload at this density, and the interval between new ones doubles.
import type { Snapshot, Snapshotter } from './snapshot';

export const DEFAULT_BUDGET_MIB = 256;
export const DEFAULT_INTERVAL = 1 << 21;
/** Machine state apart from RAM, per snapshot (registers, devices: a few KiB of JS objects). */
const STATE_COST = 4096;

export class AutoSnapshots {
  /** Sorted by icount. */
  readonly list: Snapshot[] = [];
  interval: number;
  readonly budgetBytes: number;
  /** Snapshots thinned out so far, and since the interval last changed. */
  dropped = 0;
  private droppedAtThisInterval = 0;
  /** Goes up whenever the list changes (for views that cache what they show of it). */
  changes = 0;

  constructor(private readonly snapshotter: Snapshotter, budgetMiB = DEFAULT_BUDGET_MIB, interval = DEFAULT_INTERVAL) {
    this.budgetBytes = budgetMiB * 1024 * 1024;
    this.interval = interval;
  }

  /** Bytes held by automatic snapshots (RAM pages shared with named snapshots are counted once, here). */
  get bytes(): number {
    return this.snapshotter.images.bytes + this.list.length * STATE_COST;
  }

  /** The icount at which the next automatic snapshot is due, after `icount`. */
  nextDue(icount: number): number {
    const last = this.list.length > 0 ? this.list[this.list.length - 1].icount : -Infinity;
    if (last > icount) return Math.floor(icount / this.interval + 1) * this.interval; // back in history: already covered
    return Math.max(Math.floor(icount / this.interval + 1) * this.interval, last + this.interval);
  }

  /** Takes a snapshot now unless one already exists at this icount. */
  take(present: number): Snapshot {
    const s = this.snapshotter.capture();
    const i = this.indexAfter(s.icount);
    if (i > 0 && this.list[i - 1].icount === s.icount) { this.snapshotter.release(s); return this.list[i - 1]; }
    this.list.splice(i, 0, s);
    this.changes++;
    this.enforceBudget(present);
    return s;
  }

  /** The latest snapshot at or before `icount`. */
  nearest(icount: number): Snapshot | undefined {
    const i = this.indexAfter(icount);
    return i > 0 ? this.list[i - 1] : undefined;
  }

  private indexAfter(icount: number): number {
    let lo = 0, hi = this.list.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.list[mid].icount <= icount) lo = mid + 1; else hi = mid; }
    return lo;
  }

  private enforceBudget(present: number): void {
    while (this.bytes > this.budgetBytes && this.list.length > 2) {
      // Keep the first (the start of history) and the last (the present).
      let best = 1;
      let bestScore = Infinity;
      for (let i = 1; i < this.list.length - 1; i++) {
        const hole = this.list[i + 1].icount - this.list[i - 1].icount;
        const score = hole / (present - this.list[i].icount + 1);
        if (score < bestScore) { bestScore = score; best = i; }
      }
      this.snapshotter.release(this.list[best]);
      this.list.splice(best, 1);
      this.changes++;
      this.dropped++;
      this.droppedAtThisInterval++;
    }
    if (this.droppedAtThisInterval > this.list.length) {
      this.interval *= 2;
      this.droppedAtThisInterval = 0;
    }
  }

  clear(): void {
    for (const s of this.list) this.snapshotter.release(s);
    this.list.length = 0;
    this.changes++;
  }
}
