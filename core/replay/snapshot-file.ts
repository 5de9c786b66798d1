// The named-snapshot file beside an rrfile (FILE.snapshots): QEMU keeps savevm snapshots in the
// disk image; rvreplay keeps them here, written atomically (temp file + rename) so a crash
// never leaves half a file. Like the rrfile it is host I/O, so it lives with the gate.
//
//   "RVSNAPS\n" | u16 version | u16 0 | u32 n | n bytes JSON | page data | u32 CRC-32 of all before
import * as fs from 'node:fs';
import { crc32 } from './crc32';
import { UserError } from '../errors';

const MAGIC = 'RVSNAPS\n';
const VERSION = 1;
const PAGE = 4096;

export interface StoredSnapshot {
  id: number;
  name: string;
  /** Host time when saved (informational, QEMU's DATE column). */
  dateMs: number;
  vmClockNs: number;
  icount: number;
  /** Machine state apart from RAM (JSON). */
  state: unknown;
  /** Non-zero RAM pages: page numbers, contents in `data` in the same order. */
  pages: number[];
  data?: Uint8Array[];
}

export interface SnapshotFile {
  /** The recording these snapshots belong to (rrfile recordingId). */
  recording: string;
  snapshots: StoredSnapshot[];
}

export class SnapshotFileError extends UserError {
  override readonly name = 'SnapshotFileError';
}

export function snapshotFileFor(rrfile: string): string {
  return `${rrfile}.snapshots`;
}

export function writeSnapshotFile(path: string, file: SnapshotFile): void {
  const meta = { recording: file.recording, snapshots: file.snapshots.map(({ data: _data, ...rest }) => rest) };
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const pageCount = file.snapshots.reduce((n, s) => n + s.pages.length, 0);
  const out = new Uint8Array(16 + json.length + pageCount * PAGE + 4);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  const dv = new DataView(out.buffer);
  dv.setUint16(8, VERSION, true);
  dv.setUint32(12, json.length, true);
  out.set(json, 16);
  let off = 16 + json.length;
  for (const s of file.snapshots) for (const d of s.data ?? []) { out.set(d, off); off += PAGE; }
  dv.setUint32(off, crc32(out, 0, off), true);
  const tmp = `${path}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, out);
  fs.renameSync(tmp, path);
}

/** Reads a snapshot file; undefined when there is none. Damage is a SnapshotFileError naming the file. */
export function readSnapshotFile(path: string): SnapshotFile | undefined {
  let b: Uint8Array;
  try {
    b = fs.readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SnapshotFileError(`cannot read snapshot file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const bad = (why: string): SnapshotFileError => new SnapshotFileError(`snapshot file ${path} is damaged: ${why}`);
  if (b.length < 20 || Buffer.from(b.subarray(0, 8)).toString('latin1') !== MAGIC) throw bad('no RVSNAPS magic at offset 0');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const stored = dv.getUint32(b.length - 4, true);
  const computed = crc32(b, 0, b.length - 4);
  if (stored !== computed) throw bad(`CRC mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)}; file cut or changed)`);
  if (dv.getUint16(8, true) !== VERSION) throw bad(`format version ${dv.getUint16(8, true)}, this rvreplay reads ${VERSION}`);
  const len = dv.getUint32(12, true);
  if (16 + len + 4 > b.length) throw bad(`index of ${len} bytes runs past the end`);
  let meta: SnapshotFile;
  try {
    meta = JSON.parse(Buffer.from(b.subarray(16, 16 + len)).toString('utf8')) as SnapshotFile;
  } catch {
    throw bad('index is not valid JSON');
  }
  if (!Array.isArray(meta.snapshots)) throw bad('index has no snapshot list');
  let off = 16 + len;
  for (const s of meta.snapshots) {
    if (!Array.isArray(s.pages) || typeof s.icount !== 'number' || typeof s.name !== 'string') throw bad(`snapshot entry ${JSON.stringify(s.name)} is incomplete`);
    s.data = [];
    for (let i = 0; i < s.pages.length; i++) {
      if (off + PAGE > b.length - 4) throw bad(`page data of snapshot ${s.name} runs past the end`);
      s.data.push(b.subarray(off, off + PAGE));
      off += PAGE;
    }
  }
  if (off !== b.length - 4) throw bad(`${b.length - 4 - off} bytes of unexplained data`);
  return meta;
}
