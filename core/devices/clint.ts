// SiFive CLINT (QEMU virt: ACLINT MSWI + MTIMER at 0x02000000): msip, mtimecmp and mtime at
// 10 MHz of virtual time. The timer interrupt is a level: MTIP = (mtime >= mtimecmp).
import type { MmioDevice } from '../mem/bus';
import type { VirtualClock } from '../machine/vclock';
import { MIP_MSIP, MIP_MTIP } from '../cpu/csr';

export const CLINT_BASE = 0x02000000;
export const MTIME_HZ = 10_000_000;
const NS_PER_TICK = 1e9 / MTIME_HZ;
const TWO32 = 4294967296;

export interface ClintState { msip: number; cmpLo: number; cmpHi: number; mtimeOffset: number }

export class Clint implements MmioDevice {
  readonly name = 'clint';
  readonly base = CLINT_BASE;
  readonly size = 0x10000;
  private msip = 0;
  /** mtimecmp as its two 32-bit halves, exactly as written (a number could not hold all 64 bits). */
  private cmpLo = 0;
  private cmpHi = 0;
  /** mtime = vclock ticks + this (guests may write mtime). */
  private mtimeOffset = 0;

  constructor(private readonly clock: VirtualClock, private readonly setIrq: (mask: number, level: boolean) => void) {}

  reset(): void {
    // As QEMU: mtime and mtimecmp reset to 0, so MTIP is pending (but masked) from the start.
    this.msip = 0;
    this.cmpLo = 0;
    this.cmpHi = 0;
    this.mtimeOffset = 0;
    this.update();
  }

  /** mtimecmp as a number: exact below 2^53, and beyond that only ever means "far future". */
  private get mtimecmp(): number {
    return this.cmpHi * TWO32 + this.cmpLo;
  }

  mtime(): number {
    return Math.floor(this.clock.nowNs() / NS_PER_TICK) + this.mtimeOffset;
  }

  /** Recomputes MSIP/MTIP; called after MMIO writes and whenever the machine syncs devices. */
  update(): void {
    this.setIrq(MIP_MSIP, this.msip !== 0);
    this.setIrq(MIP_MTIP, this.mtime() >= this.mtimecmp);
  }

  /** The icount at which MTIP will rise, or Infinity when it is already up or never will without a write. */
  deadlineIcount(): number {
    if (this.mtime() >= this.mtimecmp) return Infinity;
    return this.clock.icountAt(this.deadlineNs());
  }

  /** Virtual time (ns) at which mtime reaches mtimecmp. */
  deadlineNs(): number {
    return (this.mtimecmp - this.mtimeOffset) * NS_PER_TICK;
  }

  /** True when a timer interrupt is still to come (used to decide whether a wfi can ever end). */
  armed(): boolean {
    return this.mtimecmp < 2 ** 63 && this.mtime() < this.mtimecmp;
  }

  read(off: number, size: number): number | undefined {
    if (size !== 4) return undefined; // the ACLINT only takes 32/64-bit accesses
    if (off === 0) return this.msip;
    if (off === 0x4000) return this.cmpLo;
    if (off === 0x4004) return this.cmpHi;
    if (off === 0xbff8) return (this.mtime() % TWO32) >>> 0;
    if (off === 0xbffc) return Math.floor(this.mtime() / TWO32) >>> 0;
    return 0;
  }

  write(off: number, size: number, v: number): boolean {
    if (size !== 4) return false;
    if (off === 0) this.msip = v & 1;
    else if (off === 0x4000) this.cmpLo = v >>> 0;
    else if (off === 0x4004) this.cmpHi = v >>> 0;
    else if (off === 0xbff8 || off === 0xbffc) {
      const t = this.mtime();
      const nt = off === 0xbff8 ? Math.floor(t / TWO32) * TWO32 + v : v * TWO32 + (t % TWO32);
      this.mtimeOffset += nt - t;
    }
    this.update();
    return true;
  }

  save(): ClintState { return { msip: this.msip, cmpLo: this.cmpLo, cmpHi: this.cmpHi, mtimeOffset: this.mtimeOffset }; }
  restore(s: ClintState): void { this.msip = s.msip; this.cmpLo = s.cmpLo; this.cmpHi = s.cmpHi; this.mtimeOffset = s.mtimeOffset; this.update(); }
}
