import { UserError } from '../errors';

// Virtual time, derived from the icount so that it is the same on every run:
//   vclock_ns = (icount << shift) + warp
// `warp` grows only when the hart idles (wfi) and the clock jumps to the next timer deadline,
// which is itself a function of guest state, hence deterministic.
export class VirtualClock {
  warpNs = 0;
  private readonly nsPerInsn: number;

  constructor(readonly shift: number, private readonly icount: () => number) {
    if (!Number.isInteger(shift) || shift < 0 || shift > 10) throw new UserError(`icount shift must be an integer 0..10, got ${shift}`);
    this.nsPerInsn = 2 ** shift;
  }

  nowNs(): number {
    return this.icount() * this.nsPerInsn + this.warpNs;
  }

  /** The first icount at which the clock reads at least `ns` (assuming no further warp). */
  icountAt(ns: number): number {
    return Math.max(0, Math.ceil((ns - this.warpNs) / this.nsPerInsn));
  }

  /** Jumps the clock forward to `ns` (no-op if it is already there). */
  warpTo(ns: number): void {
    const now = this.nowNs();
    if (ns > now) this.warpNs += ns - now;
  }
}
