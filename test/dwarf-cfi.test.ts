// Call-frame information and unwinding: the CFA and register rules of every FDE against readelf
// --debug-dump=frames-interp; then every instruction of every fixture run, unwound and checked
// against a shadow call stack kept while stepping (the exact truth: return addresses and the sp
// at each call), also for picolibc's -Os code; the fallbacks (prologue/epilogue analysis, frame pointer, leaf) on stripped
// images; hand-assembled CFI for the instructions GCC does not emit for RISC-V; and garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXAMPLES } from './helpers/run';
import { parseElf } from '../core/elf/elf';
import { needTools } from './helpers/tools';
import { ALL_ELFS, fixture, hex, mem32Reader, runTo } from './fixtures/dwarf/support';
import { loadDebugInfo, type CfiRow, type RegRule } from '../core/dwarf/index';
import { CallFrameInfo } from '../core/dwarf/cfi';
import { ABI_NAMES } from '../core/dwarf/constants';
import type { Sections } from '../core/dwarf/sections';
import { decode } from '../core/isa/decode';
import { Op } from '../core/isa/opcodes';
import { VirtMachine } from '../core/machine/virt';
import type { ElfImage } from '../core/elf/elf';

const READELF = 'riscv64-unknown-elf-readelf';

function cfaText(row: CfiRow): string {
  if (row.cfa.kind === 'expr') return 'exp';
  const off = row.cfa.offset;
  return `${ABI_NAMES[row.cfa.reg] ?? `r${row.cfa.reg}`}${off >= 0 ? '+' : ''}${off}`;
}

function ruleText(rule: RegRule | undefined): string {
  if (rule === undefined) return 'u';
  switch (rule.kind) {
    case 'undefined': return 'u';
    case 'same': return 's';
    case 'offset': return `c${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'val_offset': return `v${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'register': return ABI_NAMES[rule.reg] ?? `r${rule.reg}`;
    case 'expression': return 'exp';
    case 'val_expression': return 'vexp';
  }
}

for (const name of ALL_ELFS) {
  test(`${name}: CFA and register rules of every FDE match readelf --debug-dump=frames-interp`, (t) => {
    if (!needTools(t, READELF)) return;
    const f = fixture(name);
    const out = spawnSync(READELF, ['--debug-dump=frames-interp', f.path], { encoding: 'utf8' }).stdout;
    const ours = f.dbg.cfiTable();
    let section = '';
    let fdes = 0;
    const lines = out.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const sec = /^Contents of the (\S+) section:/.exec(lines[i]);
      if (sec !== null) section = sec[1];
      const m = /^[0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(lines[i]);
      if (m === null) continue;
      fdes++;
      const start = parseInt(m[1], 16);
      const end = parseInt(m[2], 16);
      const mine = ours.find((x) => x.fde.section === section && x.fde.start === start);
      assert.ok(mine, `${section} FDE ${hex(start)} missing`);
      assert.equal(mine.fde.end, end, `${section} FDE ${hex(start)} end`);
      const header = lines[i + 1]?.trim().split(/\s+/) ?? [];
      if (header[0] !== 'LOC') {
        // No instructions: the CIE's initial rule covers the whole function.
        assert.equal(mine.rows.length, 1);
        assert.equal(cfaText(mine.rows[0]), 'sp+0');
        continue;
      }
      const cols = header.slice(2).map((n) => ABI_NAMES.indexOf(n as (typeof ABI_NAMES)[number]));
      assert.ok(cols.every((c) => c > 0), `unknown register column in ${header.join(' ')}`);
      const locs: number[] = [];
      for (let k = i + 2; k < lines.length && lines[k].trim() !== ''; k++) {
        const parts = lines[k].trim().split(/\s+/);
        const loc = parseInt(parts[0], 16);
        locs.push(loc);
        const row: CfiRow | undefined = mine.rows.find((r) => r.loc <= loc && loc < r.end);
        assert.ok(row, `${section} ${hex(loc)}: no row`);
        const theirs = parts.slice(1).join(' ');
        const text: string = [cfaText(row), ...cols.map((c) => ruleText(row.regs.get(c)))].join(' ');
        assert.equal(text, theirs, `${section} FDE ${hex(start)} at ${hex(loc)}`);
      }
      // Our rows start exactly where readelf's do.
      assert.deepEqual(mine.rows.map((r) => hex(r.loc)), locs.map(hex), `${section} FDE ${hex(start)} row boundaries`);
    }
    assert.equal(ours.length, fdes, 'same number of FDEs');
    if (name !== 'recurse-nocfi.elf') assert.ok(fdes >= 4);
  });
}

/** Reads the instruction at pc from the machine. */
function insnAt(m: VirtMachine, pc: number): ReturnType<typeof decode> {
  const lo = m.bus.read(pc, 2) ?? 0;
  return (lo & 3) === 3 ? decode(((m.bus.read(pc + 2, 2) ?? 0) << 16 | lo) >>> 0) : decode(lo);
}

for (const name of ALL_ELFS) {
  test(`${name}: unwinding at every instruction of the run matches a shadow call stack`, () => {
    const f = fixture(name);
    const m = new VirtMachine(f.bytes, f.name, {});
    const read32 = mem32Reader(m);
    const shadow: Array<{ ret: number; sp: number }> = [];
    let checked = 0;
    for (let step = 0; step < 200_000; step++) {
      const pc = m.hart.pc >>> 0;
      const fn = f.dbg.functionAt(pc);
      if (fn !== undefined) {
        const frames = f.dbg.unwind(m.hart.x, pc, read32);
        // Frames: this one, then one per shadow entry from the top, the last being _start's call.
        const expected = shadow.length; // callers, including _start (not a DWARF function)
        assert.ok(frames.length >= expected, `at ${hex(pc)} in ${fn.name}: ${frames.length} frames, expected ${expected + 1}`);
        for (let i = 0; i < expected; i++) {
          // Frame i was created by call shadow[expected-1-i]; its caller's pc is that call's return.
          const call = shadow[expected - 1 - i];
          const where: string = `at ${hex(pc)} in ${fn.name}: frame ${i}`;
          assert.equal(hex(frames[i].cfa ?? 0), hex(call.sp), `${where} CFA`);
          if (i + 1 < expected) assert.equal(hex(frames[i + 1].pc), hex(call.ret), `${where}: caller pc`);
        }
        const outer = frames[expected - 1];
        // _start calls main, then virt_exit.
        const outerName = f.dbg.functionAt(outer.innermost ? outer.pc : outer.pc - 1)?.name ?? '??';
        assert.ok(['main', 'virt_exit'].includes(outerName), `at ${hex(pc)}: outermost frame ${outerName}`);
        checked++;
      }
      const d = insnAt(m, pc);
      const sp = m.hart.x[2] >>> 0;
      const stop = m.run(m.hart.icount + 1);
      if (stop.kind === 'exit') break;
      assert.equal(stop.kind, 'limit');
      if ((d.op === Op.JAL || d.op === Op.JALR) && d.rd === 1) shadow.push({ ret: (pc + d.len) >>> 0, sp });
      while (shadow.length > 0 && m.hart.pc >>> 0 === shadow[shadow.length - 1].ret && m.hart.x[2] >>> 0 === shadow[shadow.length - 1].sp) shadow.pop();
    }
    assert.ok(checked > 80, `checked ${checked} instructions`);
  });
}

/** The image without DWARF, CFI or symbols: only the code. */
function stripped(elf: ElfImage): ElfImage {
  return { ...elf, sections: [], symbols: [], symbolAt: () => undefined, symbol: () => undefined };
}

test('without CFI or symbols, -O0 frames unwind through the frame pointer (leaf frame included)', () => {
  const f = fixture('recurse-O0.elf');
  const bare = loadDebugInfo(stripped(f.elf));
  assert.equal(bare.hasDebugInfo, false);
  for (const hits of [1, 2]) {
    const m = runTo(f.bytes, f.name, [f.dbg.breakpointAddress(f.dbg.functionByName('probe')!)], hits);
    const full = f.dbg.unwind(m.hart.x, m.hart.pc, mem32Reader(m));
    const fp = bare.unwind(m.hart.x, m.hart.pc, mem32Reader(m));
    assert.ok(full.length >= 3);
    assert.deepEqual(fp.slice(0, full.length).map((x) => [hex(x.pc), hex(x.cfa ?? 0)]), full.map((x) => [hex(x.pc), hex(x.cfa ?? 0)]));
    assert.equal(fp[0].unwoundBy, 'frame-pointer');
    assert.ok(fp.length <= full.length + 1, 'at most _start beyond main');
  }
});

test('without any information, frame 0 unwinds as a leaf through ra', () => {
  const f = fixture('recurse-O2.elf');
  const bare = loadDebugInfo(stripped(f.elf));
  // probe at -O2 is a bare `ret`: a leaf that never touches the stack.
  const m = runTo(f.bytes, f.name, [f.dbg.functionByName('probe')!.lowPc], 1);
  const frames = bare.unwind(m.hart.x, m.hart.pc, mem32Reader(m));
  assert.ok(frames.length >= 2);
  assert.equal(frames[0].cfa, m.hart.x[2] >>> 0);
  assert.equal(hex(frames[1].pc), hex(m.hart.x[1] >>> 0));
});

test('unwinding garbage stops cleanly: bounded depth, growing CFAs, no exceptions', () => {
  const f = fixture('recurse-O2.elf');
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const text = f.elf.sections.find((s) => s.name === '.text')!;
  for (let i = 0; i < 2000; i++) {
    const regs = Int32Array.from({ length: 32 }, () => rnd() | 0);
    // Half the time, a stack pointer and pc that look real, over memory full of code addresses.
    const realistic = i % 2 === 0;
    if (realistic) regs[2] = 0x80010000 + (rnd() % 0x100) * 4;
    const pc = realistic ? text.addr + (rnd() % text.size & ~1) : rnd();
    const mem = (a: number): number | undefined => (i % 3 === 0 ? undefined : i % 3 === 1 ? text.addr + ((a * 7) % text.size) : rnd());
    const frames = f.dbg.unwind(regs, pc, mem, { maxDepth: 50 });
    assert.ok(frames.length >= 1 && frames.length <= 50);
    for (let k = 1; k < frames.length; k++) {
      const a = frames[k - 1].cfa;
      const b = frames[k].cfa;
      if (a !== undefined && b !== undefined) assert.ok(b > a || (b === a && k === 1), `CFA ${hex(b)} after ${hex(a)}`);
    }
  }
  // A frame that returns to itself with the same CFA must not loop.
  const fn = f.dbg.functionByName('probe')!;
  const regs = new Int32Array(32);
  regs[1] = fn.lowPc;
  regs[2] = 0x80010000;
  const loop = f.dbg.unwind(regs, fn.lowPc, () => fn.lowPc);
  assert.ok(loop.length <= 2);
});

// --- Hand-assembled CFI: the instructions GCC does not emit for RISC-V ------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** A .debug_frame with one CIE (version 3, cf=2, df=-4, ra=1, initial `def_cfa sp+0`) and one FDE. */
function debugFrame(start: number, length: number, insns: number[]): Uint8Array {
  const cieBody = [...u32(0xffffffff), 3, 0, ...uleb(2), ...sleb(-4), ...uleb(1), 0x0c, 2, 0];
  while ((cieBody.length + 4) % 4) cieBody.push(0);
  const cie = [...u32(cieBody.length), ...cieBody];
  const fdeBody = [...u32(0), ...u32(start), ...u32(length), ...insns];
  while ((fdeBody.length + 4) % 4) fdeBody.push(0);
  return Uint8Array.from([...cie, ...u32(fdeBody.length), ...fdeBody]);
}

function sectionsWith(name: string, bytes: Uint8Array, addr = 0): Sections {
  return { file: 'test.elf', get: (n) => (n === name ? bytes : undefined), addr: (n) => (n === name ? addr : 0), where: (n) => `test.elf: ${n}` };
}

test('hand-assembled .debug_frame: every CFA instruction kind', () => {
  const insns = [
    0x41, // advance_loc 1 (x code align 2)
    0x0e, ...uleb(16), // def_cfa_offset 16
    0x81, ...uleb(1), // offset ra, 1*-4
    0x02, 3, // advance_loc1 3 -> +6
    0x05, ...uleb(8), ...uleb(2), // offset_extended s0 at -8
    0x14, ...uleb(9), ...uleb(3), // val_offset s1 = cfa-12
    0x09, ...uleb(18), ...uleb(10), // register s2 in a0
    0x08, ...uleb(19), // same_value s3
    0x07, ...uleb(20), // undefined s4
    0x0a, // remember_state
    0x03, 2, 0, // advance_loc2 2 -> +4
    0x0d, ...uleb(8), // def_cfa_register s0
    0xc1, // restore ra
    0x06, ...uleb(8), // restore_extended s0
    0x04, ...u32(1), // advance_loc4 1 -> +2
    0x0b, // restore_state
    0x41,
    0x12, ...uleb(2), ...sleb(-8), // def_cfa_sf sp, -8*-4 = 32
    0x11, ...uleb(21), ...sleb(-4), // offset_extended_sf s5 at +16
    0x15, ...uleb(22), ...sleb(2), // val_offset_sf s6 = cfa-8
    0x13, ...sleb(-2), // def_cfa_offset_sf 8
    0x2e, ...uleb(16), // GNU_args_size (ignored)
    0x2f, ...uleb(23), ...uleb(1), // GNU_negative_offset_extended s7 at +4
    0x41,
    0x10, ...uleb(24), 2, 0x72, 0x04, // expression s8 at [sp+4]
    0x16, ...uleb(25), 1, 0x30, // val_expression s9 = 0
    0x0f, 2, 0x72, 0x20, // def_cfa_expression sp+32
    0x00, // nop
  ];
  const cfi = new CallFrameInfo(sectionsWith('.debug_frame', debugFrame(0x1000, 0x40, insns)));
  assert.equal(cfi.fdes.length, 1);
  const rows = cfi.rows(cfi.fdes[0]);
  const at = (pc: number): CfiRow => cfi.rowAt(pc)!.row;
  assert.deepEqual(rows.map((r) => hex(r.loc)), ['0x1000', '0x1002', '0x1008', '0x100c', '0x100e', '0x1010', '0x1012']);
  assert.equal(cfaText(at(0x1000)), 'sp+0');
  assert.equal(cfaText(at(0x1002)), 'sp+16');
  assert.equal(ruleText(at(0x1002).regs.get(1)), 'c-4');
  const r8 = at(0x1008);
  assert.deepEqual([8, 9, 18, 19, 20].map((r) => ruleText(r8.regs.get(r))), ['c-8', 'v-12', 'a0', 's', 'u']);
  const r12 = at(0x100c);
  assert.equal(cfaText(r12), 's0+16');
  assert.equal(r12.regs.has(1), false, 'restore: back to the CIE rule (none)');
  assert.equal(r12.regs.has(8), false);
  const r14 = at(0x100e);
  assert.equal(cfaText(r14), 'sp+16', 'restore_state brings back the CFA rule too');
  assert.deepEqual([1, 8, 9, 18, 19, 20].map((r) => ruleText(r14.regs.get(r))), ['c-4', 'c-8', 'v-12', 'a0', 's', 'u']);
  const r16 = at(0x1010);
  assert.equal(cfaText(r16), 'sp+8', 'def_cfa_sf, then def_cfa_offset_sf');
  assert.deepEqual([21, 22, 23].map((r) => ruleText(r16.regs.get(r))), ['c+16', 'v-8', 'c+4']);
  const r18 = at(0x1012);
  assert.equal(cfaText(r18), 'exp');
  assert.deepEqual([24, 25].map((r) => ruleText(r18.regs.get(r))), ['exp', 'vexp']);
  assert.equal(cfi.rowAt(0x1040), undefined, 'past the FDE');

  // The unwinder evaluates the expression rules.
  const regs = new Int32Array(32);
  regs[2] = 0x2000;
  regs[1] = 0x1500;
  const mem = new Map<number, number>([[0x2004, 0xaaaa], [0x2000 + 32 - 4, 0x1234]]);
  const frameBytes = debugFrame(0x1000, 0x40, insns);
  const fake = loadDebugInfo({
    name: 't', entry: 0, segments: [{ vaddr: 0x1000, paddr: 0x1000, memsz: 0x1000, data: new Uint8Array(0x1000), flags: 5, fileOffset: 0 }], symbols: [],
    sections: [{ name: '.debug_frame', type: 1, flags: 0, addr: 0, offset: 0, size: frameBytes.length, data: () => frameBytes }],
    symbolAt: () => undefined, symbol: () => undefined,
  });
  const frames = fake.unwind(regs, 0x1012, (a) => mem.get(a));
  assert.equal(frames[0].cfa, 0x2020);
  assert.equal(frames[0].unwoundBy, 'cfi');
});

test('hand-assembled .eh_frame: zR augmentation with pc-relative sdata4 pointers, and a terminator', () => {
  const ehAddr = 0x80001000;
  const cieBody = [...u32(0), 1, ...Buffer.from('zR\0'), ...uleb(1), ...sleb(-4), 1, ...uleb(1), 0x1b, 0x0c, 2, 0];
  while ((cieBody.length + 4) % 4) cieBody.push(0);
  const cie = [...u32(cieBody.length), ...cieBody];
  const fdeOff = cie.length;
  const pcField = fdeOff + 8; // after the length and CIE pointer
  const start = 0x80000100;
  const fdeBody = [...u32(fdeOff + 4), ...u32((start - (ehAddr + pcField)) | 0), ...u32(0x20), ...uleb(0), 0x44, 0x0e, 16, 0x81, 1];
  while ((fdeBody.length + 4) % 4) fdeBody.push(0);
  const bytes = Uint8Array.from([...cie, ...u32(fdeBody.length), ...fdeBody, 0, 0, 0, 0, 0xde, 0xad]);
  const cfi = new CallFrameInfo(sectionsWith('.eh_frame', bytes, ehAddr));
  assert.equal(cfi.fdes.length, 1);
  assert.equal(hex(cfi.fdes[0].start), hex(start));
  assert.equal(cfi.fdes[0].end, start + 0x20);
  const row = cfi.rowAt(start + 4)!.row;
  assert.equal(cfaText(row), 'sp+16');
  assert.equal(ruleText(row.regs.get(1)), 'c-4');
});

test('picolibc (semihosting hello.elf, -Os -msave-restore): every instruction unwinds like the shadow call stack', () => {
  const path = join(EXAMPLES, 'semihosting', 'hello.elf');
  const bytes = new Uint8Array(readFileSync(path));
  const dbg = loadDebugInfo(parseElf(bytes, 'hello.elf'));
  const m = new VirtMachine(bytes, 'hello.elf', { semihosting: { root: dirname(path), cmdline: 'hello.elf' } });
  m.onOutput = () => {};
  const read32 = mem32Reader(m);
  const restore = new Set(dbg.elf.symbols.filter((s) => s.name.startsWith('__riscv_restore_')).map((s) => s.value));
  // Calls through ra; millicode calls (jal t0, __riscv_save_N) are part of their caller's frame.
  const shadow: Array<{ ret: number; sp: number; link: number }> = [];
  let checked = 0;
  for (let step = 0; step < 1_000_000; step++) {
    const pc = m.hart.pc >>> 0;
    const d = insnAt(m, pc);
    const fn = dbg.functionAt(pc);
    // GCC's CFI for the tail jump into __riscv_restore_N says CFA = sp (it is sp + 16): skip it.
    const gccBug = d.op === Op.JAL && d.rd === 0 && restore.has((pc + d.imm) >>> 0);
    if (fn !== undefined && !gccBug && !fn.name.startsWith('__riscv_')) {
      const frames = dbg.unwind(m.hart.x, pc, read32);
      const calls = shadow.filter((s) => s.link === 1);
      assert.ok(frames.length >= calls.length, `at ${hex(pc)} in ${fn.name}: ${frames.length} frames for ${calls.length} calls`);
      for (let i = 0; i < calls.length; i++) {
        const call = calls[calls.length - 1 - i];
        assert.equal(hex(frames[i].cfa ?? 0), hex(call.sp), `at ${hex(pc)} in ${fn.name}: frame ${i} CFA`);
        if (i + 1 < calls.length) assert.equal(hex(frames[i + 1].pc), hex(call.ret), `at ${hex(pc)} in ${fn.name}: frame ${i + 1} pc`);
      }
      checked++;
    }
    const sp = m.hart.x[2] >>> 0;
    const stop = m.run(m.hart.icount + 1);
    if (stop.kind !== 'limit') break;
    if ((d.op === Op.JAL || d.op === Op.JALR) && (d.rd === 1 || d.rd === 5)) shadow.push({ ret: (pc + d.len) >>> 0, sp, link: d.rd });
    while (shadow.length > 0) {
      const top = shadow[shadow.length - 1];
      if (m.hart.pc >>> 0 !== top.ret || (top.link === 1 && m.hart.x[2] >>> 0 !== top.sp)) break;
      shadow.pop();
    }
  }
  assert.ok(checked > 20_000, `checked ${checked} instructions`);
});
