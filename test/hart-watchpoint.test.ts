// The hart's watchpoint hook (Hart.setWatchpoints + watchOn): a full-speed run (translated code)
// must stop after exactly the instructions that an interpreter stepping one instruction at a time
// sees accessing a watched range (by decoding each instruction before it runs), with the same
// position (icount, pc) and the same accesses in hart.watchHits: on example guests with code
// translated before the watchpoints are set (and retranslated when read watchpoints move), with
// interrupts (timer.elf), with a semihosting call writing into a watched buffer (cat.elf), and on
// a hand-made program with AMOs, LR/SC, compressed and misaligned accesses across pages, and MMIO.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { createHash } from 'node:crypto';
import { VirtMachine, type MachineOptions } from '../core/machine/virt';
import { Gate } from '../core/replay/gate';
import { HostClock } from '../core/replay/host-clock';
import { Hart, Exit, type HartWatchpoint, type WatchHit } from '../core/cpu/hart';
import { Ram, PAGE_DIRTY, PAGE_SHIFT } from '../core/mem/ram';
import { Bus, type MmioDevice } from '../core/mem/bus';
import { decode, isLong } from '../core/isa/decode';
import { Op } from '../core/isa/opcodes';
import { EXAMPLES } from './helpers/run';
import { R, addi, lw, lbu, sw, sb, bne, lui } from './helpers/encode';

class FrozenClock extends HostClock {
  override wallNs(): bigint { return 1_700_000_000_123_456_789n; }
  override monotonicNs(): bigint { return 42_000_000n; }
}

/** cat.elf's semihosting root: a file for it to read. */
const CAT_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-watch-'));
fs.writeFileSync(path.join(CAT_ROOT, 'input.txt'), 'one line\nand another\n'.repeat(20));
after(() => fs.rmSync(CAT_ROOT, { recursive: true, force: true }));

function machine(name: string, jit: boolean): VirtMachine {
  const elf = path.join(EXAMPLES, name);
  const opts: MachineOptions = { gate: Gate.none(new FrozenClock()), ramMiB: 16 };
  if (name.startsWith('semihosting/')) opts.semihosting = { root: CAT_ROOT, cmdline: `${path.basename(name)} input.txt` };
  const m = new VirtMachine(fs.readFileSync(elf), elf, opts);
  m.hart.useJit = jit;
  m.hart.jit.hotAfter = 1; // translate at once, so that watched accesses happen in translated code
  return m;
}

function symbol(m: VirtMachine, name: string): number {
  const s = m.elf.symbols.find((x) => x.name === name);
  assert.ok(s !== undefined, `symbol ${name}`);
  return s.value >>> 0;
}

/**
 * A stop: where the hart is after the accessing instruction, and what it accessed. `other`: the
 * reference saw watched bytes change with no decoded store (the instruction at pc/icount).
 */
interface Stop { icount: number; pc: number; hits: WatchHit[]; other?: { pc: number; icount: number } }

/** The hook's stops equal the reference's; for `other` ones, its hits are writes by that instruction (an ebreak) into a watched range. */
function sameStops(got: Stop[], want: Stop[], ws: readonly HartWatchpoint[], m: VirtMachine, what: string): void {
  const fixed = want.map((w, i) => {
    if (w.other === undefined) return w;
    const g = got[i];
    assert.ok(g !== undefined && g.hits.length > 0, `${what}: stop ${i} (a write by pc 0x${w.other.pc.toString(16)})`);
    for (const h of g.hits) {
      assert.equal(h.kind, 'write');
      assert.ok(matches(h, ws), `${what}: stop ${i} hit ${JSON.stringify(h)} is in a watched range`);
      assert.equal(h.pc, w.other.pc);
      assert.equal(h.icount, w.other.icount);
    }
    assert.equal(m.bus.read(w.other.pc, 4), 0x00100073, `${what}: stop ${i}: the write came from an ebreak (semihosting)`);
    return { icount: w.icount, pc: w.pc, hits: g.hits };
  });
  assert.equal(got.length, want.length, `${what}: number of stops`);
  assert.deepEqual(got, fixed, what);
}

interface Access { addr: number; size: number; kind: 'read' | 'write' }

/**
 * What the instruction at the hart's pc is about to access, decoded independently of the hart's
 * own checks. SC's write is decided after the step (`sc`: whether it succeeded).
 */
function accessesAt(hart: Hart, bus: Bus): { accesses: Access[]; scRd: number } {
  const lo = bus.read(hart.pc, 2);
  if (lo === undefined) return { accesses: [], scRd: -1 };
  const hi = isLong(lo) ? bus.read(hart.pc + 2, 2) : 0;
  if (hi === undefined) return { accesses: [], scRd: -1 };
  const d = decode(isLong(lo) ? (lo | (hi << 16)) >>> 0 : lo);
  const ea = (hart.x[d.rs1] + d.imm) >>> 0;
  const base = hart.x[d.rs1] >>> 0;
  switch (d.op) {
    case Op.LB: case Op.LBU: return { accesses: [{ addr: ea, size: 1, kind: 'read' }], scRd: -1 };
    case Op.LH: case Op.LHU: return { accesses: [{ addr: ea, size: 2, kind: 'read' }], scRd: -1 };
    case Op.LW: return { accesses: [{ addr: ea, size: 4, kind: 'read' }], scRd: -1 };
    case Op.SB: return { accesses: [{ addr: ea, size: 1, kind: 'write' }], scRd: -1 };
    case Op.SH: return { accesses: [{ addr: ea, size: 2, kind: 'write' }], scRd: -1 };
    case Op.SW: return { accesses: [{ addr: ea, size: 4, kind: 'write' }], scRd: -1 };
    case Op.LR_W: return { accesses: [{ addr: base, size: 4, kind: 'read' }], scRd: -1 };
    case Op.SC_W: return { accesses: [{ addr: base, size: 4, kind: 'write' }], scRd: d.rd };
    case Op.AMOSWAP_W: case Op.AMOADD_W: case Op.AMOXOR_W: case Op.AMOAND_W: case Op.AMOOR_W:
    case Op.AMOMIN_W: case Op.AMOMAX_W: case Op.AMOMINU_W: case Op.AMOMAXU_W:
      return { accesses: [{ addr: base, size: 4, kind: 'read' }, { addr: base, size: 4, kind: 'write' }], scRd: -1 };
    default: return { accesses: [], scRd: -1 };
  }
}

function matches(a: Access, ws: readonly HartWatchpoint[]): boolean {
  return ws.some((w) => (a.kind === 'read' ? w.kind !== 'write' : w.kind !== 'read')
    && a.addr < (w.addr >>> 0) + w.size && (w.addr >>> 0) < a.addr + a.size);
}

interface Current { pc: number; icount: number; accesses: Access[]; scRd: number }

/** Reference stops for several watch sets at once, from one run. */
type Sets = readonly (readonly HartWatchpoint[])[];

/**
 * The reference: one instruction at a time in the interpreter, the accesses of each instruction
 * decoded at execute()'s entry (so after the machine took an interrupt), matched against each set.
 */
function stepped(name: string, sets: Sets, until: number): Stop[][] {
  const m = machine(name, false);
  const hart = m.hart;
  // Set by the execute() wrapper (TypeScript cannot see it assigned there, hence the cast below).
  const seen: { cur?: Current } = {};
  const execute = hart.execute.bind(hart);
  hart.execute = (limit: number) => {
    if (hart.icount < limit) seen.cur = { pc: hart.pc >>> 0, icount: hart.icount, ...accessesAt(hart, m.bus) };
    return execute(limit);
  };
  const out: Stop[][] = sets.map(() => []);
  // Write watches also see writes no instruction decodes to (semihosting filling a buffer): their
  // bytes are compared around each step, and such a stop is marked `other` (its hits are checked
  // against the ebreak that made them, see sameStops).
  const u8 = m.ram.u8;
  const watched = sets.map((ws) => ws.filter((w) => w.kind !== 'read').map((w) => {
    const off = (w.addr - m.ram.base) >>> 0;
    assert.ok(off + w.size <= u8.length, 'write watches of guests are in RAM');
    return { off, copy: u8.slice(off, off + w.size) };
  }));
  /** Whether set k's write-watched bytes changed since the last call. */
  const changed = (k: number): boolean => {
    let diff = false;
    for (const { off, copy } of watched[k]) {
      for (let i = 0; i < copy.length; i++) if (u8[off + i] !== copy[i]) { copy[i] = u8[off + i]; diff = true; }
    }
    return diff;
  };
  while (hart.icount < until) {
    seen.cur = undefined;
    if (m.run(hart.icount + 1).kind !== 'limit') break;
    const c = seen.cur as Current | undefined;
    sets.forEach((ws, k) => {
      const bytesChanged = changed(k);
      let hits: WatchHit[] = [];
      if (c !== undefined && !(c.scRd >= 0 && hart.x[c.scRd] !== 0)) { // a failed SC writes nothing
        hits = c.accesses.filter((a) => matches(a, ws)).map((a) => ({ ...a, pc: c.pc, icount: c.icount }));
      }
      if (hits.length > 0) out[k].push({ icount: hart.icount, pc: hart.pc >>> 0, hits });
      else if (bytesChanged) out[k].push({ icount: hart.icount, pc: hart.pc >>> 0, hits: [], other: { pc: c?.pc ?? -1, icount: c?.icount ?? -1 } });
    });
  }
  return out;
}

/** The hook: full speed (JIT on, code translated during `warmup`), stopping after each hit. */
function hooked(name: string, ws: readonly HartWatchpoint[], until: number, warmup: number, before: readonly HartWatchpoint[] = []): { stops: Stop[]; m: VirtMachine } {
  const m = machine(name, true);
  m.hart.setWatchpoints(before); // (watchOn still off)
  m.run(warmup);
  if (warmup > 0) assert.ok(m.hart.jit.stats.regions > 0, 'code was translated before the watchpoints were set');
  m.hart.setWatchpoints(ws);
  m.hart.watchOn = true;
  const stops: Stop[] = [];
  for (;;) {
    const r = m.run(until);
    if (r.kind !== 'watchpoint') break;
    stops.push({ icount: m.hart.icount, pc: m.hart.pc >>> 0, hits: m.hart.watchHits.map((h) => ({ ...h })) });
    assert.equal(m.hart.watchHit, m.hart.watchHits[0]);
  }
  return { stops, m };
}

/** Everything a run leaves behind: the hart and RAM. */
function digest(m: VirtMachine): string {
  return createHash('sha256').update(JSON.stringify(m.hart.save())).update(m.ram.u8).digest('hex');
}

function plain(name: string, until: number): VirtMachine {
  const m = machine(name, true);
  m.run(until);
  return m;
}

function checkGuest(name: string, sets: Sets, until: number, warmup: number, minHits: number[], before: readonly HartWatchpoint[] = []): void {
  const want = stepped(name, sets, until).map((s) => s.filter((x) => (x.other ?? x.hits[0]).icount >= warmup));
  const end = digest(plain(name, until));
  sets.forEach((ws, k) => {
    assert.ok(want[k].length >= minHits[k], `set ${k}: only ${want[k].length} hits: the test would prove little`);
    const { stops, m } = hooked(name, ws, until, warmup, before);
    sameStops(stops, want[k], ws, m, `set ${k}`);
    assert.equal(digest(m), end, `set ${k}: stopping and resuming changed nothing`);
  });
}

test('bench-small: stops equal a single-stepped run (write, read, readwrite across pages, a code page), code translated before', () => {
  const m = machine('bench-small.elf', false);
  const sieve = symbol(m, 'sieve');
  const buf = symbol(m, 'buf');
  assert.equal(sieve >>> PAGE_SHIFT, m.elf.entry >>> PAGE_SHIFT, 'sieve starts on the code page (whose stores already take the page-state branch)');
  const boundary = ((sieve + 0x8000) & ~0xfff) >>> 0;
  const w1: HartWatchpoint[] = [{ addr: sieve + 100, size: 4, kind: 'write' }];
  const w2: HartWatchpoint[] = [{ addr: buf + 10, size: 2, kind: 'read' }];
  const w3: HartWatchpoint[] = [{ addr: boundary - 2, size: 4, kind: 'readwrite' }];
  const all = [...w1, ...w2, ...w3, { addr: sieve + 40000, size: 1, kind: 'read' as const }];
  // One round of bench-small is about 1.45 M instructions: from the middle of the first to the second.
  checkGuest('bench-small.elf', [w1, w2, w3, all], 3_200_000, 1_000_000, [4, 2, 8, 16]);
});

test('timer: stops equal a single-stepped run with interrupts (a write in the handler, reads in the loop)', () => {
  const m = machine('timer.elf', false);
  const ticks = symbol(m, 'ticks');
  const work = symbol(m, 'work');
  const w1: HartWatchpoint[] = [{ addr: ticks, size: 4, kind: 'write' }];
  const w2: HartWatchpoint[] = [{ addr: work + 12, size: 4, kind: 'read' }, { addr: work + 40, size: 8, kind: 'readwrite' }];
  checkGuest('timer.elf', [w1, w2], 1_000_000, 20_000, [40, 20]);
});

test('timer: code translated for other read watchpoints is retranslated for the new ones', () => {
  const m = machine('timer.elf', false);
  const ticks = symbol(m, 'ticks');
  const work = symbol(m, 'work');
  // Translated loads are compiled to leave for the bytes of the read watchpoints set then (work[3]);
  // ticks lies outside those: the regions must be dropped when the watchpoints change.
  checkGuest('timer.elf', [[{ addr: ticks, size: 4, kind: 'read' }]], 1_000_000, 20_000, [100], [{ addr: work + 12, size: 4, kind: 'read' }]);
});

test('semihosting cat.elf: a semihosting call filling a watched buffer stops after its ebreak; stores and loads as above', () => {
  const m = machine('semihosting/cat.elf', false);
  const cmdline = symbol(m, 'cmdline.0');
  const argv = symbol(m, 'argv.1');
  const w1: HartWatchpoint[] = [{ addr: cmdline, size: 0x400, kind: 'write' }];
  const w2: HartWatchpoint[] = [{ addr: cmdline, size: 16, kind: 'readwrite' }, { addr: argv, size: 16, kind: 'write' }];
  checkGuest('semihosting/cat.elf', [w1, w2], 2_000_000, 0, [2, 4]);
});

test('watchOn off ignores watchpoints; clearing them lifts the page flags', () => {
  const until = 1_200_000;
  const m = machine('bench-small.elf', true);
  const sieve = symbol(m, 'sieve');
  const ws: HartWatchpoint[] = [{ addr: sieve + 100, size: 4, kind: 'readwrite' }, { addr: sieve + 0x5000, size: 0x2000, kind: 'readwrite' }];
  m.run(300_000);
  m.hart.setWatchpoints(ws);
  const flagged = (ram: Ram): number => ram.watchWrite.reduce((a, b) => a + b, 0);
  assert.equal(flagged(m.ram), 4, 'pages flagged for writes');
  assert.equal(m.hart.watchRead.reduce((a, b) => a + b, 0), 4, 'pages flagged for reads');
  assert.equal(m.run(until).kind, 'limit', 'watchOn off: no stop');
  assert.equal(m.hart.icount, until);
  assert.equal(digest(m), digest(plain('bench-small.elf', until)));
  const page = ((sieve + 0x5000 - m.ram.base) >>> PAGE_SHIFT);
  assert.notEqual(m.ram.pageState[page], PAGE_DIRTY, 'a write-watched page never becomes PAGE_DIRTY');
  assert.equal(m.ram.dirty[page], 1, 'but its writes are tracked');

  m.hart.watchOn = true;
  assert.equal(m.run(until + 1_000_000).kind, 'watchpoint');
  assert.ok(m.hart.watchHits.length > 0);
  m.hart.setWatchpoints([]);
  assert.equal(flagged(m.ram), 0);
  assert.equal(m.hart.watchRead.reduce((a, b) => a + b, 0), 0);
  assert.equal(m.run(until + 1_000_000).kind, 'limit', 'cleared: no stop');
  assert.deepEqual(m.hart.watchHits, []);
  assert.equal(digest(m), digest(plain('bench-small.elf', until + 1_000_000)));
  assert.throws(() => m.hart.setWatchpoints([{ addr: sieve, size: 0, kind: 'write' }]), /size/);
  assert.throws(() => m.hart.setWatchpoints([{ addr: sieve, size: 1, kind: 'modify' as never }]), /kind/);
});

test("'change' watchpoints stop only where the watched bytes change (the sieve stores the same bytes again and again)", () => {
  const until = 6_000_000;
  const warmup = 1_000_000;
  const ref = machine('bench-small.elf', false);
  const addr = symbol(ref, 'sieve') + 100;
  const size = 4;
  // The reference: one instruction at a time, the bytes compared after each.
  ref.run(warmup);
  const off = addr - ref.ram.base;
  let copy = ref.ram.u8.slice(off, off + size);
  const want: string[] = [];
  while (ref.hart.icount < until) {
    if (ref.run(ref.hart.icount + 1).kind !== 'limit') break;
    const now = ref.ram.u8.slice(off, off + size);
    if (now.some((b, i) => b !== copy[i])) { want.push(`${ref.hart.icount}@${(ref.hart.pc >>> 0).toString(16)}`); copy = now; }
  }
  assert.ok(want.length >= 4, `only ${want.length} changes: the test would prove little`);
  const hooked = (kind: 'change' | 'write'): string[] => {
    const m = machine('bench-small.elf', true);
    m.run(warmup);
    m.hart.setWatchpoints([{ addr, size, kind }]);
    m.hart.watchOn = true;
    const stops: string[] = [];
    while (m.run(until).kind === 'watchpoint') {
      assert.equal(m.hart.watchHit?.kind, 'write');
      stops.push(`${m.hart.icount}@${(m.hart.pc >>> 0).toString(16)}`);
    }
    assert.equal(m.hart.icount, until);
    return stops;
  };
  assert.deepEqual(hooked('change'), want);
  // The same stores as 'write' stop far more often: the bytes stay the same at most of them.
  const writes = hooked('write').length;
  assert.ok(writes > want.length + 4, `${writes} stores, ${want.length} changes`);
});

// ---- a hand-made program: AMOs, LR/SC, compressed, misaligned across pages, MMIO ------------------

const BASE = 0x80000000;
const MMIO = 0x10000000;
const amo = (f5: number, rd: number, rs1: number, rs2: number): number => R(f5 << 2, rs2, rs1, 2, rd, 0x2f);
const LR = 0b00010, SC = 0b00011, AMOADD = 0b00000, AMOSWAP = 0b00001;
// c.lw rd', off(rs1') / c.sw rs2', off(rs1'): registers x8..x15, offset a multiple of 4 below 128.
const cmem = (f3: number, r: number, rs1: number, off: number): number =>
  (f3 << 13) | (((off >> 3) & 7) << 10) | ((rs1 - 8) << 7) | (((off >> 2) & 1) << 6) | (((off >> 6) & 1) << 5) | ((r - 8) << 2);
const c_lw = (rd: number, rs1: number, off: number): number => cmem(0b010, rd, rs1, off);
const c_sw = (rs2: number, rs1: number, off: number): number => cmem(0b110, rs2, rs1, off);

/** Halfwords of the program (4-byte instructions as two). */
function program(): Uint16Array {
  const h: number[] = [];
  const w = (x: number): void => { h.push(x & 0xffff, x >>> 16); };
  const c = (x: number): void => { h.push(x); };
  w(lui(11, 0x80002)); // x11 = data, page 2
  w(addi(12, 0, 40)); // loop count
  w(addi(13, 0, 0x55));
  w(lui(20, MMIO >>> 12));
  // loop: a translated loop with loads and stores on watched and unwatched words
  const loop = h.length;
  w(lw(14, 11, 0)); // A: read
  w(addi(14, 14, 1));
  w(sw(14, 11, 0)); // A: write
  w(sb(13, 11, 8)); // B: write
  w(lbu(15, 11, 16)); // C: read
  w(sw(14, 11, 0x100)); // unwatched word on the same page
  w(lw(15, 11, 0x200)); // unwatched word on the same page
  c(c_lw(14, 11, 4)); // E: compressed read
  c(c_sw(13, 11, 4)); // E: compressed write
  w(addi(12, 12, -1));
  w(bne(12, 0, (loop - h.length) * 2));
  w(amo(LR, 16, 11, 0)); // A: read
  w(amo(SC, 17, 11, 13)); // A: write (succeeds)
  w(amo(SC, 18, 11, 13)); // A: fails (no reservation): no write
  w(amo(AMOADD, 19, 11, 13)); // A: read, then write
  w(addi(21, 11, 0x40));
  w(amo(AMOSWAP, 22, 21, 13)); // F: write-only watch sees the write only
  w(lui(10, 0x80003));
  w(addi(10, 10, -2)); // x10 = 0x80002ffe
  w(lw(23, 10, 0)); // misaligned across pages 2 and 3: read
  w(sw(13, 10, 0)); // misaligned across pages: one write of 4 bytes (D sees its last 2)
  w(sw(13, 20, 0)); // MMIO: write
  w(lw(24, 20, 4)); // MMIO: read
  w(lw(24, 20, 8)); // MMIO: unwatched read
  w(0x0000006f); // j .
  return Uint16Array.from(h);
}

function store(): MmioDevice & { words: number[] } {
  const d = {
    name: 'words', base: MMIO, size: 0x100, words: [0, 0, 0, 0],
    read(off: number): number { return d.words[off >>> 2] ?? 0; },
    write(off: number, _size: number, v: number): boolean { d.words[off >>> 2] = v; return true; },
  };
  return d;
}

function bare(jit: boolean): { hart: Hart; bus: Bus; ram: Ram } {
  const ram = new Ram(BASE, 64 * 1024);
  const bus = new Bus(ram);
  bus.addDevice(store());
  const p = program();
  ram.u16.set(p);
  const hart = new Hart({ bus, readTime: () => 0 }, { jit });
  hart.jit.hotAfter = 1;
  hart.reset(BASE);
  return { hart, bus, ram };
}

const HAND_WATCHES: HartWatchpoint[] = [
  { addr: 0x80002000, size: 4, kind: 'readwrite' }, // A
  { addr: 0x80002008, size: 1, kind: 'write' }, // B
  { addr: 0x80002010, size: 1, kind: 'read' }, // C
  { addr: 0x80003000, size: 1, kind: 'write' }, // D: page 3, the tail of a misaligned store
  { addr: 0x80002004, size: 4, kind: 'read' }, // E
  { addr: 0x80002040, size: 4, kind: 'write' }, // F
  { addr: MMIO, size: 4, kind: 'write' },
  { addr: MMIO + 4, size: 4, kind: 'read' },
];

test('hand-made program: LR/SC/AMOs, compressed and misaligned accesses across pages, MMIO; JIT and interpreter alike', () => {
  const until = 2_000;
  const warm = 4 + 5 * 11; // five loop iterations, translated, before the watchpoints are set
  // Reference: step the interpreter.
  const ref = bare(false);
  const want: Stop[] = [];
  while (ref.hart.icount < until) {
    const pc = ref.hart.pc >>> 0, icount = ref.hart.icount;
    const { accesses, scRd } = accessesAt(ref.hart, ref.bus);
    const ex = ref.hart.execute(icount + 1);
    assert.ok(ex === Exit.LIMIT || ex === Exit.EVENT, `exit ${ex}`);
    if (scRd >= 0 && ref.hart.x[scRd] !== 0) continue;
    const hits = accesses.filter((a) => matches(a, HAND_WATCHES)).map((a) => ({ ...a, pc, icount }));
    if (hits.length > 0 && icount >= warm) want.push({ icount: ref.hart.icount, pc: ref.hart.pc >>> 0, hits });
  }
  // What the program must show (so that the reference itself is checked too).
  const across = want.filter((s) => s.hits.some((h) => h.addr === 0x80002ffe));
  assert.deepEqual(across.map((s) => s.hits), [[{ addr: 0x80002ffe, size: 4, kind: 'write', pc: across[0]?.hits[0].pc, icount: across[0]?.hits[0].icount }]],
    'the misaligned store across pages: one 4-byte write (its load is not watched)');
  assert.equal(want.filter((s) => s.hits.length === 2).length, 1, 'the AMO on A: a read and a write');
  assert.ok(want.some((s) => s.hits[0].addr === MMIO + 4 && s.hits[0].kind === 'read'), 'MMIO read');
  assert.ok(want.some((s) => s.hits[0].addr === MMIO && s.hits[0].kind === 'write'), 'MMIO write');
  assert.ok(want.some((s) => s.hits[0].addr === 0x80002040 && s.hits[0].kind === 'write' && s.hits.length === 1), 'AMO on a write-only watch: its write');
  assert.equal(want.filter((s) => s.hits[0].addr === 0x80002004).length, 35, 'compressed load hits, one per iteration');
  for (const jit of [true, false]) {
    const { hart, ram } = bare(jit);
    let ex = hart.execute(warm);
    assert.equal(ex, Exit.LIMIT);
    if (jit) assert.ok(hart.jit.stats.regions > 0, 'the loop was translated');
    hart.setWatchpoints(HAND_WATCHES);
    hart.watchOn = true;
    const got: Stop[] = [];
    for (let n = 0; n < 10_000; n++) {
      ex = hart.execute(until);
      if (ex === Exit.WATCHPOINT) got.push({ icount: hart.icount, pc: hart.pc >>> 0, hits: hart.watchHits.map((h) => ({ ...h })) });
      else if (ex === Exit.LIMIT) break;
    }
    assert.deepEqual(got, want, jit ? 'JIT' : 'interpreter');
    assert.equal(hart.icount, until);
    assert.equal(ram.pageState[2] === PAGE_DIRTY, false);
    assert.equal(ram.dirty[2], 1);
  }
});

test('a watched write made by the hart outside execute() (a snapshot restore, the debugger writing memory) is no hit', () => {
  const { hart, bus } = bare(true);
  hart.setWatchpoints(HAND_WATCHES);
  hart.watchOn = true;
  bus.write(0x80002000, 4, 0x1234);
  bus.writeBytes(0x80002ffe, Uint8Array.of(1, 2, 3, 4));
  assert.equal(hart.execute(3), Exit.LIMIT);
  assert.deepEqual(hart.watchHits, []);
});
