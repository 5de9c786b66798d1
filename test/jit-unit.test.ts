// The block JIT on hand-made programs, always against the interpreter: self-modifying code,
// code and data on one page, fence.i, traps and MMIO in the middle of a block, blocks across a
// page boundary, an instruction straddling two pages, exact icount at every limit, pages kept
// from the JIT, flushes, save/restore; then random programs.
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { Hart, Exit } from '../core/cpu/hart';
import { Ram } from '../core/mem/ram';
import { Bus, type MmioDevice } from '../core/mem/bus';
import { R, I, S, B, J, addi, add, lw, lbu, sw, sh, sb, bne, blt, jal, jalr, lui, auipc, csrrw, csrrs, FENCE_I, ECALL, MRET } from './helpers/encode';

/** Translate only code that has run (the default), or everything reachable (bigger regions, more edges inside them). */
let exploreAll = false;

/** Every test runs in both exploration modes. */
function test(name: string, fn: () => void): void {
  nodeTest(name, () => { exploreAll = false; fn(); });
  nodeTest(`${name} [translating all reachable code]`, () => { exploreAll = true; try { fn(); } finally { exploreAll = false; } });
}

const BASE = 0x80000000;
const RAM_SIZE = 64 * 1024;
const MMIO = 0x10000000;

const NOP = addi(0, 0, 0);
const C_NOP = 0x0001;
const MSCRATCH = 0x340, MEPC = 0x341, MTVEC = 0x305;

/** A trap handler (at `at`, in words) that skips the trapping 4-byte instruction: mepc += 4; mret. */
function handler(words: number[], at: number): void {
  words[at] = csrrs(31, MEPC, 0);
  words[at + 1] = addi(31, 31, 4);
  words[at + 2] = csrrw(0, MEPC, 31);
  words[at + 3] = MRET;
}

/** An MMIO device that counts reads and returns the count. */
function counter(): MmioDevice & { reads: number } {
  const d = {
    name: 'counter', base: MMIO, size: 0x100, reads: 0,
    read(): number { return ++d.reads & 0xff; },
    write(): boolean { return true; },
  };
  return d;
}

interface One { hart: Hart; ram: Ram; bus: Bus; dev: MmioDevice & { reads: number } }

function one(jit: boolean, image: Uint8Array): One {
  const ram = new Ram(BASE, RAM_SIZE);
  const bus = new Bus(ram);
  const dev = counter();
  bus.addDevice(dev);
  ram.u8.set(image);
  const hart = new Hart({ bus, readTime: () => 0 }, { jit });
  hart.jit.hotAfter = 1; // translate at once: these programs are short
  hart.jit.exploreAll = exploreAll;
  hart.reset(BASE);
  return { hart, ram, bus, dev };
}

function imageOf(words: number[] | Uint16Array): Uint8Array {
  if (words instanceof Uint16Array) return new Uint8Array(words.buffer.slice(0));
  const img = new Uint8Array(RAM_SIZE);
  const dv = new DataView(img.buffer);
  words.forEach((w, i) => { if (w !== undefined) dv.setUint32(i * 4, w >>> 0, true); });
  return img;
}

class Pair {
  readonly j: One;
  readonly i: One;
  constructor(image: Uint8Array, setup?: (h: Hart) => void) {
    this.j = one(true, image);
    this.i = one(false, image);
    if (setup) { setup(this.j.hart); setup(this.i.hart); }
  }

  /** execute(limit) on both; the exits and everything after must agree. */
  run(limit: number, where = ''): Exit {
    const ej = this.j.hart.execute(limit);
    const ei = this.i.hart.execute(limit);
    assert.equal(ej, ei, `exit ${where} (limit ${limit}, icount ${this.i.hart.icount})`);
    this.check(`${where} (limit ${limit})`);
    return ej;
  }

  check(where: string): void {
    assert.deepEqual(this.j.hart.save(), this.i.hart.save(), `hart ${where}`);
    assert.ok(Buffer.from(this.j.ram.buffer).equals(Buffer.from(this.i.ram.buffer)), `RAM ${where}`);
    assert.ok(Buffer.from(this.j.ram.dirty).equals(Buffer.from(this.i.ram.dirty)), `dirty pages ${where}`);
    assert.equal(this.j.dev.reads, this.i.dev.reads, `MMIO reads ${where}`);
  }

  /** Runs to `icount` in calls that return at events, as the machine would; checks after every call. */
  runTo(icount: number, step = Infinity): void {
    for (let n = 0; this.i.hart.icount < icount; n++) {
      assert.ok(n < 1_000_000, 'no progress');
      const limit = Math.min(icount, this.i.hart.icount + step);
      const ex = this.run(limit);
      if (ex === Exit.WFI || ex === Exit.TRAP_LOOP) break;
    }
  }
}

/** Runs the program with every step size in `steps` (each from a fresh pair) to `icount`. */
function everyWay(image: Uint8Array, icount: number, steps = [1, 2, 3, 7, 1000, Infinity], setup?: (h: Hart) => void): Pair {
  let last: Pair | undefined;
  for (const step of steps) {
    last = new Pair(image, setup);
    last.runTo(icount, step);
  }
  return last!;
}

// ---- tests -----------------------------------------------------------------------------------

test('a loop runs translated and stops at exactly every limit', () => {
  // x1 counts to 1000 in a 3-instruction loop, then x2 = 1.
  const img = imageOf([addi(1, 0, 0), addi(3, 0, 1000), addi(1, 1, 1), blt(1, 3, -4), addi(2, 0, 1), jal(0, 0)]);
  for (let limit = 1; limit <= 120; limit++) {
    const p = new Pair(img);
    p.run(limit);
    assert.equal(p.j.hart.icount, limit);
  }
  const p = everyWay(img, 3100);
  assert.equal(p.j.hart.x[1], 1000);
  assert.equal(p.j.hart.x[2], 1);
  assert.ok(p.j.hart.jit.stats.regions >= 1);
});

test('self-modifying code: a store rewrites the next instruction of the running block', () => {
  // Loop: x7 = word at +40; store it over +20; +20 runs (addi x5,x5,1 at first, then addi x5,x5,100).
  const w: number[] = [];
  w[0] = addi(5, 0, 0);
  w[1] = auipc(6, 0); //          x6 = BASE + 4
  w[2] = addi(10, 0, 0); //       x10: iterations
  w[3] = lw(7, 6, 36); //         word at BASE + 40
  w[4] = sw(7, 6, 16); //         over BASE + 20
  w[5] = addi(5, 5, 1); //        BASE + 20: rewritten
  w[6] = addi(10, 10, 1);
  w[7] = addi(11, 0, 50);
  w[8] = blt(10, 11, -20); //     back to w[3]
  w[9] = jal(0, 0);
  w[10] = addi(5, 5, 100); //     the replacement (data)
  const p = everyWay(imageOf(w), 400);
  assert.equal(p.j.hart.x[5], 5000, 'every pass ran the rewritten instruction');
  assert.ok(p.j.hart.jit.stats.invalidated > 0, 'the store dropped translated code');
});

test('self-modifying code: a loop rewrites an instruction in another translated block', () => {
  // The loop body calls a "function" at +64 whose first instruction it patches each round:
  // addi x5, x5, k with k = round number.
  const w: number[] = [];
  w[0] = addi(10, 0, 0); //                 round
  w[1] = auipc(6, 0); //                    x6 = BASE + 4
  w[2] = lui(12, 0); //                     x12: encoding of addi x5,x5,0 built below
  w[3] = addi(12, 0, 0x293); //             0x00028293 = addi x5,x5,0 -> build with lui/addi
  w[4] = lui(13, 0x28); //                  x13 = 0x28000
  w[5] = add(12, 12, 13); //                x12 = 0x28293
  // loop (w[6]):
  w[6] = addi(10, 10, 1);
  w[7] = I(0x13, 14, 1, 10, 20); //         slli x14, x10, 20   (imm field = round)
  w[8] = add(14, 14, 12); //                addi x5, x5, round
  w[9] = sw(14, 6, 60); //                  patch BASE + 64
  w[10] = jal(1, 64 - 40); //               call BASE + 64
  w[11] = addi(11, 0, 40);
  w[12] = blt(10, 11, -24); //              back to w[6]
  w[13] = jal(0, 0);
  w[16] = addi(5, 5, 0); //                 BASE + 64: patched
  w[17] = jalr(0, 1, 0);
  const p = everyWay(imageOf(w), 500);
  assert.equal(p.j.hart.x[5], (40 * 41) / 2);
});

test('code and data on the same page: data stores keep the translations', () => {
  // A loop that stores into a buffer right after its own code (same 4 KiB page).
  const w: number[] = [];
  w[0] = auipc(8, 0);
  w[1] = addi(8, 8, 64); //     x8 = BASE + 64: the buffer
  w[2] = addi(9, 0, 0);
  w[3] = addi(11, 0, 500);
  w[4] = sb(9, 8, 0); //        loop: buf[i] = i
  w[5] = sh(9, 8, 2);
  w[6] = addi(9, 9, 1);
  w[7] = blt(9, 11, -12);
  w[8] = jal(0, 0);
  const p = everyWay(imageOf(w), 3000);
  assert.equal(p.j.hart.jit.stats.invalidated, 0, 'no translation was dropped');
  assert.ok(p.j.hart.jit.stats.regions <= 3, `regions: ${p.j.hart.jit.stats.regions}`);
});

test('fence.i after writing code, and the written code runs', () => {
  const w: number[] = [];
  w[0] = auipc(6, 0); //          x6 = BASE
  w[1] = addi(10, 0, 0);
  // loop (w[2]): write "addi x5, x5, 3" at +48, fence.i, call it
  w[2] = lw(7, 6, 60); //         the instruction (data at BASE + 60)
  w[3] = sw(7, 6, 48);
  w[4] = FENCE_I;
  w[5] = jal(1, 48 - 20); //      call BASE + 48
  w[6] = addi(10, 10, 1);
  w[7] = addi(11, 0, 30);
  w[8] = blt(10, 11, -24);
  w[9] = jal(0, 0);
  w[12] = NOP; //                 BASE + 48: becomes addi x5, x5, 3
  w[13] = jalr(0, 1, 0);
  w[15] = addi(5, 5, 3); //       BASE + 60
  const p = everyWay(imageOf(w), 300);
  assert.equal(p.j.hart.x[5], 90);
});

test('a trap in the middle of a block: earlier instructions retire, the faulting one does not', () => {
  // Block: addi; addi; lw from unmapped (traps); addi. Handler skips the load. Loop 20 times.
  const w: number[] = [];
  w[0] = auipc(20, 0);
  w[1] = addi(21, 20, 256); //     handler
  w[2] = csrrw(0, MTVEC, 21);
  w[3] = addi(10, 0, 0);
  w[4] = addi(1, 1, 1); //         loop
  w[5] = addi(2, 2, 2);
  w[6] = lw(3, 0, 0x100); //       access fault
  w[7] = addi(4, 4, 4);
  w[8] = lw(3, 0, 0x102); //       misaligned and unmapped
  w[9] = addi(10, 10, 1);
  w[10] = addi(11, 0, 20);
  w[11] = blt(10, 11, -28);
  w[12] = ECALL; //                 also handled
  w[13] = jal(0, 0);
  handler(w, 64);
  const p = everyWay(imageOf(w), 600);
  const h = p.j.hart;
  assert.equal(h.x[1], 20);
  assert.equal(h.x[4], 80);
  assert.equal(h.mcause, 11);
  assert.equal(h.mepc >>> 0, BASE + 52, 'the ecall trapped (and the handler stepped over it)');
  const fresh = new Pair(imageOf(w));
  fresh.runTo(4 + 2 + 1); // setup, two addi, then the load traps and the handler's first instruction runs
  assert.equal(fresh.j.hart.mcause, 5, 'the load faulted');
  assert.equal(fresh.j.hart.mepc, BASE + 24);
  assert.equal(fresh.j.hart.x[2], 2, 'instructions before it retired');
  assert.equal(fresh.j.hart.x[4], 0, 'instructions after it did not run');
});

test('MMIO in the middle of a block returns to the machine at the same icounts', () => {
  const w: number[] = [];
  w[0] = lui(8, MMIO >>> 12);
  w[1] = addi(10, 0, 0);
  w[2] = addi(1, 1, 1); //       loop
  w[3] = lbu(5, 8, 0); //        MMIO read (EVENT)
  w[4] = add(6, 6, 5);
  w[5] = sw(5, 8, 4); //         MMIO write (EVENT)
  w[6] = addi(10, 10, 1);
  w[7] = addi(11, 0, 100);
  w[8] = blt(10, 11, -24);
  w[9] = jal(0, 0);
  for (const step of [1, 5, Infinity]) {
    const p = new Pair(imageOf(w));
    let events = 0;
    while (p.i.hart.icount < 800) {
      const ex = p.run(Math.min(800, p.i.hart.icount + step));
      if (ex === Exit.EVENT) events++;
    }
    assert.equal(p.j.dev.reads, 100);
    assert.ok(events >= (step === 1 ? 0 : 200), `events: ${events}`);
  }
});

test('a run that starts inside a translated loop (where a debugger stops) translates nothing new', () => {
  // A 4-instruction loop whose block stores first: the positions after the store are where a
  // region's resume entries used to be copies of the loop's tail, code V8 had never run.
  const w: number[] = [];
  w[0] = lui(8, (BASE + 0x8000) >>> 12); // data page
  w[1] = addi(3, 0, 2000);
  w[2] = sw(1, 8, 0); //          loop: store
  w[3] = addi(1, 1, 1);
  w[4] = addi(2, 2, 3);
  w[5] = blt(1, 3, -12);
  w[6] = jal(0, 0);
  const p = new Pair(imageOf(w));
  p.runTo(100); // translated by now (hotAfter = 1)
  const { regions } = p.j.hart.jit.stats;
  const runs = p.j.hart.jit.stats.runs;
  // One instruction at a time, then a run from there: every position of the loop starts a run.
  for (let k = 0; k < 40; k++) {
    p.run(p.i.hart.icount + 1, `step ${k}`);
    p.run(p.i.hart.icount + 50, `run ${k}`);
  }
  assert.equal(p.j.hart.jit.stats.regions, regions, 'no region translated at a position in the middle of the loop');
  assert.ok(p.j.hart.jit.stats.runs >= runs + 40, 'each run went back into the translated loop');
  p.runTo(8100);
  assert.equal(p.j.hart.x[1], 2000);
});

test('a loop across a page boundary, and a 4-byte instruction straddling two pages', () => {
  // Code at 0x80000ff0..0x80001010; the addi at 0x80000ffe straddles the pages (a c.nop before it
  // puts it at 2 mod 4). Then code on another page patches its upper half (on the second page).
  const hw = new Uint16Array(RAM_SIZE / 2);
  const put32 = (byteOff: number, v: number): void => { hw[byteOff >> 1] = v & 0xffff; hw[(byteOff >> 1) + 1] = v >>> 16; };
  const put16 = (byteOff: number, v: number): void => { hw[byteOff >> 1] = v; };
  // Entry at 0: x10 = 0; x11 = 64; jump to 0xff0.
  put32(0, addi(10, 0, 0));
  put32(4, addi(11, 0, 64));
  put32(8, jal(0, 0xff0 - 8));
  put32(0xff0, addi(1, 1, 1)); //        loop
  put32(0xff4, addi(2, 2, 2));
  put32(0xff8, addi(3, 3, 3));
  put16(0xffc, C_NOP);
  put32(0xffe, addi(5, 5, 1)); //        straddles 0x1000
  put32(0x1002, addi(10, 10, 1));
  put32(0x1006, blt(10, 11, 0xff0 - 0x1006));
  // After 64 rounds: patch the straddling instruction's upper half (on the second page) to make it
  // addi x5, x5, 0x7ff, then 64 rounds more, then stop in a jal-to-itself.
  const upper = addi(5, 5, 0x7ff) >>> 16;
  put32(0x100a, addi(13, 13, 1));
  put32(0x100e, addi(14, 0, 2));
  put32(0x1012, B(0, 13, 14, 0x102e - 0x1012)); // beq x13, x14, halt
  put32(0x1016, lui(8, 0x80001)); //              x8 = 0x80001000
  put32(0x101a, lui(9, (upper + 0x800) >>> 12));
  put32(0x101e, addi(9, 9, ((upper & 0xfff) << 20) >> 20));
  put32(0x1022, sh(9, 8, 0));
  put32(0x1026, addi(11, 0, 128));
  put32(0x102a, jal(0, 0xff0 - 0x102a));
  put32(0x102e, jal(0, 0));
  const img = new Uint8Array(hw.buffer);
  const p = everyWay(img, 2000);
  const h = p.j.hart;
  assert.equal(h.pc, BASE + 0x102e, 'halted');
  assert.equal(h.x[1], 128);
  assert.equal(h.x[5], 64 + 64 * 0x7ff, 'the patched upper half took effect');
});

test('a page kept from the JIT runs in the interpreter; lifting the flag translates again', () => {
  const img = imageOf([addi(1, 0, 0), addi(3, 0, 500), addi(1, 1, 1), blt(1, 3, -4), jal(0, 0)]);
  const p = new Pair(img);
  p.j.hart.setPageNoJit(0, true);
  p.runTo(600, 37);
  assert.equal(p.j.hart.jit.stats.regions, 0);
  p.j.hart.setPageNoJit(0, false);
  p.j.hart.pc = p.i.hart.pc = BASE;
  p.runTo(1200, 37);
  assert.ok(p.j.hart.jit.stats.regions > 0);
  // Flagging drops what is there.
  const before = p.j.hart.jit.stats.invalidated;
  p.j.hart.setPageNoJit(0, true);
  assert.ok(p.j.hart.jit.stats.invalidated > before);
  p.runTo(1400, 37);
});

test('flushDecodeCache after RAM is rewritten behind the Ram\'s back', () => {
  const img = imageOf([addi(1, 1, 1), jal(0, -4)]);
  const p = new Pair(img);
  p.runTo(100);
  // Replace the addi with addi x1, x1, 10 without telling the Ram (as a wholesale restore would).
  for (const s of [p.j, p.i]) {
    new DataView(s.ram.buffer).setUint32(0, addi(1, 1, 10), true);
    s.hart.flushDecodeCache();
  }
  p.runTo(200);
  assert.equal(p.j.hart.x[1], 50 + 500);
});

test('rewriting code with the same bytes keeps the translation; a snapshot-style page restore too', () => {
  // The loop stores the word it loads from its own first instruction back over it.
  const w = [lw(7, 9, 0), sw(7, 9, 0), addi(1, 1, 1), jal(0, -12)];
  const setup = (h: Hart): void => { h.x[9] = BASE; };
  const p = new Pair(imageOf(w), setup);
  p.runTo(2000, 100);
  assert.equal(p.j.hart.jit.stats.invalidated, 0, 'same bytes: nothing dropped');
  const regions = p.j.hart.jit.stats.regions;
  // A restore writes whole pages and touches them (core/snapshot/ram-image.ts).
  for (const s of [p.j, p.i]) { const page = s.ram.u8.slice(0, 4096); s.ram.u8.set(page, 0); s.ram.touch(0, 4096); }
  p.runTo(4000, 100);
  assert.equal(p.j.hart.jit.stats.invalidated, 0);
  assert.equal(p.j.hart.jit.stats.regions, regions, 'no recompilation');
  // Now a real change: addi x1, x1, 2.
  for (const s of [p.j, p.i]) { new DataView(s.ram.buffer).setUint32(8, addi(1, 1, 2), true); s.ram.touch(0, 4096); }
  const x1 = p.i.hart.x[1];
  p.runTo(6000, 100);
  assert.ok(p.j.hart.jit.stats.invalidated > 0);
  assert.ok(p.j.hart.x[1] - x1 > 900, 'the new code ran');
});

test('save/restore with the JIT: going back and running again gives the same results', () => {
  const w = [addi(1, 0, 0), addi(3, 0, 300), auipc(8, 0), addi(8, 8, 1024), sw(1, 8, 0), addi(8, 8, 4), addi(1, 1, 1), blt(1, 3, -12), jal(0, 0)];
  const p = new Pair(imageOf(w));
  p.runTo(333, 50);
  const sj = p.j.hart.save(), si = p.i.hart.save();
  p.runTo(900, 50);
  p.j.hart.restore(sj); p.i.hart.restore(si);
  p.check('after restore');
  p.runTo(1200, 13);
});

test('CSR reads, writes and wfi inside loops return exactly where the interpreter does', () => {
  const w: number[] = [];
  w[0] = addi(10, 0, 0);
  w[1] = csrrs(5, 0xb02, 0); //     minstret (reads icount)
  w[2] = csrrw(0, MSCRATCH, 5); //  a CSR write: EVENT
  w[3] = addi(10, 10, 1);
  w[4] = addi(11, 0, 50);
  w[5] = blt(10, 11, -16);
  w[6] = 0x10500073; //             wfi
  w[7] = jal(0, 0);
  everyWay(imageOf(w), 400, [1, 3, Infinity]);
});

// ---- random programs -------------------------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/**
 * A random program of `n` halfwords: ALU and M operations on x1..x7/x10..x15, loads and stores
 * through x8 (a data page) and x9 (the code itself: self-modifying), stores and loads that miss RAM
 * or are misaligned, branches and jumps nearby, compressed instructions, CSR accesses, ecall,
 * fence.i, illegal words. mtvec points at a handler that skips the instruction.
 */
function randomProgram(seed: number, n = 600): Uint8Array {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[r() % xs.length];
  const data = [1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15];
  const rd = (): number => pick(data);
  const hw = new Uint16Array(RAM_SIZE / 2);
  let at = 0; // halfword index
  const emit32 = (v: number): void => { hw[at++] = v & 0xffff; hw[at++] = v >>> 16; };
  // Prologue: x8 = BASE + 0x8000 (data), x9 = BASE (code), mtvec = handler at BASE + 0x7000.
  emit32(lui(8, 0x80008));
  emit32(lui(9, 0x80000));
  emit32(lui(20, 0x80007));
  emit32(csrrw(0, MTVEC, 20));
  const hIdx = 0x7000 / 2;
  const h = [csrrs(31, MEPC, 0), addi(31, 31, 4), csrrw(0, MEPC, 31), MRET];
  h.forEach((v, i) => { hw[hIdx + 2 * i] = v & 0xffff; hw[hIdx + 2 * i + 1] = v >>> 16; });
  const aluR = [[0, 0], [0x20, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0x20, 5], [0, 6], [0, 7], [1, 0], [1, 1], [1, 2], [1, 3], [1, 4], [1, 5], [1, 6], [1, 7]];
  while (at < n) {
    const k = r() % 100;
    if (k < 30) { const [f7, f3] = pick(aluR); emit32(R(f7, rd(), rd(), f3, rd(), 0x33)); }
    else if (k < 45) {
      const f3 = pick([0, 2, 3, 4, 6, 7, 1, 5]);
      const imm = f3 === 1 ? r() % 32 : f3 === 5 ? (r() % 32) | (r() % 2 ? 0x400 : 0) : (r() % 4096) - 2048;
      emit32(I(0x13, rd(), f3, rd(), imm));
    } else if (k < 55) emit32(I(0x03, rd(), pick([0, 1, 2, 4, 5]), 8, (r() % 512) - 256)); //   data loads
    else if (k < 63) emit32(S(pick([0, 1, 2]), rd(), 8, (r() % 512) - 256)); //                 data stores
    else if (k < 65) emit32(S(pick([0, 1, 2]), rd(), 9, (r() % (2 * n)) & ~1)); //                stores into the code
    else if (k < 67) emit32(I(0x03, rd(), pick([0, 2, 4]), pick([0, 8, 1]), (r() % 4096) - 2048)); // anywhere: faults, MMIO-less
    else if (k < 77) { // branch nearby (forward or backward), even offset
      const off = ((r() % 64) - 40) * 2;
      emit32(B(pick([0, 1, 4, 5, 6, 7]), rd(), rd(), off === 0 ? 8 : off));
    } else if (k < 80) emit32(J(pick([0, 1]), (((r() % 64) - 24) * 2) || 4));
    else if (k < 81) emit32(jalr(0, 1, 0)); // return to wherever x1 points (maybe a jal's link)
    else if (k < 88) { // compressed: c.addi, c.mv, c.add, c.li
      const c = r() % 4; const reg = pick([1, 2, 3, 5, 10, 11]);
      if (c === 0) hw[at++] = (((r() % 2) << 12) | (reg << 7) | ((r() % 32) << 2) | 1);
      else if (c === 1) hw[at++] = (0x8000 | (reg << 7) | (pick([1, 3, 5, 10]) << 2) | 2);
      else if (c === 2) hw[at++] = (0x9000 | (reg << 7) | (pick([1, 3, 5, 10]) << 2) | 2);
      else hw[at++] = (0x4000 | ((r() % 2) << 12) | (reg << 7) | ((r() % 32) << 2) | 1);
    } else if (k < 90) emit32(pick([csrrs(rd(), MSCRATCH, 0), csrrw(rd(), MSCRATCH, rd()), csrrs(rd(), 0xb02, 0), csrrs(rd(), 0xc00, 0)]));
    else if (k < 91) emit32(ECALL);
    else if (k < 92) emit32(FENCE_I);
    else if (k < 93) emit32(r() | 3); // probably illegal
    else if (k < 96) emit32(lui(rd(), r() % 0x100000));
    else emit32(auipc(rd(), r() % 16));
  }
  emit32(jal(0, -(at * 2 - 16))); // back to the start of the body
  return new Uint8Array(hw.buffer);
}

test('random programs: JIT and interpreter agree at every stop', () => {
  const r = rng(777);
  for (let seed = 1; seed <= 60; seed++) {
    const img = randomProgram(seed);
    const p = new Pair(img);
    // Stops at random icounts, from single steps to long runs.
    let stops = 0;
    while (p.i.hart.icount < 20_000 && stops < 3000) {
      const step = [1, 2, 3, 5, 17, 100, 1000][r() % 7];
      const ex = p.run(p.i.hart.icount + step, `seed ${seed}`);
      stops++;
      if (ex === Exit.TRAP_LOOP) break;
    }
  }
});

/**
 * Random loops: each sets a counter, runs a body of ALU operations, loads and stores (some
 * misaligned, some of them byte and halfword stores that patch the immediate or the rs1 of `addi`
 * instructions anywhere in the program, which stay valid), a forward skip or two, then counts down.
 */
function randomLoops(seed: number, loops = 12): { img: Uint8Array; patches: number } {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[r() % xs.length];
  const data = [1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14];
  const rd = (): number => pick(data);
  const hw = new Uint16Array(RAM_SIZE / 2);
  let at = 0;
  const emit32 = (v: number): number => { const o = at * 2; hw[at++] = v & 0xffff; hw[at++] = v >>> 16; return o; };
  emit32(lui(8, 0x80008)); // data
  emit32(lui(9, 0x80000)); // the code
  const addis: number[] = [];
  const patchSites: { at: number; width: number }[] = [];
  let patches = 0;
  for (let l = 0; l < loops; l++) {
    emit32(addi(15, 0, 3 + (r() % 40)));
    const top = at * 2;
    const len = 2 + (r() % 14);
    for (let i = 0; i < len; i++) {
      const k = r() % 100;
      if (k < 30) addis.push(emit32(addi(rd(), rd(), (r() % 4096) - 2048)));
      else if (k < 50) emit32(R(pick([0, 0x20, 1]) === 1 ? 1 : 0, rd(), rd(), pick([0, 1, 4, 6, 7]), rd(), 0x33));
      else if (k < 62) emit32(I(0x03, rd(), pick([0, 1, 2, 4, 5]), 8, (r() % 256) - 128));
      else if (k < 72) emit32(S(pick([0, 1, 2]), rd(), 8, (r() % 256) - 128));
      else if (k < 84) {
        // Patch a byte (bits 23:16 or 31:24) or the upper halfword of an addi anywhere in the
        // program (it stays an addi): the offset is filled in after generation.
        const width = r() % 2 ? 1 : 2;
        patchSites.push({ at: emit32(0), width });
        patches++;
      } else if (k < 90) emit32(B(pick([0, 1, 4, 5]), rd(), rd(), 8)); // skip the next instruction
      else emit32(lui(rd(), r() % 0x100000));
    }
    emit32(addi(15, 15, -1));
    emit32(bne(15, 0, top - at * 2));
  }
  emit32(jal(0, 0));
  for (const p of patchSites) {
    const target = addis[r() % addis.length];
    const v = p.width === 1 ? sb(rd(), 9, target + 2 + (r() % 2)) : sh(rd(), 9, target + 2);
    hw[p.at >> 1] = v & 0xffff; hw[(p.at >> 1) + 1] = v >>> 16;
  }
  return { img: new Uint8Array(hw.buffer), patches };
}

test('random loops that patch their own code: JIT and interpreter agree at every stop', () => {
  const r = rng(4242);
  let invalidated = 0, runs = 0;
  for (let seed = 1; seed <= 80; seed++) {
    const { img } = randomLoops(seed);
    const p = new Pair(img);
    while (p.i.hart.icount < 8000) {
      const step = [1, 3, 7, 50, 400, 5000][r() % 6];
      p.run(p.i.hart.icount + step, `seed ${seed}`);
    }
    invalidated += p.j.hart.jit.stats.invalidated;
    runs += p.j.hart.jit.stats.runs;
  }
  assert.ok(invalidated > 500, `stores dropped translated code ${invalidated} times`);
  assert.ok(runs > 10_000, `region runs: ${runs}`);
});
