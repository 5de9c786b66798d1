// Goldfish RTC at 0x00101000: host wall-clock time in ns. Reading TIME_LOW samples the time
// (through the gate: it is a host input) and latches the high half for TIME_HIGH.
import type { MmioDevice } from '../mem/bus';

export const GOLDFISH_RTC_BASE = 0x00101000;
const TWO32 = 4294967296n;

export interface RtcState { offsetNs: string; latchedHigh: number; alarmLow: number; alarmHigh: number; irqEnabled: number; pendingHigh: number }

export class GoldfishRtc implements MmioDevice {
  readonly name = 'goldfish_rtc';
  readonly base = GOLDFISH_RTC_BASE;
  readonly size = 0x1000;
  /** Guest-set time minus host time (guests may set the clock). */
  private offsetNs = 0n;
  private latchedHigh = 0;
  private pendingHigh = 0;
  private alarmLow = 0;
  private alarmHigh = 0;
  private irqEnabled = 0;

  /** `hostNowNs` must be the gate's RTC input. */
  constructor(private readonly hostNowNs: () => bigint) {}

  private now(): bigint {
    return this.hostNowNs() + this.offsetNs;
  }

  read(off: number, size: number): number | undefined {
    if (size !== 4) return undefined;
    switch (off) {
      case 0x00: {
        const t = this.now();
        this.latchedHigh = Number((t / TWO32) & 0xffffffffn);
        return Number(t & 0xffffffffn);
      }
      case 0x04: return this.latchedHigh;
      case 0x08: return this.alarmLow;
      case 0x0c: return this.alarmHigh;
      case 0x10: return this.irqEnabled;
      case 0x18: return 0; // ALARM_STATUS: alarms are not implemented yet (they need the PLIC)
      default: return 0;
    }
  }

  write(off: number, size: number, v: number): boolean {
    if (size !== 4) return false;
    switch (off) {
      case 0x00: { // TIME_LOW: sets the clock to (pending high, v)
        const want = BigInt(this.pendingHigh) * TWO32 + BigInt(v >>> 0);
        this.offsetNs = want - this.hostNowNs();
        break;
      }
      case 0x04: this.pendingHigh = v >>> 0; break;
      case 0x08: this.alarmLow = v >>> 0; break;
      case 0x0c: this.alarmHigh = v >>> 0; break;
      case 0x10: this.irqEnabled = v & 1; break;
      default: break;
    }
    return true;
  }

  save(): RtcState {
    return { offsetNs: this.offsetNs.toString(), latchedHigh: this.latchedHigh, alarmLow: this.alarmLow, alarmHigh: this.alarmHigh, irqEnabled: this.irqEnabled, pendingHigh: this.pendingHigh };
  }
  restore(s: RtcState): void {
    this.offsetNs = BigInt(s.offsetNs); this.latchedHigh = s.latchedHigh; this.alarmLow = s.alarmLow;
    this.alarmHigh = s.alarmHigh; this.irqEnabled = s.irqEnabled; this.pendingHigh = s.pendingHigh;
  }
}
