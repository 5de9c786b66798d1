// Unit tests of the hart: arithmetic helpers against BigInt, exact icount around traps,
// interrupts and wfi, self-modifying code, CSR counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hart, Exit, mulh, mulhu, mulhsu } from '../core/cpu/hart';
import { Ram } from '../core/mem/ram';
import { Bus } from '../core/mem/bus';
import { MIP_MTIP, MSTATUS_MIE } from '../core/cpu/csr';

const BASE = 0x80000000;

function makeHart(words: number[]): { hart: Hart; ram: Ram; bus: Bus } {
  const ram = new Ram(BASE, 64 * 1024);
  const bus = new Bus(ram);
  const dv = new DataView(ram.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  const hart = new Hart({ bus, readTime: () => 0 });
  hart.reset(BASE);
  return { hart, ram, bus };
}

// A few encoders, enough for these tests.
const I = (op: number, rd: number, f3: number, rs1: number, imm: number): number => ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
const addi = (rd: number, rs1: number, imm: number): number => I(0x13, rd, 0, rs1, imm);
const lw = (rd: number, rs1: number, imm: number): number => I(0x03, rd, 2, rs1, imm);
const sw = (rs2: number, rs1: number, imm: number): number => (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (2 << 12) | ((imm & 31) << 7) | 0x23;
const csrr = (rd: number, csr: number): number => I(0x73, rd, 2, 0, csr);
const csrw = (csr: number, rs1: number): number => I(0x73, 0, 1, rs1, csr);
const lui = (rd: number, imm20: number): number => ((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37;
const WFI = 0x10500073;
const ECALL = 0x00000073;

/** execute() returns early after events (CSR writes, MMIO); keep going until the icount is reached. */
function runTo(hart: Hart, icount: number): void {
  for (let i = 0; i < 1000 && hart.icount < icount; i++) hart.execute(icount);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

test('mulh, mulhu, mulhsu agree with BigInt on random and edge operands', () => {
  const r = rng(12345);
  const edges = [0, 1, -1, 0x7fffffff, -0x80000000, 0xffff, 0x10000, -2];
  const pairs: [number, number][] = [];
  for (const a of edges) for (const b of edges) pairs.push([a, b]);
  for (let i = 0; i < 20000; i++) pairs.push([r() | 0, r() | 0]);
  for (const [a, b] of pairs) {
    const hs = Number(BigInt.asIntN(32, (BigInt(a) * BigInt(b)) >> 32n));
    const hu = Number(BigInt.asIntN(32, (BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n));
    const hsu = Number(BigInt.asIntN(32, (BigInt(a) * BigInt(b >>> 0)) >> 32n));
    assert.equal(mulh(a, b), hs, `mulh ${a} ${b}`);
    assert.equal(mulhu(a, b), hu, `mulhu ${a} ${b}`);
    assert.equal(mulhsu(a, b), hsu, `mulhsu ${a} ${b}`);
  }
});

test('icount counts retired instructions; a trapping instruction does not retire', () => {
  // addi; addi; lw from an unmapped address (faults); the handler at mtvec is an addi.
  const { hart } = makeHart([addi(1, 0, 5), addi(2, 0, 7), lw(3, 0, 0x100), 0, addi(4, 0, 9)]);
  hart.mtvec = BASE + 16;
  hart.execute(2);
  assert.equal(hart.icount, 2);
  assert.equal(hart.x[1], 5);
  hart.execute(3); // the load traps: no retire; the handler's first instruction retires
  assert.equal(hart.icount, 3);
  assert.equal(hart.mcause, 5);
  assert.equal(hart.mtval, 0x100);
  assert.equal(hart.mepc, BASE + 8);
  assert.equal(hart.x[4], 9);
});

test('ecall traps with cause 11 and does not retire', () => {
  const { hart } = makeHart([ECALL, 0, 0, 0, addi(5, 0, 1)]);
  hart.mtvec = BASE + 16;
  hart.execute(1);
  assert.equal(hart.mcause, 11);
  assert.equal(hart.mepc, BASE);
  assert.equal(hart.icount, 1); // only the handler's addi
  assert.equal(hart.x[5], 1);
});

test('minstret reads include the reading instruction (as QEMU -icount) and writes take effect for the next one', () => {
  const { hart } = makeHart([addi(0, 0, 0), addi(0, 0, 0), csrr(1, 0xb02), addi(2, 0, 100), csrw(0xb02, 2), csrr(3, 0xb02)]);
  runTo(hart, 6);
  assert.equal(hart.x[1], 3);
  assert.equal(hart.x[3], 101);
  assert.equal(hart.icount, 6, 'icount itself is never changed by minstret writes');
});

test('x0 stays zero', () => {
  const { hart } = makeHart([addi(0, 0, 123), lui(0, 0x12345), addi(1, 0, 1)]);
  hart.execute(3);
  assert.equal(hart.x[0], 0);
  assert.equal(hart.x[1], 1);
});

test('stores into decoded code are seen by the next fetch (self-modifying code)', () => {
  // Overwrite the instruction at +12 (addi x5, x0, 1) with addi x5, x0, 2, then run it.
  const newInsn = addi(5, 0, 2);
  const { hart, ram } = makeHart([lui(6, 0), addi(7, 0, 0), sw(8, 9, 0), addi(5, 0, 1)]);
  // First pass: the sw writes elsewhere on the same page, and +12 gets decoded and run.
  hart.x[8] = newInsn; hart.x[9] = BASE + 0x800;
  hart.execute(4);
  assert.equal(hart.x[5], 1);
  assert.equal(ram.dirty[0], 1);
  // Second pass: the sw rewrites +12 just before it executes.
  hart.x[9] = BASE + 12;
  hart.pc = BASE;
  hart.execute(8);
  assert.equal(hart.x[5], 2);
});

test('wfi with nothing pending stops the hart; an enabled pending interrupt is taken', () => {
  const { hart } = makeHart([WFI, addi(1, 0, 1), 0, 0, addi(2, 0, 2)]);
  hart.mtvec = BASE + 16;
  assert.equal(hart.execute(10), Exit.WFI);
  assert.equal(hart.waiting, true);
  assert.equal(hart.icount, 1, 'wfi retires');
  hart.mie = MIP_MTIP;
  hart.irqLines = MIP_MTIP;
  assert.equal(hart.wakeable(), true);
  assert.equal(hart.pendingInterrupt(), -1, 'mstatus.MIE is off: wakes, but no trap');
  hart.mstatus |= MSTATUS_MIE;
  assert.equal(hart.pendingInterrupt(), 7);
  hart.takeTrap(7, 0, true);
  assert.equal(hart.mcause >>> 0, 0x80000007);
  assert.equal(hart.mepc, BASE + 4);
});

test('vectored mtvec sends interrupts to base + 4 * cause, exceptions to base', () => {
  const words = [ECALL];
  words[0x40] = addi(9, 0, 42); // the handler at base + 0x100
  const { hart } = makeHart(words);
  hart.mtvec = (BASE + 0x100) | 1;
  hart.takeTrap(7, 0, true);
  assert.equal(hart.pc, BASE + 0x100 + 28);
  hart.pc = BASE;
  hart.execute(1);
  assert.equal(hart.mcause, 11);
  assert.equal(hart.x[9], 42, 'the exception handler ran from base');
});

test('a trap loop (handler that traps itself) ends execute instead of hanging', () => {
  const { hart } = makeHart([ECALL]);
  hart.mtvec = BASE + 0x1000; // zeroed memory: an illegal instruction
  assert.equal(hart.execute(100), Exit.TRAP_LOOP);
  assert.equal(hart.icount, 0);
  assert.equal(hart.mcause, 2);
});

test('illegal instruction puts the instruction bits in mtval', () => {
  const { hart } = makeHart([0xffffffff, 0, addi(1, 0, 1)]);
  hart.mtvec = BASE + 8;
  hart.execute(1);
  assert.equal(hart.mcause, 2);
  assert.equal(hart.mtval >>> 0, 0xffffffff);
});

test('save/restore round-trips the whole hart state', () => {
  const { hart } = makeHart([addi(1, 0, 5), addi(2, 1, 7)]);
  hart.execute(1);
  const s = hart.save();
  hart.execute(2);
  assert.equal(hart.x[2], 12);
  hart.restore(s);
  assert.equal(hart.icount, 1);
  assert.equal(hart.x[2], 0);
  hart.execute(2);
  assert.equal(hart.x[2], 12);
});
