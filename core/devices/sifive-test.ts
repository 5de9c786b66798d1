// sifive_test finisher at 0x00100000: a guest writes 0x5555 (pass), (code << 16) | 0x3333 (fail
// with an exit code) or 0x7777 (reset).
import type { MmioDevice } from '../mem/bus';

export const SIFIVE_TEST_BASE = 0x00100000;

export class SifiveTest implements MmioDevice {
  readonly name = 'sifive_test';
  readonly base = SIFIVE_TEST_BASE;
  readonly size = 0x1000;

  constructor(private readonly onExit: (code: number) => void, private readonly onReset: () => void) {}

  read(_off: number, size: number): number | undefined {
    return size === 1 ? undefined : 0;
  }

  write(off: number, size: number, v: number): boolean {
    if (size === 1) return false; // QEMU's finisher takes 16/32-bit accesses only
    if (off !== 0) return true;
    const status = v & 0xffff;
    if (status === 0x5555) this.onExit(0);
    else if (status === 0x3333) this.onExit(v >>> 16);
    else if (status === 0x7777) this.onReset();
    return true;
  }
}
