// SiFive PLIC at 0x0c000000 as on QEMU's virt board (one hart: context 0 is its M-mode, context
// 1 its S-mode): per-source priorities, pending bits, per-context enables, thresholds, and
// claim/complete. Sources are level-triggered (the UART holds its line while it wants service);
// a claimed source is not pending again until completed. Drives the hart's MEIP.
import type { MmioDevice } from '../mem/bus';

export const PLIC_BASE = 0x0c000000;
export const PLIC_SIZE = 0x600000;
/** QEMU virt's interrupt sources (VIRT_IRQCHIP_NUM_SOURCES) and the ones rvreplay drives. */
export const PLIC_SOURCES = 96;
export const UART0_IRQ = 10;
export const RTC_IRQ = 11;
const CONTEXTS = 2;

export interface PlicState { priority: number[]; level: number[]; claimed: number[]; enable: number[][]; threshold: number[] }

export class Plic implements MmioDevice {
  readonly name = 'plic';
  readonly base = PLIC_BASE;
  readonly size = PLIC_SIZE;
  private priority = new Array<number>(PLIC_SOURCES).fill(0);
  /** Input line levels (index = source id). */
  private level = new Array<number>(PLIC_SOURCES).fill(0);
  private claimed = new Array<number>(PLIC_SOURCES).fill(0);
  private enable: number[][] = Array.from({ length: CONTEXTS }, () => new Array<number>(PLIC_SOURCES / 32).fill(0));
  private threshold = new Array<number>(CONTEXTS).fill(0);

  /** `setMeip(level)`: context 0's output, the hart's machine external interrupt. */
  constructor(private readonly setMeip: (level: boolean) => void) {}

  reset(): void {
    this.restore({ priority: new Array(PLIC_SOURCES).fill(0), level: [...this.level], claimed: new Array(PLIC_SOURCES).fill(0), enable: Array.from({ length: CONTEXTS }, () => new Array(PLIC_SOURCES / 32).fill(0)), threshold: new Array(CONTEXTS).fill(0) });
  }

  /** A device's interrupt line changed. */
  setLevel(source: number, high: boolean): void {
    this.level[source] = high ? 1 : 0;
    this.update();
  }

  private pending(s: number): boolean {
    return this.level[s] === 1 && this.claimed[s] === 0;
  }

  /** The highest-priority pending source enabled for `ctx` above its threshold (lowest id wins ties), or 0. */
  private best(ctx: number): number {
    let best = 0, bestPrio = this.threshold[ctx];
    for (let s = 1; s < PLIC_SOURCES; s++) {
      if (!this.pending(s) || ((this.enable[ctx][s >>> 5] >>> (s & 31)) & 1) === 0) continue;
      if (this.priority[s] > bestPrio) { best = s; bestPrio = this.priority[s]; }
    }
    return best;
  }

  private update(): void {
    this.setMeip(this.best(0) !== 0);
  }

  read(off: number, size: number): number | undefined {
    if (size !== 4) return undefined;
    if (off < 0x1000) return (off >>> 2) < PLIC_SOURCES ? this.priority[off >>> 2] : 0;
    if (off < 0x2000) {
      const word = (off - 0x1000) >>> 2;
      let v = 0;
      for (let b = 0; b < 32; b++) if (word * 32 + b < PLIC_SOURCES && this.pending(word * 32 + b)) v |= 1 << b;
      return v >>> 0;
    }
    if (off < 0x200000) {
      const ctx = (off - 0x2000) >>> 7, word = ((off - 0x2000) & 0x7f) >>> 2;
      return ctx < CONTEXTS && word < this.enable[ctx].length ? this.enable[ctx][word] >>> 0 : 0;
    }
    const ctx = (off - 0x200000) >>> 12, reg = off & 0xfff;
    if (ctx >= CONTEXTS) return 0;
    if (reg === 0) return this.threshold[ctx];
    if (reg === 4) { // claim
      const s = this.best(ctx);
      if (s !== 0) { this.claimed[s] = 1; this.update(); }
      return s;
    }
    return 0;
  }

  write(off: number, size: number, v: number): boolean {
    if (size !== 4) return false;
    if (off < 0x1000) {
      if ((off >>> 2) < PLIC_SOURCES && off >= 4) this.priority[off >>> 2] = v & 7;
    } else if (off < 0x2000) {
      // pending bits are read-only
    } else if (off < 0x200000) {
      const ctx = (off - 0x2000) >>> 7, word = ((off - 0x2000) & 0x7f) >>> 2;
      if (ctx < CONTEXTS && word < this.enable[ctx].length) this.enable[ctx][word] = word === 0 ? v & ~1 : v; // source 0 does not exist
    } else {
      const ctx = (off - 0x200000) >>> 12, reg = off & 0xfff;
      if (ctx < CONTEXTS && reg === 0) this.threshold[ctx] = v & 7;
      if (ctx < CONTEXTS && reg === 4 && v > 0 && v < PLIC_SOURCES) this.claimed[v] = 0; // complete
    }
    this.update();
    return true;
  }

  save(): PlicState {
    return { priority: [...this.priority], level: [...this.level], claimed: [...this.claimed], enable: this.enable.map((e) => [...e]), threshold: [...this.threshold] };
  }

  restore(s: PlicState): void {
    this.priority = [...s.priority]; this.level = [...s.level]; this.claimed = [...s.claimed];
    this.enable = s.enable.map((e) => [...e]); this.threshold = [...s.threshold];
    this.update();
  }
}
