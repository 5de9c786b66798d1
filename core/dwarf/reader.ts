// Bounds-checked little-endian reading of DWARF sections.
//
// Debug sections come from whatever file the user opened, so every read is checked, and the only
// exception this layer throws is DwarfError: one line naming the file, the section and the byte
// offset, because the adapter shows it verbatim in a VS Code notification.

export class DwarfError extends Error {
  override name = 'DwarfError';
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

export class Reader {
  pos: number;

  /**
   * `where` names the section for messages (e.g. "prog.elf: .debug_info"); `base` is the section
   * offset of bytes[0] when the reader covers only part of a section, so messages give section
   * offsets that match readelf's.
   */
  constructor(readonly where: string, readonly bytes: Uint8Array, pos = 0, readonly base = 0) {
    this.pos = pos;
  }

  fail(msg: string, at = this.pos): never {
    throw new DwarfError(`${this.where} offset ${hex(this.base + at)}: ${msg}`);
  }

  get length(): number {
    return this.bytes.length;
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** The section offset of the current position. */
  get offset(): number {
    return this.base + this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) {
      this.fail(`reading ${n} byte(s) runs past the end of the data (${hex(this.base + this.bytes.length)})`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 2;
    return b[p] | (b[p + 1] << 8);
  }

  u24(): number {
    this.need(3);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** 64-bit value as a bigint (constants, where every bit can matter). */
  u64big(): bigint {
    const lo = this.u32();
    const hi = this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * 64-bit value as a number. Used for offsets and addresses: on RV32 anything above 2^53 is
   * garbage anyway, so it is reported rather than silently rounded.
   */
  u64(): number {
    const at = this.pos;
    const lo = this.u32();
    const hi = this.u32();
    if (hi >= 0x200000) this.fail(`64-bit value ${hex(hi)}_${lo.toString(16).padStart(8, '0')} is too large`, at);
    return hi * 0x1_0000_0000 + lo;
  }

  i8(): number {
    return (this.u8() << 24) >> 24;
  }

  i16(): number {
    return (this.u16() << 16) >> 16;
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** Unsigned LEB128 as a number; bits beyond 2^53 are an error (no real DWARF needs them here). */
  uleb(): number {
    const at = this.pos;
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
      if (mul > 2 ** 56) {
        // Keep reading (and checking bounds) only while the extra bytes add no value bits:
        // producers sometimes pad LEB128s with 0x80 bytes.
        while (this.u8() & 0x80) { /* skip padding */ }
        break;
      }
    }
    if (result > Number.MAX_SAFE_INTEGER) this.fail('LEB128 value too large', at);
    return result;
  }

  /** Signed LEB128 as a number. */
  sleb(): number {
    let result = 0;
    let mul = 1;
    let b: number;
    let shift = 0;
    do {
      b = this.u8();
      if (shift < 56) result += (b & 0x7f) * mul;
      mul *= 128;
      shift += 7;
    } while (b & 0x80);
    if (shift < 56 && (b & 0x40)) result -= mul;
    return result;
  }

  /** Unsigned LEB128 as a bigint, for constants of any size. */
  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      if (shift < 128n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return result;
    }
  }

  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.u8();
      if (shift < 128n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40 && shift <= 128n) result -= 1n << shift;
    return result;
  }

  /** An address of `size` bytes (4 on RV32; 2 and 8 are accepted for foreign producers). */
  addr(size: number): number {
    switch (size) {
      case 4: return this.u32();
      case 8: return this.u64();
      case 2: return this.u16();
      case 1: return this.u8();
      default: return this.fail(`unsupported address size ${size}`);
    }
  }

  /** A section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF. */
  offsetOf(is64: boolean): number {
    return is64 ? this.u64() : this.u32();
  }

  /** NUL-terminated UTF-8 string. */
  cstr(): string {
    const start = this.pos;
    const b = this.bytes;
    let p = start;
    while (p < b.length && b[p] !== 0) p++;
    if (p >= b.length) this.fail('string is not NUL-terminated', start);
    this.pos = p + 1;
    return decodeUtf8(b.subarray(start, p));
  }

  bytesN(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /**
   * Reads a unit's initial length (32-bit, or 0xffffffff then 64-bit) and returns a reader over
   * exactly that unit plus where the next unit starts.
   */
  unitLength(): { length: number; is64: boolean; start: number; end: number } {
    let length = this.u32();
    let is64 = false;
    if (length === 0xffffffff) {
      is64 = true;
      length = this.u64();
    } else if (length >= 0xfffffff0) {
      this.fail(`reserved unit length ${hex(length)}`, this.pos - 4);
    }
    const start = this.pos;
    if (length > this.bytes.length - start) {
      this.fail(`unit length ${hex(length)} runs past the end of the section (${hex(this.base + this.bytes.length)})`, start - (is64 ? 12 : 4));
    }
    return { length, is64, start, end: start + length };
  }

  /** A reader over [from, to) of the same bytes, keeping section offsets in messages. */
  slice(from: number, to: number): Reader {
    if (from < 0 || to > this.bytes.length || from > to) this.fail(`range [${hex(this.base + from)}, ${hex(this.base + to)}) is outside the data`);
    return new Reader(this.where, this.bytes.subarray(from, to), 0, this.base + from);
  }
}

const utf8 = new TextDecoder('utf-8');

/** Strings from the file end up in one-line messages and the UI: no control characters. */
export function decodeUtf8(b: Uint8Array): string {
  return utf8.decode(b);
}

export function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, '?');
}
