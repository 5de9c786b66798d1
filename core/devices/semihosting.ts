// RISC-V semihosting (the Arm "Angel" calls, as QEMU 7.2's semihosting/arm-compat-semi.c
// implements them for a 32-bit guest). The hart traps the magic `slli x0,x0,0x1f; ebreak;
// srai x0,x0,7` sequence and calls `call(a0, a1)`; the result goes back to a0.
//
// This file is the guest-visible protocol: argument blocks in guest memory, the guest's handle
// table, the console and the ":semihosting-features" file, errno. Whatever depends on the host
// (files, time) is asked of SemihostHost, and console bytes go through SemihostIo, so a replay
// that feeds the same answers gets the same guest state. Return values and errno follow QEMU,
// including its quirks (noted where they surprise).
import { Bus, BusError } from '../mem/bus';
import { Errno, type SemihostHost } from '../replay/semihost-host';

/** The call could not complete yet (no console input): the hart re-executes the ebreak later. */
export const SEMIHOST_RETRY: unique symbol = Symbol('SEMIHOST_RETRY');

export interface SemihostIo {
  /** Files, time, clock: host answers (through the gate). */
  host: SemihostHost;
  /** Console input (the gate supplies it; 'wait' = nothing typed yet). */
  readConsoleByte(): number | 'wait' | 'eof';
  /** Guest output for the user's console (WRITEC, WRITE0, WRITE to :tt stdout/stderr). */
  writeConsole(bytes: Uint8Array): void;
  /** SYS_EXIT / SYS_EXIT_EXTENDED: the machine stops with this exit code. */
  exit(code: number): void;
}

/** A span of RAM the loaded image occupies (ELF PT_LOAD segments at their physical address, memsz). */
export interface LoadedRegion {
  addr: number;
  size: number;
}

export interface SemihostOptions {
  /** What SYS_GET_CMDLINE returns; QEMU's is the -kernel file name, then -append's words. */
  cmdline: string;
  ramBase: number;
  ramSize: number;
  /**
   * Everything loaded into RAM, for SYS_HEAPINFO (see qemuHeapInfo). Without it the heap is
   * reported as all of RAM below QEMU's device-tree blob, program included.
   */
  loaded?: readonly LoadedRegion[];
}

export const SYS_OPEN = 0x01;
export const SYS_CLOSE = 0x02;
export const SYS_WRITEC = 0x03;
export const SYS_WRITE0 = 0x04;
export const SYS_WRITE = 0x05;
export const SYS_READ = 0x06;
export const SYS_READC = 0x07;
export const SYS_ISERROR = 0x08;
export const SYS_ISTTY = 0x09;
export const SYS_SEEK = 0x0a;
export const SYS_FLEN = 0x0c;
export const SYS_TMPNAM = 0x0d;
export const SYS_REMOVE = 0x0e;
export const SYS_RENAME = 0x0f;
export const SYS_CLOCK = 0x10;
export const SYS_TIME = 0x11;
export const SYS_SYSTEM = 0x12;
export const SYS_ERRNO = 0x13;
export const SYS_GET_CMDLINE = 0x15;
export const SYS_HEAPINFO = 0x16;
export const SYS_EXIT = 0x18;
export const SYS_EXIT_EXTENDED = 0x20;
export const SYS_ELAPSED = 0x30;
export const SYS_TICKFREQ = 0x31;

/** SYS_EXIT's reason for a normal exit; every other reason means exit status 1. */
export const ADP_Stopped_ApplicationExit = 0x20026;

/** What SYS_WRITEC and SYS_WRITE0 leave in a0 (QEMU: "no defined return value"). */
const DEAD = 0xdeadbeef | 0;

/**
 * ":semihosting-features": the magic "SHFB" and feature byte 0 with SH_EXT_EXIT_EXTENDED (bit 0)
 * and SH_EXT_STDOUT_STDERR (bit 1), exactly QEMU's featurefile_data.
 */
export const SEMIHOSTING_FEATURES: Readonly<Uint8Array> = new Uint8Array([0x53, 0x48, 0x46, 0x42, 0x03]);

/** Longest name a host open(2) takes; longer ones fail with ENAMETOOLONG there. */
const PATH_MAX = 4096;
const INT32_MAX = 0x7fffffff;
/** Bound on a guest string (QEMU has none; this only stops a scan through garbage). */
const STRING_MAX = 1 << 24;
const MiB = 1 << 20;
const utf8 = new TextDecoder();

/** The guest's view of one open handle. */
type GuestFile =
  | { kind: 'host'; handle: number }
  | { kind: 'console'; stream: 'stdin' | 'stdout' | 'stderr' }
  | { kind: 'features'; off: number };

interface SemihostState {
  files: (GuestFile | null)[];
  errno: number;
}

/** A guest pointer that does not lead to memory: the call fails with EFAULT. */
class GuestFault extends Error {}

/**
 * QEMU's SYS_HEAPINFO for a -kernel image on riscv `virt`: the largest stretch of RAM that no
 * loaded blob covers (rom_find_largest_gap_between). The blobs are the image's segments and the
 * device tree, which QEMU 7.2 puts 2 MiB-aligned just below the end of RAM (or 3 GiB). Heap base
 * and limit are that gap's ends; QEMU reports the stack as the same range, base and limit swapped.
 * For a picolibc program in 128 MiB this gives [end of .bss, 0x87e00000).
 */
export function qemuHeapInfo(ramBase: number, ramSize: number, loaded: readonly LoadedRegion[]): { heapBase: number; heapLimit: number } {
  const ramEnd = ramBase + ramSize;
  // The packed virt DT is ~4 KiB; only its start matters unless RAM is tiny.
  const fdtSize = 0x1100;
  const fdtTop = ramBase < 3072 * MiB ? Math.min(ramEnd, 3072 * MiB) : ramEnd;
  const fdtAddr = Math.floor((fdtTop - fdtSize) / (2 * MiB)) * 2 * MiB;
  const blobs = [...loaded, { addr: fdtAddr, size: fdtSize }]
    .map((r) => [Math.max(r.addr, ramBase), Math.min(r.addr + r.size, ramEnd)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let best = { heapBase: 0, heapLimit: 0 };
  let cursor = ramBase;
  for (const [s, e] of [...blobs, [ramEnd, ramEnd] as const]) {
    // Strictly larger, like QEMU: among equal gaps the lowest wins.
    if (s - cursor > best.heapLimit - best.heapBase) best = { heapBase: cursor, heapLimit: s };
    cursor = Math.max(cursor, e);
  }
  return best;
}

export class Semihosting {
  /** Index = guest handle. 0 is never handed out: SYS_OPEN's success value must be nonzero. */
  private files: (GuestFile | null)[] = [null];
  /** QEMU keeps one global errno, changed only by calls that report an error through it. */
  private errno = 0;
  private readonly cmdline: Uint8Array;
  private readonly heap: { heapBase: number; heapLimit: number };

  constructor(private readonly bus: Bus, private readonly io: SemihostIo, opts: SemihostOptions) {
    this.cmdline = new TextEncoder().encode(opts.cmdline);
    this.heap = qemuHeapInfo(opts.ramBase, opts.ramSize, opts.loaded ?? []);
  }

  /** a0 = operation number, a1 = parameter; returns the value for a0 (int32), or SEMIHOST_RETRY. */
  call(op: number, param: number): number | typeof SEMIHOST_RETRY {
    try {
      const r = this.dispatch(op >>> 0, param >>> 0);
      return r === SEMIHOST_RETRY ? r : r | 0;
    } catch (e) {
      if (!(e instanceof GuestFault || e instanceof BusError)) throw e;
      return this.fail(Errno.EFAULT);
    }
  }

  save(): object {
    const state: SemihostState = { files: this.files.map((f) => (f === null ? null : { ...f })), errno: this.errno };
    return state;
  }

  restore(state: object): void {
    const s = state as SemihostState;
    this.files = s.files.map((f) => (f === null ? null : { ...f }));
    this.errno = s.errno;
  }

  private dispatch(op: number, param: number): number | typeof SEMIHOST_RETRY {
    switch (op) {
      case SYS_OPEN: return this.open(param);
      case SYS_CLOSE: return this.close(param);
      case SYS_WRITEC: return this.writec(param);
      case SYS_WRITE0: return this.write0(param);
      case SYS_WRITE: return this.write(param);
      case SYS_READ: return this.read(param);
      case SYS_READC: return this.readc();
      case SYS_ISERROR: return (this.arg(param, 0) | 0) < 0 ? 1 : 0;
      case SYS_ISTTY: return this.istty(param);
      case SYS_SEEK: return this.seek(param);
      case SYS_FLEN: return this.flen(param);
      case SYS_TMPNAM: return this.tmpnam(param);
      case SYS_REMOVE: return this.remove(param);
      case SYS_RENAME: return this.rename(param);
      case SYS_CLOCK: return this.io.host.clock();
      case SYS_TIME: return this.io.host.time();
      case SYS_SYSTEM:
        // QEMU runs the string with the host's system(3). A guest gets no shell here.
        this.arg(param, 0);
        this.arg(param, 1);
        return this.fail(Errno.ENOSYS);
      case SYS_ERRNO: return this.errno;
      case SYS_GET_CMDLINE: return this.getCmdline(param);
      case SYS_HEAPINFO: return this.heapinfo(param);
      case SYS_EXIT:
        // RV32 SYS_EXIT takes the reason in a1 itself and cannot carry a status.
        this.io.exit(param === ADP_Stopped_ApplicationExit ? 0 : 1);
        return 0;
      case SYS_EXIT_EXTENDED: {
        const reason = this.arg(param, 0);
        const status = this.arg(param, 1);
        // The whole 32-bit status; a host process's exit status keeps its low 8 bits, as QEMU's.
        this.io.exit(reason === ADP_Stopped_ApplicationExit ? status | 0 : 1);
        return 0;
      }
      case SYS_ELAPSED: {
        const ns = BigInt(Math.max(0, Math.floor(this.io.host.elapsedNs())));
        this.putWord(param, Number(ns & 0xffffffffn));
        this.putWord(param + 4, Number((ns >> 32n) & 0xffffffffn));
        return 0;
      }
      case SYS_TICKFREQ: return 1_000_000_000;
      default:
        // QEMU aborts the whole emulator on an unknown call (SYS_SYNCCACHE included on RV32);
        // failing the call lets the guest carry on and the user see it.
        return this.fail(Errno.ENOSYS);
    }
  }

  // --- the calls -------------------------------------------------------------------------------

  private open(param: number): number {
    const namePtr = this.arg(param, 0);
    const mode = this.arg(param, 1);
    const nameLen = this.arg(param, 2);
    const nameBytes = this.cString(namePtr);
    if (mode >= 12) return this.fail(Errno.EINVAL);
    const name = utf8.decode(nameBytes);
    if (name === ':tt') {
      // SH_EXT_STDOUT_STDERR: read modes are stdin, write modes stdout, append modes stderr.
      return this.alloc({ kind: 'console', stream: mode < 4 ? 'stdin' : mode < 8 ? 'stdout' : 'stderr' });
    }
    if (name === ':semihosting-features') {
      if (mode > 1) return this.fail(Errno.EACCES);
      return this.alloc({ kind: 'features', off: 0 });
    }
    const err = this.checkLength(namePtr, nameLen);
    if (err !== 0) return this.fail(err);
    if (nameBytes.length >= PATH_MAX) return this.fail(Errno.ENAMETOOLONG);
    const h = this.io.host.open(name, mode);
    if (h < 0) return this.fail(this.io.host.errno());
    return this.alloc({ kind: 'host', handle: h });
  }

  private close(param: number): number {
    const fd = this.arg(param, 0);
    const f = this.file(fd);
    if (f === undefined) return this.fail(Errno.EBADF);
    // The guest handle is gone even when the host close fails, as in QEMU.
    this.files[fd] = null;
    if (f.kind !== 'host') return 0;
    if (this.io.host.close(f.handle) < 0) return this.fail(this.io.host.errno());
    return 0;
  }

  private writec(param: number): number {
    const c = this.bus.read(param, 1);
    if (c !== undefined) this.io.writeConsole(Uint8Array.of(c));
    return DEAD;
  }

  private write0(param: number): number {
    let s: Uint8Array;
    try {
      s = this.cString(param);
    } catch (e) {
      if (e instanceof GuestFault || e instanceof BusError) return DEAD;
      throw e;
    }
    this.io.writeConsole(s);
    return DEAD;
  }

  // SYS_WRITE and SYS_READ return how many bytes were NOT transferred; failures never set errno
  // (QEMU's common_semi_rw_cb reports them only as "nothing transferred").

  private write(param: number): number {
    const fd = this.arg(param, 0);
    const buf = this.arg(param, 1);
    const len = Math.min(this.arg(param, 2), INT32_MAX);
    const f = this.file(fd);
    if (f === undefined || f.kind === 'features') return len;
    let data: Uint8Array;
    try {
      data = this.bus.readBytes(buf, len);
    } catch (e) {
      if (e instanceof BusError) return len;
      throw e;
    }
    if (f.kind === 'console') {
      this.io.writeConsole(data);
      return 0;
    }
    const n = this.io.host.write(f.handle, data);
    return n < 0 ? len : len - n;
  }

  private read(param: number): number | typeof SEMIHOST_RETRY {
    const fd = this.arg(param, 0);
    const buf = this.arg(param, 1);
    const len = Math.min(this.arg(param, 2), INT32_MAX);
    const f = this.file(fd);
    if (f === undefined) return len;
    // Checked before anything is consumed, so a bad buffer loses no input.
    if (!this.mapped(buf, len)) return len;
    let data: Uint8Array;
    if (f.kind === 'features') {
      data = SEMIHOSTING_FEATURES.slice(f.off, f.off + len);
      f.off += data.length;
    } else if (f.kind === 'console') {
      const got = this.readConsole(len);
      if (got === SEMIHOST_RETRY) return got;
      data = got;
    } else {
      const got = this.io.host.read(f.handle, len);
      if (got === null) return len;
      data = got.length > len ? got.subarray(0, len) : got;
    }
    this.bus.writeBytes(buf, data);
    return len - data.length;
  }

  /**
   * Console input for SYS_READ: waits (retry) until at least one byte is there, then takes what
   * is available up to the end of a line, like read(2) on a terminal. End of input reads 0 bytes.
   */
  private readConsole(len: number): Uint8Array | typeof SEMIHOST_RETRY {
    if (len === 0) return new Uint8Array(0);
    const out: number[] = [];
    while (out.length < len) {
      const b = this.io.readConsoleByte();
      if (b === 'wait') {
        if (out.length === 0) return SEMIHOST_RETRY;
        break;
      }
      if (b === 'eof') break;
      out.push(b & 0xff);
      if (b === 0x0a) break;
    }
    return Uint8Array.from(out);
  }

  private readc(): number | typeof SEMIHOST_RETRY {
    const b = this.io.readConsoleByte();
    if (b === 'wait') return SEMIHOST_RETRY;
    // QEMU blocks for ever at end of input; -1 (EOF) lets the guest notice instead.
    if (b === 'eof') return -1;
    return b & 0xff;
  }

  private istty(param: number): number {
    const f = this.file(this.arg(param, 0));
    if (f === undefined) return this.fail(Errno.EBADF);
    // QEMU 7.2 asks isatty() of its own stdio for :tt; the console is a terminal to the guest here.
    if (f.kind === 'console') return 1;
    if (f.kind === 'features') return this.notTty(Errno.ENOTTY);
    const r = this.io.host.istty(f.handle);
    return r === 1 ? 1 : this.notTty(this.io.host.errno());
  }

  /** QEMU's istty callback: "not a terminal" is 0, any other failure -1; errno is set either way. */
  private notTty(err: number): number {
    this.errno = err;
    return err === Errno.ENOTTY ? 0 : -1;
  }

  private seek(param: number): number {
    const f = this.file(this.arg(param, 0));
    const pos = this.arg(param, 1);
    if (f === undefined) return this.fail(Errno.EBADF);
    if (f.kind === 'console') return this.fail(Errno.ESPIPE);
    if (f.kind === 'features') {
      if (pos > SEMIHOSTING_FEATURES.length) return this.fail(Errno.EINVAL);
      f.off = pos;
      return 0;
    }
    return this.io.host.seek(f.handle, pos) < 0 ? this.fail(this.io.host.errno()) : 0;
  }

  private flen(param: number): number {
    const f = this.file(this.arg(param, 0));
    if (f === undefined) return this.fail(Errno.EBADF);
    // QEMU 7.2 fstat()s its own stdio for :tt, whose size is 0 for a terminal or a pipe.
    if (f.kind === 'console') return 0;
    if (f.kind === 'features') return SEMIHOSTING_FEATURES.length;
    const n = this.io.host.flen(f.handle);
    return n < 0 ? this.fail(this.io.host.errno()) : n;
  }

  private tmpnam(param: number): number {
    const buf = this.arg(param, 0);
    const id = this.arg(param, 1);
    const max = this.arg(param, 2);
    // QEMU gives "/tmp/qemu-<pid><id>", which a confined root refuses; a name in the root,
    // without the pid, also replays identically.
    const name = new TextEncoder().encode(`rvreplay-tmp-${(id & 0xff).toString(16).padStart(2, '0')}\0`);
    if (name.length > max) return -1; // no errno, as QEMU
    if (!this.mapped(buf, name.length)) throw new GuestFault();
    this.bus.writeBytes(buf, name);
    return 0;
  }

  private remove(param: number): number {
    const namePtr = this.arg(param, 0);
    const nameLen = this.arg(param, 1);
    const name = this.validName(namePtr, nameLen);
    if (typeof name === 'number') return this.fail(name);
    return this.io.host.remove(name) < 0 ? this.fail(this.io.host.errno()) : 0;
  }

  private rename(param: number): number {
    const fromPtr = this.arg(param, 0);
    const fromLen = this.arg(param, 1);
    const toPtr = this.arg(param, 2);
    const toLen = this.arg(param, 3);
    const from = this.validName(fromPtr, fromLen);
    if (typeof from === 'number') return this.fail(from);
    const to = this.validName(toPtr, toLen);
    if (typeof to === 'number') return this.fail(to);
    return this.io.host.rename(from, to) < 0 ? this.fail(this.io.host.errno()) : 0;
  }

  private getCmdline(param: number): number {
    const buf = this.arg(param, 0);
    const size = this.arg(param, 1);
    const outSize = this.cmdline.length + 1;
    if (outSize > size) return this.fail(Errno.E2BIG);
    // QEMU updates the length word before it checks the buffer.
    this.putWord(param + 4, outSize - 1);
    if (!this.mapped(buf, outSize)) throw new GuestFault();
    const out = new Uint8Array(outSize);
    out.set(this.cmdline);
    this.bus.writeBytes(buf, out);
    return 0;
  }

  private heapinfo(param: number): number {
    const block = this.arg(param, 0);
    const { heapBase, heapLimit } = this.heap;
    // Heap base, heap limit, stack base, stack limit.
    [heapBase, heapLimit, heapLimit, heapBase].forEach((v, i) => this.putWord(block + i * 4, v));
    return 0;
  }

  // --- helpers ---------------------------------------------------------------------------------

  private fail(err: number): number {
    this.errno = err;
    return -1;
  }

  /** Word `n` of the argument block at `param`. */
  private arg(param: number, n: number): number {
    const v = this.bus.read(param + n * 4, 4);
    if (v === undefined) throw new GuestFault();
    return v >>> 0;
  }

  private putWord(addr: number, value: number): void {
    if (!this.bus.write(addr, 4, value >>> 0)) throw new GuestFault();
  }

  private file(fd: number): GuestFile | undefined {
    return (fd >>> 0) < this.files.length ? this.files[fd >>> 0] ?? undefined : undefined;
  }

  private alloc(f: GuestFile): number {
    let fd = this.files.indexOf(null, 1);
    if (fd < 0) fd = this.files.push(null) - 1;
    this.files[fd] = f;
    return fd;
  }

  /**
   * True when every byte of [addr, addr+len) is RAM or a device, found without touching any
   * device (a probe read could pop a UART byte). Walks by region, so a huge length is cheap.
   */
  private mapped(addr: number, len: number): boolean {
    if (addr + len > 0x1_0000_0000) return false;
    const end = addr + len;
    const ram = this.bus.ram;
    let a = addr;
    while (a < end) {
      if (this.bus.inRam(a, 1)) {
        a = ram.base + ram.size;
        continue;
      }
      const d = this.bus.findDevice(a);
      if (d === undefined) return false;
      a = d.base + d.size;
    }
    return true;
  }

  /** The bytes of the NUL-terminated string at `addr` (NUL excluded). */
  private cString(addr: number, max = STRING_MAX): Uint8Array {
    const ram = this.bus.ram;
    if (this.bus.inRam(addr, 1)) {
      const off = addr - ram.base;
      const nul = ram.u8.indexOf(0, off);
      if (nul >= 0 && nul - off <= max) return ram.u8.slice(off, nul);
      if (nul >= 0) throw new GuestFault();
    }
    // Not (wholly) in RAM: byte by byte, as QEMU's target_strlen reads device memory too.
    const out: number[] = [];
    for (let i = 0; i <= max; i++) {
      const v = this.bus.read(addr + i, 1);
      if (v === undefined) throw new GuestFault();
      if (v === 0) return Uint8Array.from(out);
      out.push(v);
    }
    throw new GuestFault();
  }

  /**
   * QEMU's validate_strlen for a name passed with its length: the byte at `name + len` must be
   * the terminating NUL (EINVAL if not); a length of 0xffffffff means "find the NUL".
   * Returns 0 or an errno.
   */
  private checkLength(namePtr: number, nameLen: number): number {
    const tlen = (nameLen + 1) >>> 0;
    if (tlen === 0) return 0;
    if (tlen > INT32_MAX) return Errno.ENAMETOOLONG;
    const last = this.bus.read(namePtr + tlen - 1, 1);
    if (last === undefined) return Errno.EFAULT;
    return last === 0 ? 0 : Errno.EINVAL;
  }

  /** A REMOVE/RENAME name, or an errno: its length checked first, as QEMU does, then its string. */
  private validName(ptr: number, len: number): string | number {
    const err = this.checkLength(ptr, len);
    if (err !== 0) return err;
    const bytes = this.cString(ptr);
    return bytes.length >= PATH_MAX ? Errno.ENAMETOOLONG : utf8.decode(bytes);
  }
}
