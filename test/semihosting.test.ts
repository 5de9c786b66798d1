// Semihosting: the protocol (core/devices/semihosting.ts) driven through `call` with real guest
// memory and a scripted host, and HostSemihost (core/replay/semihost-host.ts) on a temp directory.
// Expected values come from QEMU 7.2 runs of raw semihosting calls (see examples/semihosting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ram } from '../core/mem/ram';
import { Bus } from '../core/mem/bus';
import {
  Semihosting, SEMIHOST_RETRY, qemuHeapInfo, ADP_Stopped_ApplicationExit,
  SYS_OPEN, SYS_CLOSE, SYS_WRITEC, SYS_WRITE0, SYS_WRITE, SYS_READ, SYS_READC, SYS_ISERROR, SYS_ISTTY,
  SYS_SEEK, SYS_FLEN, SYS_TMPNAM, SYS_REMOVE, SYS_RENAME, SYS_CLOCK, SYS_TIME, SYS_SYSTEM, SYS_ERRNO,
  SYS_GET_CMDLINE, SYS_HEAPINFO, SYS_EXIT, SYS_EXIT_EXTENDED, SYS_ELAPSED, SYS_TICKFREQ,
  type SemihostIo,
} from '../core/devices/semihosting';
import { Errno, HostSemihost, type SemihostHost } from '../core/replay/semihost-host';
import { HostClock } from '../core/replay/host-clock';

const RAM = 0x80000000;
const BLOCK = RAM + 0x1000; // argument blocks
const STR = RAM + 0x2000; // strings
const BUF = RAM + 0x3000; // data buffers
const UNMAPPED = 0x10;
const DEAD = 0xdeadbeef | 0;

/** An in-memory host: files by name, with the calls it got. */
class FakeHost implements SemihostHost {
  files = new Map<string, Uint8Array>();
  open_: { name: string; data: Uint8Array; pos: number }[] = [];
  calls: string[] = [];
  err = 0;
  tty = false;

  private h(handle: number): { name: string; data: Uint8Array; pos: number } | undefined {
    return this.open_[handle];
  }
  private fail<T>(err: number, v: T): T {
    this.err = err;
    return v;
  }
  open(name: string, mode: number): number {
    this.calls.push(`open ${name} ${mode}`);
    let data = this.files.get(name);
    if (data === undefined) {
      if (mode < 4) return this.fail(Errno.ENOENT, -1);
      data = new Uint8Array(0);
    }
    if (mode >= 4 && mode < 8) data = new Uint8Array(0);
    this.files.set(name, data);
    return this.open_.push({ name, data, pos: 0 }) - 1 + 100; // host handles differ from guest ones
  }
  close(handle: number): number {
    this.calls.push(`close ${handle}`);
    return this.h(handle - 100) ? 0 : this.fail(Errno.EBADF, -1);
  }
  read(handle: number, length: number): Uint8Array | null {
    const f = this.h(handle - 100);
    if (!f) return this.fail(Errno.EBADF, null);
    const d = this.files.get(f.name)!.slice(f.pos, f.pos + length);
    f.pos += d.length;
    return d;
  }
  write(handle: number, data: Uint8Array): number {
    const f = this.h(handle - 100);
    if (!f) return this.fail(Errno.EBADF, -1);
    const old = this.files.get(f.name)!;
    const next = new Uint8Array(Math.max(old.length, f.pos + data.length));
    next.set(old);
    next.set(data, f.pos);
    this.files.set(f.name, next);
    f.pos += data.length;
    return data.length;
  }
  seek(handle: number, pos: number): number {
    const f = this.h(handle - 100);
    if (!f) return this.fail(Errno.EBADF, -1);
    f.pos = pos;
    return 0;
  }
  flen(handle: number): number {
    const f = this.h(handle - 100);
    return f ? this.files.get(f.name)!.length : this.fail(Errno.EBADF, -1);
  }
  istty(handle: number): number {
    if (!this.h(handle - 100)) return this.fail(Errno.EBADF, -1);
    return this.tty ? 1 : this.fail(Errno.ENOTTY, 0);
  }
  remove(name: string): number {
    this.calls.push(`remove ${name}`);
    return this.files.delete(name) ? 0 : this.fail(Errno.ENOENT, -1);
  }
  rename(from: string, to: string): number {
    this.calls.push(`rename ${from} ${to}`);
    const d = this.files.get(from);
    if (d === undefined) return this.fail(Errno.ENOENT, -1);
    this.files.delete(from);
    this.files.set(to, d);
    return 0;
  }
  time(): number { return 1_700_000_000; }
  clock(): number { return 42; }
  elapsedNs(): number { return 0x1_2345_6789; }
  errno(): number { return this.err; }
}

class FakeIo implements SemihostIo {
  out: number[] = [];
  /** Bytes the user typed; 'eof' stays once reached, as a closed stdin does. */
  input: (number | 'eof')[] = [];
  exits: number[] = [];
  constructor(readonly host: SemihostHost) {}
  readConsoleByte(): number | 'wait' | 'eof' {
    const b = this.input[0];
    if (b === undefined) return 'wait';
    if (b !== 'eof') this.input.shift();
    return b;
  }
  writeConsole(bytes: Uint8Array): void { this.out.push(...bytes); }
  exit(code: number): void { this.exits.push(code); }
  text(): string { return Buffer.from(this.out).toString('latin1'); }
}

/** A call's result that must be a value, not a retry. */
function num(r: number | typeof SEMIHOST_RETRY): number {
  assert.equal(typeof r, 'number');
  return r as number;
}

function setup(cmdline = 'prog.elf a b') {
  const ram = new Ram(RAM, 1 << 20);
  const bus = new Bus(ram);
  const host = new FakeHost();
  const io = new FakeIo(host);
  const sh = new Semihosting(bus, io, { cmdline, ramBase: RAM, ramSize: 1 << 20 });
  const words = (addr: number, ...ws: number[]): number => {
    ws.forEach((w, i) => bus.write(addr + i * 4, 4, w >>> 0));
    return addr;
  };
  const str = (s: string, addr = STR): number => {
    bus.writeBytes(addr, new Uint8Array([...Buffer.from(s, 'utf8'), 0]));
    return addr;
  };
  const call = (op: number, param: number) => sh.call(op, param);
  const errno = () => sh.call(SYS_ERRNO, 0);
  const open = (name: string, mode: number) => num(call(SYS_OPEN, words(BLOCK, str(name), mode, Buffer.byteLength(name))));
  const word = (addr: number) => bus.read(addr, 4)!;
  return { ram, bus, host, io, sh, words, str, call, errno, open, word };
}

test('WRITEC and WRITE0 go to the console and leave 0xdeadbeef in a0', () => {
  const { io, call, str, bus } = setup();
  bus.write(BUF, 1, 0x41);
  assert.equal(call(SYS_WRITEC, BUF), DEAD);
  assert.equal(call(SYS_WRITE0, str('hello\n')), DEAD);
  assert.equal(io.text(), 'Ahello\n');
  // Bad pointers: nothing written, no errno, no crash.
  assert.equal(call(SYS_WRITEC, UNMAPPED), DEAD);
  assert.equal(call(SYS_WRITE0, UNMAPPED), DEAD);
  assert.equal(io.text(), 'Ahello\n');
});

test(':tt opens the console: handles start at 1, writes reach writeConsole, close frees the slot', () => {
  const { io, call, open, words, bus, errno } = setup();
  const out = open(':tt', 4);
  const err = open(':tt', 8);
  assert.equal(out, 1);
  assert.equal(err, 2);
  bus.writeBytes(BUF, Buffer.from('abc'));
  assert.equal(call(SYS_WRITE, words(BLOCK, out, BUF, 3)), 0);
  assert.equal(call(SYS_WRITE, words(BLOCK, err, BUF + 1, 2)), 0);
  assert.equal(io.text(), 'abcbc');
  assert.equal(call(SYS_ISTTY, words(BLOCK, out)), 1);
  assert.equal(call(SYS_FLEN, words(BLOCK, out)), 0);
  assert.equal(call(SYS_SEEK, words(BLOCK, out, 0)), -1);
  assert.equal(errno(), Errno.ESPIPE);
  assert.equal(call(SYS_CLOSE, words(BLOCK, out)), 0);
  assert.equal(call(SYS_CLOSE, words(BLOCK, out)), -1);
  assert.equal(errno(), Errno.EBADF);
  assert.equal(open(':tt', 0), 1, 'the lowest free handle is reused');
});

test(':semihosting-features holds SHFB and feature byte 0x03, read-only', () => {
  const { call, open, words, bus, errno, host } = setup();
  const fd = open(':semihosting-features', 0);
  assert.equal(fd, 1);
  assert.equal(call(SYS_FLEN, words(BLOCK, fd)), 5);
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 16)), 11, '16 asked, 5 read');
  assert.deepEqual([...bus.readBytes(BUF, 5)], [0x53, 0x48, 0x46, 0x42, 0x03]);
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 4)), 4, 'at EOF nothing is read');
  assert.equal(call(SYS_SEEK, words(BLOCK, fd, 4)), 0);
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 4)), 3);
  assert.equal(bus.read(BUF, 1), 0x03);
  assert.equal(call(SYS_SEEK, words(BLOCK, fd, 9)), -1);
  assert.equal(errno(), Errno.EINVAL);
  assert.equal(call(SYS_ISTTY, words(BLOCK, fd)), 0);
  assert.equal(errno(), Errno.ENOTTY);
  assert.equal(call(SYS_WRITE, words(BLOCK, fd, BUF, 2)), 2, 'writes fail as "nothing written"');
  assert.equal(open(':semihosting-features', 1), 2, 'rb is allowed too');
  assert.equal(open(':semihosting-features', 4), -1);
  assert.equal(errno(), Errno.EACCES);
  assert.deepEqual(host.calls, [], 'special names never reach the host');
});

test('OPEN checks the block, the name, the mode and the length word like QEMU', () => {
  const { call, open, words, str, errno, host } = setup();
  assert.equal(call(SYS_OPEN, UNMAPPED), -1);
  assert.equal(errno(), Errno.EFAULT);
  assert.equal(call(SYS_OPEN, words(BLOCK, UNMAPPED, 0, 3)), -1);
  assert.equal(errno(), Errno.EFAULT);
  assert.equal(open('x.txt', 12), -1);
  assert.equal(errno(), Errno.EINVAL);
  // The length must point at the terminating NUL.
  assert.equal(call(SYS_OPEN, words(BLOCK, str('x.txt'), 4, 3)), -1);
  assert.equal(errno(), Errno.EINVAL);
  assert.equal(open('missing', 0), -1);
  assert.equal(errno(), Errno.ENOENT, "the host's errno");
  const fd = open('x.txt', 4);
  assert.equal(fd, 1);
  assert.deepEqual(host.calls, ['open missing 0', 'open x.txt 4']);
  assert.equal(call(SYS_ISERROR, words(BLOCK, fd)), 0);
  assert.equal(call(SYS_ISERROR, words(BLOCK, -1)), 1);
  assert.equal(call(SYS_ISERROR, UNMAPPED), -1);
});

test('WRITE, SEEK, READ, FLEN, CLOSE on a host file; READ/WRITE return what was not transferred', () => {
  const { call, open, words, bus, errno, host } = setup();
  const fd = open('data.bin', 6);
  bus.writeBytes(BUF, Buffer.from('hello world'));
  assert.equal(call(SYS_WRITE, words(BLOCK, fd, BUF, 11)), 0);
  assert.equal(Buffer.from(host.files.get('data.bin')!).toString(), 'hello world');
  assert.equal(call(SYS_FLEN, words(BLOCK, fd)), 11);
  assert.equal(call(SYS_SEEK, words(BLOCK, fd, 6)), 0, 'SEEK returns 0, not the offset');
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF + 0x100, 64)), 64 - 5);
  assert.equal(Buffer.from(bus.readBytes(BUF + 0x100, 5)).toString(), 'world');
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF + 0x100, 8)), 8, 'EOF: nothing read');
  assert.equal(call(SYS_ISTTY, words(BLOCK, fd)), 0);
  assert.equal(errno(), Errno.ENOTTY);
  assert.equal(call(SYS_CLOSE, words(BLOCK, fd)), 0);
  assert.deepEqual(host.calls.at(-1), 'close 100');
});

test('READ/WRITE failures return the full length and leave errno alone (QEMU common_semi_rw_cb)', () => {
  const { call, open, words, errno, host } = setup();
  host.files.set('f', Uint8Array.from([1, 2, 3]));
  open('missing', 0); // errno = ENOENT
  assert.equal(call(SYS_WRITE, words(BLOCK, 9, BUF, 5)), 5, 'bad handle');
  assert.equal(call(SYS_READ, words(BLOCK, 9, BUF, 5)), 5, 'bad handle');
  const fd = open('f', 0);
  assert.equal(call(SYS_WRITE, words(BLOCK, fd, UNMAPPED, 5)), 5, 'bad buffer');
  assert.equal(call(SYS_READ, words(BLOCK, fd, UNMAPPED, 3)), 3, 'bad buffer');
  assert.equal(call(SYS_READ, words(BLOCK, fd, RAM + (1 << 20) - 1, 3)), 3, 'buffer runs off the end of RAM');
  assert.equal(errno(), Errno.ENOENT);
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 3)), 0, 'the failed reads consumed nothing');
  assert.equal(call(SYS_READ, UNMAPPED), -1, 'an unreadable block is a fault');
  assert.equal(errno(), Errno.EFAULT);
});

test('console input: READC and READ wait (retry) without consuming, then take a line', () => {
  const { call, open, words, bus, io } = setup();
  assert.equal(call(SYS_READC, 0), SEMIHOST_RETRY);
  io.input.push(0x61);
  assert.equal(call(SYS_READC, 0), 0x61);
  const fd = open(':tt', 0);
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 16)), SEMIHOST_RETRY);
  io.input.push(...Buffer.from('hi\nthere'));
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 16)), 13, 'a line at a time');
  assert.equal(Buffer.from(bus.readBytes(BUF, 3)).toString(), 'hi\n');
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 3)), 0, 'stops at the length');
  assert.equal(Buffer.from(bus.readBytes(BUF, 3)).toString(), 'the');
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 16)), 14, 'then what is there, without waiting');
  io.input.push('eof');
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 16)), 16, 'end of input reads nothing');
  assert.equal(call(SYS_READC, 0), -1);
});

test('CLOCK, TIME, ELAPSED, TICKFREQ, ERRNO', () => {
  const { call, words, word } = setup();
  assert.equal(call(SYS_ERRNO, 0), 0);
  assert.equal(call(SYS_CLOCK, 0), 42);
  assert.equal(call(SYS_TIME, 0), 1_700_000_000);
  assert.equal(call(SYS_TICKFREQ, 0), 1_000_000_000);
  assert.equal(call(SYS_ELAPSED, words(BLOCK, 0, 0)), 0);
  assert.equal(word(BLOCK), 0x23456789);
  assert.equal(word(BLOCK + 4), 1);
  assert.equal(call(SYS_ELAPSED, UNMAPPED), -1);
});

test('GET_CMDLINE copies the line and its length; too small a buffer is E2BIG', () => {
  const { call, words, bus, word, errno } = setup('prog.elf a b');
  assert.equal(call(SYS_GET_CMDLINE, words(BLOCK, BUF, 64)), 0);
  assert.equal(word(BLOCK + 4), 12);
  assert.equal(Buffer.from(bus.readBytes(BUF, 13)).toString('latin1'), 'prog.elf a b\0');
  assert.equal(call(SYS_GET_CMDLINE, words(BLOCK, BUF, 12)), -1);
  assert.equal(errno(), Errno.E2BIG);
  assert.equal(word(BLOCK + 4), 12, 'the length word is left alone');
  assert.equal(call(SYS_GET_CMDLINE, words(BLOCK, UNMAPPED, 64)), -1);
  assert.equal(errno(), Errno.EFAULT);
});

test('HEAPINFO: the largest gap between loaded blobs, as QEMU computes it', () => {
  // A picolibc image as QEMU 7.2 loads it in 128 MiB (observed: 80200818 87e00000 87e00000 80200818).
  const loaded = [
    { addr: 0x80000000, size: 0x28f0 },
    { addr: 0x80200018, size: 0x800 },
    { addr: 0x800028f0, size: 0x18 },
  ];
  assert.deepEqual(qemuHeapInfo(RAM, 128 << 20, loaded), { heapBase: 0x80200818, heapLimit: 0x87e00000 });
  assert.deepEqual(qemuHeapInfo(RAM, 128 << 20, []), { heapBase: RAM, heapLimit: 0x87e00000 });

  const ram = new Ram(RAM, 1 << 20);
  const bus = new Bus(ram);
  const io = new FakeIo(new FakeHost());
  const sh = new Semihosting(bus, io, { cmdline: '', ramBase: RAM, ramSize: 128 << 20, loaded });
  bus.write(BLOCK, 4, BUF);
  assert.equal(sh.call(SYS_HEAPINFO, BLOCK), 0);
  assert.deepEqual([0, 4, 8, 12].map((o) => bus.read(BUF + o, 4)), [0x80200818, 0x87e00000, 0x87e00000, 0x80200818]);
  assert.equal(sh.call(SYS_HEAPINFO, UNMAPPED), -1);
});

test('EXIT (RV32: reason in a1) and EXIT_EXTENDED (reason, status block)', () => {
  const { call, io, words, errno } = setup();
  call(SYS_EXIT, ADP_Stopped_ApplicationExit);
  call(SYS_EXIT, 0x20023); // RunTimeErrorUnknown
  call(SYS_EXIT_EXTENDED, words(BLOCK, ADP_Stopped_ApplicationExit, 3));
  call(SYS_EXIT_EXTENDED, words(BLOCK, 0x20023, 3));
  assert.deepEqual(io.exits, [0, 1, 3, 1]);
  assert.equal(call(SYS_EXIT_EXTENDED, UNMAPPED), -1, 'a bad block does not exit');
  assert.equal(errno(), Errno.EFAULT);
  assert.deepEqual(io.exits, [0, 1, 3, 1]);
});

test('REMOVE and RENAME pass checked names to the host', () => {
  const { call, words, str, errno, host } = setup();
  host.files.set('a', new Uint8Array(1));
  assert.equal(call(SYS_RENAME, words(BLOCK, str('a'), 1, str('b', STR + 0x100), 1)), 0);
  assert.deepEqual([...host.files.keys()], ['b']);
  assert.equal(call(SYS_RENAME, words(BLOCK, str('a'), 1, str('bcdefg', STR + 0x100), 2)), -1, 'no NUL at name[len]');
  assert.equal(errno(), Errno.EINVAL);
  assert.equal(call(SYS_REMOVE, words(BLOCK, str('b'), 1)), 0);
  assert.equal(call(SYS_REMOVE, words(BLOCK, str('b'), 1)), -1);
  assert.equal(errno(), Errno.ENOENT);
  assert.equal(call(SYS_REMOVE, words(BLOCK, UNMAPPED, 1)), -1);
  assert.equal(errno(), Errno.EFAULT);
  assert.deepEqual(host.calls, ['rename a b', 'remove b', 'remove b']);
});

test('TMPNAM, SYSTEM and unknown calls', () => {
  const { call, words, bus, errno } = setup();
  assert.equal(call(SYS_TMPNAM, words(BLOCK, BUF, 7, 64)), 0);
  assert.equal(Buffer.from(bus.readBytes(BUF, 16)).toString('latin1'), 'rvreplay-tmp-07\0');
  assert.equal(call(SYS_TMPNAM, words(BLOCK, BUF, 7, 4)), -1);
  assert.equal(call(SYS_SYSTEM, words(BLOCK, BUF, 2)), -1);
  assert.equal(errno(), Errno.ENOSYS);
  assert.equal(call(0x19, 0), -1, 'SYNCCACHE does not exist on RV32');
  assert.equal(call(0x99, 0), -1);
  assert.equal(errno(), Errno.ENOSYS);
});

test('every call survives a wild parameter pointer', () => {
  const { sh } = setup();
  for (let op = 0; op <= 0x31; op++) {
    for (const param of [UNMAPPED, 0xfffffffc, 0xffffffff, RAM + (1 << 20) - 2]) {
      assert.doesNotThrow(() => sh.call(op, param), `op 0x${op.toString(16)} param 0x${param.toString(16)}`);
    }
  }
});

test('save/restore round-trips the handle table and errno through JSON', () => {
  const { sh, open, call, words, errno } = setup();
  const fd = open(':semihosting-features', 0);
  call(SYS_SEEK, words(BLOCK, fd, 2));
  open('missing', 0);
  const saved = JSON.parse(JSON.stringify(sh.save())) as object;
  call(SYS_CLOSE, words(BLOCK, fd));
  call(SYS_SEEK, words(BLOCK, 9, 0));
  sh.restore(saved);
  assert.equal(errno(), Errno.ENOENT);
  assert.equal(call(SYS_FLEN, words(BLOCK, fd)), 5, 'the handle is open again');
  assert.equal(call(SYS_READ, words(BLOCK, fd, BUF, 8)), 5, 'at the saved offset');
});

// --- HostSemihost on a real directory ------------------------------------------------------------

class FixedClock extends HostClock {
  ns = 5_000_000_000n;
  override wallNs(): bigint { return 1_700_000_000_500_000_000n; }
  override monotonicNs(): bigint { return this.ns; }
}

function tempTree() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-semi-'));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'secret');
  return { base, root, outside, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString());

test('HostSemihost: files open, read, write, seek and length like fopen modes say', (t) => {
  const { root, cleanup } = tempTree();
  t.after(cleanup);
  const h = new HostSemihost(root);
  t.after(() => h.dispose());
  assert.equal(h.open('nope', 0), -1);
  assert.equal(h.errno(), Errno.ENOENT);
  const w = h.open('f.txt', 4);
  assert.ok(w >= 0);
  assert.equal(h.write(w, bytes('hello world')), 11);
  assert.equal(h.flen(w), 11);
  assert.equal(h.istty(w), 0);
  assert.equal(h.errno(), Errno.ENOTTY);
  assert.equal(h.close(w), 0);
  assert.equal(h.close(w), -1);
  assert.equal(h.errno(), Errno.EBADF);

  const rp = h.open('f.txt', 2); // r+: no truncation
  assert.equal(h.seek(rp, 6), 0);
  assert.equal(h.write(rp, bytes('WORLD')), 5);
  assert.equal(h.seek(rp, 0), 0);
  assert.equal(text(h.read(rp, 100)), 'hello WORLD');
  assert.equal(text(h.read(rp, 100)), '', 'EOF');
  h.close(rp);

  const a = h.open('f.txt', 8); // a: appends, as C says (QEMU 7.2 drops O_APPEND and overwrites)
  assert.equal(h.write(a, bytes('!')), 1);
  h.close(a);
  assert.equal(fs.readFileSync(path.join(root, 'f.txt'), 'utf8'), 'hello WORLD!');

  const tr = h.open('f.txt', 6); // w+: truncates
  assert.equal(h.flen(tr), 0);
  h.close(tr);
  fs.mkdirSync(path.join(root, 'sub'));
  const s = h.open('sub/../sub/g', 5);
  assert.ok(s >= 0, 'a .. that stays inside is fine');
  h.close(s);
  assert.ok(fs.existsSync(path.join(root, 'sub', 'g')));
  assert.equal(h.read(999, 1), null);
  assert.equal(h.errno(), Errno.EBADF);
});

test('HostSemihost: names outside the root are refused, also through symlinks', (t) => {
  const { root, outside, base, cleanup } = tempTree();
  t.after(cleanup);
  const h = new HostSemihost(root);
  t.after(() => h.dispose());
  const refused = (name: string, mode: number) => {
    assert.equal(h.open(name, mode), -1, name);
    assert.equal(h.errno(), Errno.EACCES, name);
  };
  refused('../outside/secret', 0);
  refused('../x', 4);
  refused(path.join(outside, 'secret'), 0);
  refused('/etc/passwd', 0);
  refused('sub/../../x', 4);
  assert.ok(!fs.existsSync(path.join(base, 'x')), 'nothing created outside');

  fs.symlinkSync(outside, path.join(root, 'dirlink'));
  fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'filelink'));
  fs.symlinkSync(path.join(outside, 'created'), path.join(root, 'dangling'));
  refused('dirlink/secret', 0);
  refused('dirlink/new', 4);
  refused('filelink', 0);
  refused('filelink', 4);
  refused('dangling', 4);
  assert.ok(!fs.existsSync(path.join(outside, 'created')), 'the dangling link was not followed out');
  assert.ok(!fs.existsSync(path.join(outside, 'new')));
  assert.equal(fs.readFileSync(path.join(outside, 'secret'), 'utf8'), 'secret', 'untouched');

  // Links that stay inside work; remove and rename act on the link, never on its target.
  fs.writeFileSync(path.join(root, 'real'), 'inside');
  fs.symlinkSync('real', path.join(root, 'goodlink'));
  const g = h.open('goodlink', 0);
  assert.equal(text(h.read(g, 10)), 'inside');
  h.close(g);
  assert.equal(h.remove('filelink'), 0);
  assert.ok(fs.existsSync(path.join(outside, 'secret')));
  assert.equal(h.rename('real', '../stolen'), -1);
  assert.equal(h.errno(), Errno.EACCES);
  assert.equal(h.rename('dirlink/secret', 'mine'), -1);
  assert.equal(h.errno(), Errno.EACCES);
  assert.equal(h.remove('dirlink/secret'), -1);
  assert.equal(h.remove('../outside/secret'), -1);
  assert.equal(h.remove('.'), -1);
  assert.ok(fs.existsSync(path.join(outside, 'secret')));
  assert.equal(h.rename('real', 'renamed'), 0);
  assert.equal(h.remove('renamed'), 0);
  assert.equal(h.remove('renamed'), -1);
  assert.equal(h.errno(), Errno.ENOENT);
});

test('HostSemihost: time in epoch seconds, clock in centiseconds since start, elapsed in ns', () => {
  const { root, cleanup } = tempTree();
  try {
    const clock = new FixedClock();
    const h = new HostSemihost(root, clock);
    assert.equal(h.time(), 1_700_000_000);
    assert.equal(h.clock(), 0);
    clock.ns += 1_234_567_890n;
    assert.equal(h.clock(), 123);
    assert.equal(h.elapsedNs(), 1_234_567_890);
  } finally {
    cleanup();
  }
});

test('Semihosting over HostSemihost: a guest writes a file and reads it back', (t) => {
  const { root, cleanup } = tempTree();
  t.after(cleanup);
  const ram = new Ram(RAM, 1 << 20);
  const bus = new Bus(ram);
  const host = new HostSemihost(root);
  t.after(() => host.dispose());
  const io = new FakeIo(host);
  const sh = new Semihosting(bus, io, { cmdline: 'x', ramBase: RAM, ramSize: 1 << 20 });
  const w = (addr: number, ...ws: number[]) => { ws.forEach((v, i) => bus.write(addr + i * 4, 4, v >>> 0)); return addr; };
  bus.writeBytes(STR, bytes('out.txt\0'));
  bus.writeBytes(STR + 0x100, bytes('../escape\0'));
  bus.writeBytes(BUF, bytes('semihosted'));
  const fd = num(sh.call(SYS_OPEN, w(BLOCK, STR, 4, 7)));
  assert.equal(fd, 1);
  assert.equal(sh.call(SYS_WRITE, w(BLOCK, fd, BUF, 10)), 0);
  assert.equal(sh.call(SYS_CLOSE, w(BLOCK, fd)), 0);
  assert.equal(fs.readFileSync(path.join(root, 'out.txt'), 'utf8'), 'semihosted');
  const r = num(sh.call(SYS_OPEN, w(BLOCK, STR, 0, 7)));
  assert.equal(sh.call(SYS_FLEN, w(BLOCK, r)), 10);
  assert.equal(sh.call(SYS_SEEK, w(BLOCK, r, 5)), 0);
  assert.equal(sh.call(SYS_READ, w(BLOCK, r, BUF + 0x100, 10)), 5);
  assert.equal(Buffer.from(bus.readBytes(BUF + 0x100, 5)).toString(), 'osted');
  assert.equal(sh.call(SYS_OPEN, w(BLOCK, STR + 0x100, 0, 9)), -1);
  assert.equal(sh.call(SYS_ERRNO, 0), Errno.EACCES);
});
