// A read-only memory region (QEMU virt's MROM at 0x1000 holding the reset vector). Writes are
// ignored, as QEMU does for ROM.
import type { MmioDevice } from '../mem/bus';

export class Rom implements MmioDevice {
  constructor(readonly name: string, readonly base: number, readonly size: number, private readonly data: Uint8Array) {}

  read(off: number, size: number): number | undefined {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | (off + i < this.data.length ? this.data[off + i] : 0);
    return v >>> 0;
  }

  write(): boolean {
    return true;
  }
}
