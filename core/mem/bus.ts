// The physical address space: RAM plus memory-mapped devices, dispatched by address range.
// The hart's aligned RAM accesses never come here (they use Ram's views directly); this is the
// slow path for MMIO, ROM, misaligned accesses and bulk copies (ELF loading, semihosting).
import { Ram } from './ram';

/** A memory-mapped device. Offsets are relative to `base`; sizes are 1, 2 or 4 bytes. */
export interface MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  /** Returns the value read, zero-extended to `size` bytes; undefined for an access the device refuses (access fault). */
  read(offset: number, size: number): number | undefined;
  /** Returns false for an access the device refuses (access fault). */
  write(offset: number, size: number, value: number): boolean;
}

/** Raised by bulk accesses (loaders, semihosting) that touch an address nothing answers. */
export class BusError extends Error {
  constructor(readonly addr: number, what: string) {
    super(`${what} at unmapped address 0x${(addr >>> 0).toString(16).padStart(8, '0')}`);
  }
}

export class Bus {
  readonly devices: MmioDevice[] = [];

  constructor(readonly ram: Ram) {}

  addDevice(dev: MmioDevice): void {
    for (const d of this.devices) {
      if (dev.base < d.base + d.size && d.base < dev.base + dev.size) throw new Error(`device ${dev.name} overlaps ${d.name}`);
    }
    this.devices.push(dev);
  }

  findDevice(addr: number): MmioDevice | undefined {
    addr >>>= 0;
    for (const d of this.devices) if (addr - d.base >>> 0 < d.size) return d;
    return undefined;
  }

  /** True when a `size`-byte access at `addr` lies wholly in RAM. */
  inRam(addr: number, size: number): boolean {
    const off = (addr - this.ram.base) >>> 0;
    return off < this.ram.size && off + size <= this.ram.size;
  }

  /** Reads `size` bytes little-endian; undefined when no RAM or device answers (access fault). */
  read(addr: number, size: number): number | undefined {
    addr >>>= 0;
    if (this.inRam(addr, size)) {
      const u8 = this.ram.u8;
      const off = addr - this.ram.base;
      if (size === 1) return u8[off];
      if (size === 2) return u8[off] | (u8[off + 1] << 8);
      return (u8[off] | (u8[off + 1] << 8) | (u8[off + 2] << 16) | (u8[off + 3] << 24)) >>> 0;
    }
    const d = this.findDevice(addr);
    if (d === undefined || addr - d.base + size > d.size) return undefined;
    return d.read(addr - d.base, size);
  }

  /** Writes `size` bytes little-endian; false when no RAM or device answers (access fault). */
  write(addr: number, size: number, value: number): boolean {
    addr >>>= 0;
    if (this.inRam(addr, size)) {
      const u8 = this.ram.u8;
      const off = addr - this.ram.base;
      u8[off] = value;
      if (size > 1) u8[off + 1] = value >>> 8;
      if (size > 2) { u8[off + 2] = value >>> 16; u8[off + 3] = value >>> 24; }
      this.ram.touchRange(off, size);
      return true;
    }
    const d = this.findDevice(addr);
    if (d === undefined || addr - d.base + size > d.size) return false;
    return d.write(addr - d.base, size, value >>> 0);
  }

  /** Copies guest memory out; throws BusError naming the first unmapped byte. */
  readBytes(addr: number, len: number): Uint8Array {
    addr >>>= 0;
    if (this.inRam(addr, len)) {
      const off = addr - this.ram.base;
      return this.ram.u8.slice(off, off + len);
    }
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const v = this.read(addr + i, 1);
      if (v === undefined) throw new BusError(addr + i, 'read');
      out[i] = v;
    }
    return out;
  }

  /** Copies into guest memory; throws BusError naming the first unmapped byte. */
  writeBytes(addr: number, data: Uint8Array): void {
    addr >>>= 0;
    if (this.inRam(addr, data.length)) {
      const off = addr - this.ram.base;
      this.ram.u8.set(data, off);
      this.ram.touchRange(off, data.length);
      return;
    }
    for (let i = 0; i < data.length; i++) {
      if (!this.write(addr + i, 1, data[i])) throw new BusError(addr + i, 'write');
    }
  }

  /** Reads a NUL-terminated string of at most `max` bytes (semihosting file names, etc.). */
  readCString(addr: number, max = 4096): string {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const v = this.read(addr + i, 1);
      if (v === undefined) throw new BusError(addr + i, 'read');
      if (v === 0) return Buffer.from(bytes).toString('latin1');
      bytes.push(v);
    }
    throw new Error(`string at 0x${(addr >>> 0).toString(16)} is not terminated within ${max} bytes`);
  }
}
