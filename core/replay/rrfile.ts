// The rrfile: the log of every non-deterministic input of a recording (docs/rrfile.md).
//
//   header: "RVREPLAY" | u16 version | u16 0 | u32 n | n bytes of JSON config | u32 CRC-32
//   frame:  u8 kind | varint icount delta | varint payload length | payload | u32 digest | u32 CRC-32
//
// The writer only appends, and flushes at least every FLUSH_MS, so a killed recorder loses at
// most that much input; the reader stops at the first frame that is cut or fails its CRC and
// says where.
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { crc32 } from './crc32';
import { EVENT_NAMES } from './events';
import { UserError } from '../errors';

export const MAGIC = 'RVREPLAY';
export const FORMAT_VERSION = 1;
const HEADER_FIXED = 16;
/** A frame is never longer than this; anything claiming more is damage, not data. */
const MAX_PAYLOAD = 16 * 1024 * 1024;
export const FLUSH_MS = 50;

/** What identifies the machine a recording belongs to: replay refuses any other. */
export interface MachineIdentity {
  elf: { name: string; size: number; sha256: string };
  ramMiB: number;
  icountShift: number;
  devices: string[];
  semihosting: { cmdline: string } | null;
}

export interface RecordingConfig extends MachineIdentity {
  /** sha256 over the identity fields, to compare machines at a glance. */
  configHash: string;
  /** A DIGEST frame is written every this many instructions. */
  digestInterval: number;
  /** Informational. */
  recordedAt: string;
  recorder: string;
}

/** Names one recording (machine and moment), to tie its snapshot file to it. */
export function recordingId(c: RecordingConfig): string {
  return `${c.configHash}@${c.recordedAt}`;
}

export function identityHash(id: MachineIdentity): string {
  const canon = JSON.stringify([id.elf.sha256, id.ramMiB, id.icountShift, id.devices, id.semihosting]);
  return createHash('sha256').update(canon).digest('hex');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bad rrfile, named with its path and where in it. One line. */
export class RrFileError extends UserError {
  override readonly name = 'RrFileError';
}

export interface Frame {
  kind: number;
  icount: number;
  payload: Uint8Array;
  digest: number;
  /** Byte offset of the frame in the file, and its index (0 = first frame after the header). */
  offset: number;
  index: number;
}

// ---- writing ------------------------------------------------------------------------------

export class RrWriter {
  private chunks: Uint8Array[] = [];
  private pending = 0;
  private lastIcount = 0;
  private lastFlush = performance.now();
  private closed = false;
  frames = 0;
  bytesWritten = 0;

  private constructor(private readonly fd: number, readonly path: string) {}

  /** Creates the file; refuses to replace an existing one unless `overwrite`. */
  static create(path: string, config: RecordingConfig, overwrite: boolean): RrWriter {
    let fd: number;
    try {
      fd = fs.openSync(path, overwrite ? 'w' : 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new RrFileError(`${path} already exists; pass --force (rrfileOverwrite) to overwrite it`);
      throw new RrFileError(`cannot create ${path}: ${code ?? String(e)}`);
    }
    const w = new RrWriter(fd, path);
    w.push(encodeHeader(config));
    w.flush();
    return w;
  }

  /** Where a reader of the finished file would be now: a snapshot taken while recording can be
   *  loaded by a replay of this file. */
  position(): ReaderPosition {
    return { pos: this.bytesWritten + this.pending, icount: this.lastIcount, index: this.frames };
  }

  append(kind: number, icount: number, payload: Uint8Array, digest: number): void {
    if (this.closed) throw new Error('rrfile already closed');
    const delta = icount - this.lastIcount;
    if (delta < 0) throw new Error(`rrfile events out of order: icount ${icount} after ${this.lastIcount}`);
    this.lastIcount = icount;
    const head: number[] = [kind];
    pushVarint(head, delta);
    pushVarint(head, payload.length);
    const frame = new Uint8Array(head.length + payload.length + 8);
    frame.set(head, 0);
    frame.set(payload, head.length);
    const dv = new DataView(frame.buffer);
    dv.setUint32(head.length + payload.length, digest >>> 0, true);
    dv.setUint32(head.length + payload.length + 4, crc32(frame, 0, frame.length - 4), true);
    this.push(frame);
    this.frames++;
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.pending += bytes.length;
    if (this.pending > 1 << 16) this.flush();
  }

  /** Flushes when the last flush is older than FLUSH_MS; call it often (it is cheap). */
  flushIfDue(): void {
    if (this.pending > 0 && performance.now() - this.lastFlush >= FLUSH_MS) this.flush();
  }

  flush(): void {
    this.lastFlush = performance.now();
    if (this.pending === 0) return;
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    this.pending = 0;
    // writeSync hands the bytes to the kernel: they survive a kill -9 of this process.
    let off = 0;
    while (off < all.length) off += fs.writeSync(this.fd, all, off);
    this.bytesWritten += all.length;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    fs.closeSync(this.fd);
    this.closed = true;
  }
}

function encodeHeader(config: RecordingConfig): Uint8Array {
  const json = Buffer.from(JSON.stringify(config), 'utf8');
  const out = new Uint8Array(HEADER_FIXED + json.length + 4);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  const dv = new DataView(out.buffer);
  dv.setUint16(8, FORMAT_VERSION, true);
  dv.setUint16(10, 0, true);
  dv.setUint32(12, json.length, true);
  out.set(json, HEADER_FIXED);
  dv.setUint32(HEADER_FIXED + json.length, crc32(out, 0, HEADER_FIXED + json.length), true);
  return out;
}

function pushVarint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

// ---- reading ------------------------------------------------------------------------------

export interface ReaderPosition { pos: number; icount: number; index: number }

/** Where and why reading stopped before a clean end of file. */
export interface Damage { offset: number; index: number; message: string }

export class RrReader {
  readonly config: RecordingConfig;
  private pos: number;
  private icount = 0;
  private index = 0;
  /** Set when reading stopped at a cut or corrupt frame. */
  damage: Damage | undefined;

  private constructor(readonly path: string, private readonly bytes: Uint8Array, config: RecordingConfig, start: number) {
    this.config = config;
    this.pos = start;
  }

  static open(path: string): RrReader {
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(path);
    } catch (e) {
      throw new RrFileError(`cannot read rrfile ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return RrReader.fromBytes(path, bytes);
  }

  static fromBytes(path: string, bytes: Uint8Array): RrReader {
    if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) {
      throw new RrFileError(`${path} is not an rrfile (no RVREPLAY magic at offset 0)`);
    }
    if (bytes.length < HEADER_FIXED) throw new RrFileError(`${path}: header cut at offset ${bytes.length}`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = dv.getUint16(8, true);
    if (version !== FORMAT_VERSION) throw new RrFileError(`${path}: rrfile format version ${version}, this rvreplay reads version ${FORMAT_VERSION}`);
    const len = dv.getUint32(12, true);
    if (len > MAX_PAYLOAD || HEADER_FIXED + len + 4 > bytes.length) throw new RrFileError(`${path}: header cut or corrupt (config of ${len} bytes at offset ${HEADER_FIXED}, file has ${bytes.length})`);
    const stored = dv.getUint32(HEADER_FIXED + len, true);
    const computed = crc32(bytes, 0, HEADER_FIXED + len);
    if (stored !== computed) throw new RrFileError(`${path}: header CRC mismatch at offset ${HEADER_FIXED + len} (stored ${hex(stored)}, computed ${hex(computed)})`);
    let config: RecordingConfig;
    try {
      config = JSON.parse(Buffer.from(bytes.subarray(HEADER_FIXED, HEADER_FIXED + len)).toString('utf8')) as RecordingConfig;
    } catch {
      throw new RrFileError(`${path}: header config at offset ${HEADER_FIXED} is not valid JSON`);
    }
    if (typeof config !== 'object' || config === null || typeof config.elf?.sha256 !== 'string' || typeof config.digestInterval !== 'number') {
      throw new RrFileError(`${path}: header config at offset ${HEADER_FIXED} lacks required fields`);
    }
    return new RrReader(path, bytes, config, HEADER_FIXED + len + 4);
  }

  /** Reading position, for snapshots (a replay restored to a snapshot reads on from there). */
  save(): ReaderPosition {
    return { pos: this.pos, icount: this.icount, index: this.index };
  }

  restore(p: ReaderPosition): void {
    if (p.pos > this.bytes.length) throw new RrFileError(`${this.path}: snapshot refers to offset ${p.pos}, past the end of the recording`);
    this.pos = p.pos; this.icount = p.icount; this.index = p.index;
    this.damage = undefined;
  }

  /** Offset just past the last whole frame read. */
  get offset(): number {
    return this.pos;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** The next frame, or undefined at the end of the file or at damage (see `damage`). */
  next(): Frame | undefined {
    if (this.damage !== undefined || this.pos >= this.bytes.length) return undefined;
    const b = this.bytes;
    const start = this.pos;
    const cut = (what: string): undefined => {
      this.damage = { offset: start, index: this.index, message: `${this.path} is cut at offset ${b.length}, inside frame ${this.index} (which starts at offset ${start}; ${what})` };
      return undefined;
    };
    let p = start + 1;
    if (p > b.length) return cut('no kind byte');
    const kind = b[start];
    const d = readVarint(b, p);
    if (d === undefined) return cut('icount delta incomplete');
    p = d.next;
    const l = readVarint(b, p);
    if (l === undefined) return cut('length incomplete');
    p = l.next;
    if (l.value > MAX_PAYLOAD) return this.corrupt(start, `payload length ${l.value} is impossible`);
    if (p + l.value + 8 > b.length) {
      // A length field that points past the end may itself be corrupt; the CRC cannot tell.
      return cut(`needs ${p + l.value + 8 - start} bytes`);
    }
    const payloadEnd = p + l.value;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const stored = dv.getUint32(payloadEnd + 4, true);
    const computed = crc32(b, start, payloadEnd + 4);
    if (stored !== computed) return this.corrupt(start, `CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)})`);
    if (EVENT_NAMES[kind] === undefined) return this.corrupt(start, `unknown event kind ${kind}`);
    this.icount += d.value;
    const frame: Frame = { kind, icount: this.icount, payload: b.subarray(p, payloadEnd), digest: dv.getUint32(payloadEnd, true), offset: start, index: this.index };
    this.index++;
    this.pos = payloadEnd + 8;
    return frame;
  }

  /** The icount of the last whole frame (reads through the file; use a fresh reader). */
  lastIcount(): number {
    let last = 0;
    for (let f = this.next(); f !== undefined; f = this.next()) last = f.icount;
    return last;
  }

  private corrupt(offset: number, why: string): undefined {
    this.damage = { offset, index: this.index, message: `${this.path}: frame ${this.index} at offset ${offset} is corrupt: ${why}` };
    return undefined;
  }
}

function readVarint(b: Uint8Array, p: number): { value: number; next: number } | undefined {
  let v = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (p >= b.length) return undefined;
    const byte = b[p++];
    v += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value: v, next: p };
    scale *= 0x80;
  }
  return { value: Number.MAX_SAFE_INTEGER + 1, next: p }; // too long: reported as an impossible value
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/** Says which identity field differs between a recording and the machine about to replay it, or undefined. */
export function identityMismatch(rec: MachineIdentity, now: MachineIdentity): string | undefined {
  if (rec.elf.sha256 !== now.elf.sha256) return `it was recorded with another program (${rec.elf.name}, ${rec.elf.size} bytes, sha256 ${rec.elf.sha256.slice(0, 12)}…; this is ${now.elf.name}, ${now.elf.size} bytes, sha256 ${now.elf.sha256.slice(0, 12)}…)`;
  if (rec.ramMiB !== now.ramMiB) return `it was recorded with --ram ${rec.ramMiB}, not ${now.ramMiB}`;
  if (rec.icountShift !== now.icountShift) return `it was recorded with --icount-shift ${rec.icountShift}, not ${now.icountShift}`;
  if (JSON.stringify(rec.semihosting) !== JSON.stringify(now.semihosting)) {
    const s = (x: { cmdline: string } | null): string => (x === null ? 'semihosting off' : `semihosting on with command line ${JSON.stringify(x.cmdline)}`);
    return `it was recorded with ${s(rec.semihosting)}, this is ${s(now.semihosting)}`;
  }
  if (JSON.stringify(rec.devices) !== JSON.stringify(now.devices)) return `it was recorded with devices [${rec.devices.join(', ')}], this machine has [${now.devices.join(', ')}]`;
  return undefined;
}
