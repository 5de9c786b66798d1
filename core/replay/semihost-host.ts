// The host side of semihosting: host files, wall time and elapsed time, behind one interface so
// that record/replay can wrap it and log every answer. Every method takes and returns plain data
// (numbers, strings, Uint8Array, null) — no callbacks, no streams — so a log entry is just the
// arguments and the result. This file is the only place that touches host files for the guest.
//
// The guest-visible protocol (handle table, console, ":semihosting-features", argument blocks)
// lives in core/devices/semihosting.ts; this side only ever sees ordinary file names.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import { HostClock } from './host-clock';

/**
 * errno values as the guest's C library (newlib / picolibc) numbers them. QEMU hands its host's
 * errno to the guest unchanged; on a Linux host that agrees with newlib for every value below 35,
 * which covers what file semihosting produces in practice. The few above differ on Linux
 * (ENOSYS 38, ENOTEMPTY 39, ENAMETOOLONG 36, ELOOP 40, EOVERFLOW 75): we give the guest's numbers,
 * so its strerror() names them right.
 */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  ENOSYS: 88,
  ENOTEMPTY: 90,
  ENAMETOOLONG: 91,
  ELOOP: 92,
  EOVERFLOW: 139,
} as const;

/**
 * Every host-dependent answer semihosting needs. Handles are host-side numbers (>= 0) that only
 * this interface interprets; the guest sees its own handle numbers, mapped by the protocol layer.
 * A method that fails returns -1 (or null for read) and `errno()` then tells why.
 */
export interface SemihostHost {
  /**
   * Opens a guest-named file. `mode` is SYS_OPEN's ISO C fopen mode index 0..11
   * (r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b). Returns a handle >= 0, or -1.
   */
  open(name: string, mode: number): number;
  /** 0, or -1. */
  close(handle: number): number;
  /** Up to `length` bytes from the handle's position (fewer at end of file, none at EOF), or null. */
  read(handle: number, length: number): Uint8Array | null;
  /** Bytes written, or -1. */
  write(handle: number, data: Uint8Array): number;
  /** Moves the handle's position to `pos` bytes from the start: 0, or -1. */
  seek(handle: number, pos: number): number;
  /** The file's length in bytes, or -1. */
  flen(handle: number): number;
  /** 1 for a terminal; 0 when not (errno() is then ENOTTY); -1 on other errors. */
  istty(handle: number): number;
  /** 0, or -1. */
  remove(name: string): number;
  /** 0, or -1. */
  rename(from: string, to: string): number;
  /** Seconds since the Unix epoch (SYS_TIME). */
  time(): number;
  /** Centiseconds since the machine started (SYS_CLOCK). */
  clock(): number;
  /** Nanoseconds since the machine started (SYS_ELAPSED, whose tick is 1 ns as in QEMU). */
  elapsedNs(): number;
  /** The guest errno of the last call that failed. */
  errno(): number;
}

/** fopen mode index → open(2) flags, as QEMU's gdb_open_modeflags table (plus O_APPEND: see open). */
function openFlags(mode: number): number {
  const c = fs.constants;
  const rw = (mode & 2) !== 0; // the '+' variants
  if (mode < 4) return rw ? c.O_RDWR : c.O_RDONLY;
  const base = (rw ? c.O_RDWR : c.O_WRONLY) | c.O_CREAT;
  return mode < 8 ? base | c.O_TRUNC : base | c.O_APPEND;
}

function errnoOf(e: unknown): number {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && code in Errno) return Errno[code as keyof typeof Errno];
  return Errno.EIO;
}

/** Raised inside HostSemihost to fail a call with a given errno. */
class HostError extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

interface OpenFile {
  fd: number;
  /** Node has no lseek, so each handle keeps its own position and uses positional I/O. */
  pos: number;
  append: boolean;
}

/** True when `p` is `root` or lies below it (both absolute and normalized). */
function within(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Real host files, confined to one directory. Guest names are relative to the root; absolute
 * names, `..` that climbs out and symlinks that lead out are refused with EACCES, as a real file
 * system refuses a path it may not enter. (QEMU itself confines nothing: the guest gets QEMU's
 * working directory and every absolute path.)
 */
export class HostSemihost implements SemihostHost {
  /** The root's real path: confinement is checked against fully resolved paths. */
  readonly root: string;
  private readonly files = new Map<number, OpenFile>();
  private nextHandle = 0;
  private lastErrno = 0;
  private readonly startNs: bigint;

  /** `root` is the directory guest file names are relative to; the CLI defaults it to the program's directory. */
  constructor(root: string, private readonly clockSource: HostClock = new HostClock()) {
    this.root = fs.realpathSync(root);
    if (!fs.statSync(this.root).isDirectory()) throw new Error(`semihosting root ${root} is not a directory`);
    this.startNs = clockSource.monotonicNs();
  }

  open(name: string, mode: number): number {
    return this.guard(() => {
      if (!Number.isInteger(mode) || mode < 0 || mode > 11) throw new HostError(Errno.EINVAL);
      const real = this.resolve(name);
      const flags = openFlags(mode) | (fs.constants.O_NOFOLLOW ?? 0);
      const fd = fs.openSync(real, flags, 0o644);
      const handle = this.nextHandle++;
      this.files.set(handle, { fd, pos: 0, append: mode >= 8 });
      return handle;
    }, -1);
  }

  close(handle: number): number {
    return this.guard(() => {
      const f = this.file(handle);
      this.files.delete(handle);
      fs.closeSync(f.fd);
      return 0;
    }, -1);
  }

  read(handle: number, length: number): Uint8Array | null {
    return this.guard<Uint8Array | null>(() => {
      const f = this.file(handle);
      const buf = new Uint8Array(length);
      const n = length === 0 ? 0 : fs.readSync(f.fd, buf, 0, length, f.pos);
      f.pos += n;
      return n === length ? buf : buf.slice(0, n);
    }, null);
  }

  write(handle: number, data: Uint8Array): number {
    return this.guard(() => {
      const f = this.file(handle);
      if (data.length === 0) return 0;
      if (f.append) {
        // O_APPEND writes at the end whatever the position; the position follows the file's end.
        const n = fs.writeSync(f.fd, data, 0, data.length, null);
        f.pos = fs.fstatSync(f.fd).size;
        return n;
      }
      const n = fs.writeSync(f.fd, data, 0, data.length, f.pos);
      f.pos += n;
      return n;
    }, -1);
  }

  seek(handle: number, pos: number): number {
    return this.guard(() => {
      const f = this.file(handle);
      if (!Number.isSafeInteger(pos) || pos < 0) throw new HostError(Errno.EINVAL);
      f.pos = pos;
      return 0;
    }, -1);
  }

  flen(handle: number): number {
    return this.guard(() => fs.fstatSync(this.file(handle).fd).size, -1);
  }

  istty(handle: number): number {
    return this.guard(() => {
      if (isatty(this.file(handle).fd)) return 1;
      this.lastErrno = Errno.ENOTTY;
      return 0;
    }, -1);
  }

  remove(name: string): number {
    return this.guard(() => {
      const real = this.resolveEntry(name);
      // remove(3) removes files and empty directories alike.
      if (fs.lstatSync(real).isDirectory()) fs.rmdirSync(real);
      else fs.unlinkSync(real);
      return 0;
    }, -1);
  }

  rename(from: string, to: string): number {
    return this.guard(() => {
      fs.renameSync(this.resolveEntry(from), this.resolveEntry(to));
      return 0;
    }, -1);
  }

  time(): number {
    return Number(this.clockSource.wallNs() / 1_000_000_000n);
  }

  clock(): number {
    return Number((this.clockSource.monotonicNs() - this.startNs) / 10_000_000n);
  }

  elapsedNs(): number {
    return Number(this.clockSource.monotonicNs() - this.startNs);
  }

  errno(): number {
    return this.lastErrno;
  }

  /** Closes every file the guest left open (at the end of a run). */
  dispose(): void {
    for (const f of this.files.values()) {
      try {
        fs.closeSync(f.fd);
      } catch {
        // Already gone: nothing left to release.
      }
    }
    this.files.clear();
  }

  private guard<T>(fn: () => T, failed: T): T {
    try {
      return fn();
    } catch (e) {
      this.lastErrno = e instanceof HostError ? e.errno : errnoOf(e);
      return failed;
    }
  }

  private file(handle: number): OpenFile {
    const f = this.files.get(handle);
    if (f === undefined) throw new HostError(Errno.EBADF);
    return f;
  }

  /**
   * Maps a guest name to a real host path inside the root, or throws. Symlinks are resolved
   * here (also a dangling last component, which open(O_CREAT) would otherwise follow out of the
   * root), so the path handed to fs has none left to escape through; the open adds O_NOFOLLOW
   * so a link planted after this check is refused rather than followed.
   */
  private resolve(name: string): string {
    const real = this.realLocation(this.lexical(name), 0);
    if (!within(this.root, real)) throw new HostError(Errno.EACCES);
    return real;
  }

  /**
   * Like resolve, but the last component is the directory entry itself, not what a symlink
   * there points to: remove and rename act on the link, as unlink(2) and rename(2) do.
   */
  private resolveEntry(name: string): string {
    const full = this.lexical(name);
    const parent = this.realLocation(path.dirname(full), 0);
    const entry = path.join(parent, path.basename(full));
    // The root itself is no entry of the root: refusing it keeps `remove(".")` away from it.
    if (!within(this.root, parent) || entry === this.root) throw new HostError(Errno.EACCES);
    return entry;
  }

  /** The absolute path a relative guest name means, refusing absolute names and `..` escapes. */
  private lexical(name: string): string {
    if (name === '') throw new HostError(Errno.ENOENT);
    if (name.includes('\0')) throw new HostError(Errno.EINVAL);
    if (path.isAbsolute(name) || path.win32.isAbsolute(name)) throw new HostError(Errno.EACCES);
    const full = path.resolve(this.root, name);
    if (!within(this.root, full)) throw new HostError(Errno.EACCES);
    return full;
  }

  /**
   * Where `p` really is: realpath for an existing file, else the real parent plus the last name.
   * `hops` counts dangling symlinks followed, to stop a loop of them as the kernel would.
   */
  private realLocation(p: string, hops: number): string {
    if (hops > 40) throw new HostError(Errno.ELOOP);
    try {
      return fs.realpathSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (st?.isSymbolicLink()) {
      // A dangling link: where it points is where a create would land.
      return this.realLocation(path.resolve(path.dirname(p), fs.readlinkSync(p)), hops + 1);
    }
    const parent = path.dirname(p);
    if (parent === p) return p;
    return path.join(this.realLocation(parent, hops), path.basename(p));
  }
}
