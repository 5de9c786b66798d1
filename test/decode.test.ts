// The decoder: it never throws, its fields are in range, and what it accepts as legal agrees with
// GNU objdump (binutils 2.40) on every 16-bit encoding and on random 32-bit words, apart from a
// listed set of deliberate differences.
//
// objdump is run on an ELF32 assembled for a *richer* ISA than ours (rv32gc + Zb* + Zicbo* +
// Zihintpause): the ELF class makes it RV32 (c.jal, not c.addiw; no RV64 ops), and the extra
// extensions let it name the encodings we deliberately leave out, which must be ILLEGAL for us.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decode, isLong, type Decoded } from '../core/isa/decode';
import { Op } from '../core/isa/opcodes';
import { needTools, OBJDUMP, GCC } from './helpers/tools';
import { prng } from './helpers/prng';

const RICH_ARCH = 'rv32gc_zba_zbb_zbc_zbs_zicbom_zicboz_zicbop_zihintpause';
const BASE = 0x80000000;

function checkFields(d: Decoded, raw: number): void {
  const len = isLong(raw) ? 4 : 2;
  assert.equal(d.len, len);
  assert.equal(d.raw, len === 2 ? raw & 0xffff : raw >>> 0);
  assert.ok(d.op >= Op.ILLEGAL && d.op < Op.COUNT);
  for (const r of [d.rd, d.rs1, d.rs2]) assert.ok(Number.isInteger(r) && r >= 0 && r < 32);
  assert.ok(Number.isInteger(d.imm) && d.imm >= -(2 ** 31) && d.imm < 2 ** 31);
  assert.ok(d.aqrl >= 0 && d.aqrl < 4);
}

test('decoding never throws and fields stay in range (all halfwords)', () => {
  for (let h = 0; h < 0x10000; h++) {
    checkFields(decode(h), h);
    checkFields(decode((h | 0xabcd0000) >>> 0), (h | 0xabcd0000) >>> 0); // upper bits ignored when compressed
  }
});

test('decoded fields of a few encodings', () => {
  const f = (raw: number): Omit<Decoded, 'raw' | 'len'> => {
    const { op, rd, rs1, rs2, imm, aqrl } = decode(raw);
    return { op, rd, rs1, rs2, imm, aqrl };
  };
  const D = (op: Op, rd: number, rs1: number, rs2: number, imm: number, aqrl = 0) => ({ op, rd, rs1, rs2, imm, aqrl });
  assert.deepEqual(f(0x6121), D(Op.ADDI, 2, 2, 0, 64)); // c.addi16sp 64
  assert.deepEqual(f(0x7139), D(Op.ADDI, 2, 2, 0, -64)); // c.addi16sp -64
  assert.deepEqual(f(0x7501), D(Op.LUI, 10, 0, 0, -32 << 12)); // c.lui a0,0xfffe0
  assert.deepEqual(f(0xbfdd), D(Op.JAL, 0, 0, 0, -10)); // c.j -10
  assert.deepEqual(f(0x3fed), D(Op.JAL, 1, 0, 0, -6)); // c.jal -6
  assert.deepEqual(f(0xdd75), D(Op.BEQ, 0, 10, 0, -4)); // c.beqz a0,-4
  assert.deepEqual(f(0x1ffc), D(Op.ADDI, 15, 2, 0, 1020)); // c.addi4spn a5,sp,1020
  assert.deepEqual(f(0x5ff2), D(Op.LW, 31, 2, 0, 60)); // c.lwsp t6,60(sp)
  assert.deepEqual(f(0xdffe), D(Op.SW, 0, 2, 31, 252)); // c.swsp t6,252(sp)
  assert.deepEqual(f(0x852e), D(Op.ADD, 10, 0, 11, 0)); // c.mv a0,a1
  assert.deepEqual(f(0x8505), D(Op.SRAI, 10, 10, 0, 1)); // c.srai a0,1
  assert.deepEqual(f(0x800000ef), D(Op.JAL, 1, 0, 0, -(1 << 20))); // jal -1 MiB
  assert.deepEqual(f(0x7ffff0ef), D(Op.JAL, 1, 0, 0, (1 << 20) - 2));
  assert.deepEqual(f(0xfeb50ee3), D(Op.BEQ, 0, 10, 11, -4));
  assert.deepEqual(f(0xfea50fa3), D(Op.SB, 0, 10, 10, -1));
  assert.deepEqual(f(0xfffff537), D(Op.LUI, 10, 0, 0, -4096));
  assert.deepEqual(f(0x41f55513), D(Op.SRAI, 10, 10, 0, 31));
  assert.deepEqual(f(0x3000e573), D(Op.CSRRSI, 10, 1, 0, 0x300));
  assert.deepEqual(f(0x0230000f), D(Op.FENCE, 0, 0, 0, 0x23));
  assert.deepEqual(f(0x0eb5262f), D(Op.AMOSWAP_W, 12, 10, 11, 0, 3));
  assert.equal(decode(0x0000).op, Op.ILLEGAL);
  assert.equal(decode(0xffffffff).op, Op.ILLEGAL);
});

// ---- against objdump -----------------------------------------------------------------------------

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** objdump's mnemonic for each word, assembled back to back (16- or 32-bit by their low bits). */
function objdumpMnemonics(words: readonly number[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-decode-'));
  try {
    const src = ['.text', '.globl _start', '_start:'];
    for (const w of words) src.push(isLong(w) ? `.insn 4, 0x${(w >>> 0).toString(16)}` : `.insn 2, 0x${w.toString(16)}`);
    fs.writeFileSync(path.join(dir, 'w.S'), src.join('\n') + '\n');
    run(GCC, [`-march=${RICH_ARCH}`, '-mabi=ilp32', '-nostdlib', '-nostartfiles', `-Wl,-Ttext=0x${BASE.toString(16)}`,
      '-Wl,--no-warn-rwx-segments', '-o', path.join(dir, 'w.elf'), path.join(dir, 'w.S')]);
    const out: string[] = [];
    for (const line of run(OBJDUMP, ['-d', '-z', path.join(dir, 'w.elf')]).split('\n')) {
      const m = /^\s*([0-9a-f]+):\t([0-9a-f]+)\s*\t(\S+)/.exec(line);
      if (!m) continue;
      assert.equal(parseInt(m[2], 16), words[out.length] >>> 0, `objdump line ${out.length} is our word`);
      out.push(m[3]);
    }
    assert.equal(out.length, words.length);
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Extensions objdump knows (with RICH_ARCH) and we deliberately do not implement.
const NOT_OURS = new Set([
  // Zba, Zbb, Zbc, Zbs
  'sh1add', 'sh2add', 'sh3add', 'andn', 'orn', 'xnor', 'clz', 'ctz', 'cpop', 'max', 'maxu', 'min', 'minu',
  'sext.b', 'sext.h', 'zext.h', 'rol', 'ror', 'rori', 'rev8', 'orc.b', 'clmul', 'clmulh', 'clmulr',
  'bclr', 'bclri', 'bext', 'bexti', 'binv', 'binvi', 'bset', 'bseti',
  // Zicbom, Zicboz
  'cbo.clean', 'cbo.flush', 'cbo.inval', 'cbo.zero',
  // privileged instructions of other modes: this core is M-mode only
  'uret', 'sret', 'hret', 'dret', 'sfence.vm', 'sfence.vma',
]);

/**
 * Why decode() and objdump may disagree on this encoding, or undefined when they must agree.
 * `objLegal` is objdump's verdict (a mnemonic rather than `.2byte`/`.4byte`/c.unimp).
 */
function expectedDifference(raw: number, mnemonic: string, objLegal: boolean): string | undefined {
  if (objLegal) {
    // (frcsr/fsflags/… are CSR instructions on fcsr & co., decoded like any CSR access.)
    if (/^f(?!ence)/.test(mnemonic) && (raw & 0x7f) !== 0x73) return 'F/D not implemented';
    if (NOT_OURS.has(mnemonic)) return `${mnemonic} not implemented`;
    if (!isLong(raw)) {
      const q = raw & 3, f3 = raw >>> 13, bit12 = (raw >>> 12) & 1;
      // objdump does not check XLEN for shift amounts: shamt[5] = 1 is reserved on RV32.
      if (bit12 && ((q === 1 && f3 === 4 && ((raw >>> 10) & 3) < 2) || (q === 2 && f3 === 0))) return 'RV32 c.slli/srli/srai shamt >= 32';
      if (raw === 0x6101) return 'c.addi16sp with imm 0 is reserved';
    } else if ((raw & 0x7f) === 0x13 && (((raw >>> 12) & 3) === 1) && ((raw >>> 25) & 1)) {
      return 'RV32 slli/srli/srai shamt >= 32';
    }
    return undefined;
  }
  // FENCE/FENCE.I: the spec says to ignore rd, rs1, imm/fm ("execute as a fence", like QEMU);
  // objdump only decodes the all-zero forms.
  if (isLong(raw) && (raw & 0x7f) === 0x0f && ((raw >>> 12) & 7) <= 1) return 'FENCE/FENCE.I reserved fields';
  return undefined;
}

function compareLegality(words: readonly number[]): { counts: Map<string, number>; bad: string[] } {
  const mnemonics = objdumpMnemonics(words);
  const counts = new Map<string, number>();
  const bad: string[] = [];
  words.forEach((w, i) => {
    const m = mnemonics[i];
    const raw = isLong(w) ? w >>> 0 : w & 0xffff;
    const objLegal = !m.startsWith('.') && !(m === 'unimp' && !isLong(raw)); // c.unimp (0x0000) is illegal
    const ours = decode(raw).op !== Op.ILLEGAL;
    const why = expectedDifference(raw, m, objLegal);
    if (why !== undefined) {
      counts.set(why, (counts.get(why) ?? 0) + 1);
      if (ours === objLegal) bad.push(`${raw.toString(16)}: objdump '${m}': expected to differ (${why}) but both say ${ours ? 'legal' : 'illegal'}`);
    } else if (ours !== objLegal) {
      bad.push(`${raw.toString(16)}: objdump '${m}' (${objLegal ? 'legal' : 'illegal'}), decode() says ${ours ? 'legal' : 'ILLEGAL'}`);
    }
  });
  return { counts, bad };
}

const report = (bad: string[]): string => `${bad.length} disagreements:\n${bad.slice(0, 20).join('\n')}`;

test('ILLEGAL-vs-legal agrees with objdump on all 16-bit encodings', (t) => {
  if (!needTools(t, OBJDUMP, GCC)) return;
  const words: number[] = [];
  for (let h = 0; h < 0x10000; h++) if (!isLong(h)) words.push(h);
  const { counts, bad } = compareLegality(words);
  assert.equal(bad.length, 0, report(bad));
  // The deliberate differences are all exercised: c.fld/c.flw/… (8 x 2048), the RV32 shifts, c.addi16sp 0.
  assert.equal(counts.get('F/D not implemented'), 4 * 4096);
  assert.ok((counts.get('RV32 c.slli/srli/srai shamt >= 32') ?? 0) > 1000);
  assert.equal(counts.get('c.addi16sp with imm 0 is reserved'), 1);
});


test('ILLEGAL-vs-legal agrees with objdump on random 32-bit words', (t) => {
  if (!needTools(t, OBJDUMP, GCC)) return;
  const rnd = prng(20000);
  const ours = [0x37, 0x17, 0x6f, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33, 0x0f, 0x73, 0x2f];
  // Opcodes we do not implement at all (F/D loads, stores, FMA, OP-FP; RV64 OP-32/OP-IMM-32).
  const others = [0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x1b, 0x3b];
  const words: number[] = [];
  const add = (opcode: number): void => {
    let w = (rnd() & ~0x7f) | opcode;
    // Zero some fields often, to reach the corner encodings (funct7 = 0, rs2/rs1/rd = zero).
    const z = rnd();
    if (z & 1) w &= ~(0x7f << 25);
    if (z & 2) w &= ~(0x1f << 20);
    if ((z & 12) === 12) w &= ~(0x1f << 15);
    if ((z & 48) === 48) w &= ~(0x1f << 7);
    // Funct7 values of Zb*, the M extension and SUB/SRA, to hit OP/OP-IMM neighbours of ours.
    if ((z & 0x3c0) === 0x3c0) w = (w & 0x01ffffff) | ([0x01, 0x04, 0x05, 0x10, 0x14, 0x20, 0x24, 0x30, 0x34, 0x21][rnd() % 10] << 25);
    words.push(w >>> 0);
  };
  for (let i = 0; i < 20000; i++) add(ours[rnd() % ours.length]);
  for (let i = 0; i < 2000; i++) add(others[rnd() % others.length]);
  // Every SYSTEM funct3 = 0 instruction word with rd = 0 and rs1 = zero/t0.
  for (let f12 = 0; f12 < 4096; f12++) words.push(((f12 << 20) | 0x73) >>> 0, ((f12 << 20) | (5 << 15) | 0x73) >>> 0);
  words.push(0x0ff0000f, 0x8330000f, 0x0100000f, 0x0000100f, 0xc0001073);
  const { counts, bad } = compareLegality(words);
  assert.equal(bad.length, 0, report(bad));
  for (const why of ['F/D not implemented', 'RV32 slli/srli/srai shamt >= 32', 'FENCE/FENCE.I reserved fields', 'sret not implemented', 'sfence.vma not implemented']) {
    assert.ok((counts.get(why) ?? 0) > 0, `exercised: ${why}`);
  }
});
