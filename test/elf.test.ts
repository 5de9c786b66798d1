// The ELF loader against the real guest programs (cross-checked with binutils' readelf), a set
// of hand-made broken files that must each produce a specific one-line ElfError, and a seeded
// mutation fuzz that must never produce any other kind of exception.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfError, checkSegmentsFit, parseElf, type ElfImage, type ElfSymbol } from '../core/elf/elf';
import { needTools } from './helpers/tools';
import { prngUnit } from './helpers/prng';

const GUESTS = process.env.RVREPLAY_GUESTS ?? '/work/shared/guests';
const READELF = 'riscv64-unknown-elf-readelf';
const STRIP = 'riscv64-unknown-elf-strip';
const RAM_BASE = 0x80000000;
const RAM_SIZE = 128 << 20;

/** Loads a prebuilt guest; like needTools, a missing file skips locally and fails in CI. */
function guest(t: TestContext, file: string): Uint8Array | undefined {
  const path = join(GUESTS, file);
  // A plain Uint8Array copy: Buffer#slice returns a view, which would let one test's mutations
  // leak into the next.
  if (existsSync(path)) return new Uint8Array(readFileSync(path));
  const msg = `missing guest ${path} (set RVREPLAY_GUESTS)`;
  if (process.env.CI === 'true') throw new Error(msg);
  t.skip(msg);
  return undefined;
}

function readelf(args: string[], path: string): string {
  const r = spawnSync(READELF, [...args, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------
// A minimal valid executable, built field by field so each malformation below is one poke.

interface SegSpec { type?: number; offset?: number; vaddr: number; paddr?: number; filesz: number; memsz: number; flags?: number }

interface Built {
  bytes: Uint8Array;
  phoff: number;
  shoff: number;
  textOff: number;
  symtabOff: number;
  strtabOff: number;
  strtabSize: number;
  shstrtabOff: number;
  shstrtabSize: number;
}

// Section indices in the built file.
const SH_TEXT = 1;
const SH_BSS = 2;
const SH_SYMTAB = 3;
const SH_STRTAB = 4;
const SH_SHSTRTAB = 5;
const SHNUM = 6;
const TEXT_SIZE = 0x40;

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

function makeElf(segs?: SegSpec[]): Built {
  const phoff = 52;
  const segList = segs ?? [{ vaddr: 0x80000000, filesz: TEXT_SIZE, memsz: 0x50 }];
  const textOff = align(phoff + segList.length * 32, 16);
  const strtab = Buffer.from('\0_start\0main\0buf\0helper\0main\0', 'latin1');
  const strtabOff = textOff + TEXT_SIZE;
  const symtabOff = align(strtabOff + strtab.length, 4);
  // [name, value, size, info, shndx]
  const syms: Array<[number, number, number, number, number]> = [
    [0, 0, 0, 0, 0],
    [0, 0x80000000, 0, 0x03, SH_TEXT], // section symbol for .text (local)
    [1, 0x80000000, 0, 0x10, SH_TEXT], // _start: global notype, size 0
    [8, 0x80000010, 0x20, 0x12, SH_TEXT], // main: global func
    [13, 0x80000040, 0x10, 0x01, SH_BSS], // buf: local object
    [17, 0x80000030, 0x8, 0x22, SH_TEXT], // helper: weak func, inside main's range
    [24, 0x80000038, 0x4, 0x02, SH_TEXT], // a local static also called main
  ];
  const shstrtab = Buffer.from('\0.text\0.bss\0.symtab\0.strtab\0.shstrtab\0', 'latin1');
  const shstrtabOff = symtabOff + syms.length * 16;
  const shoff = align(shstrtabOff + shstrtab.length, 4);
  const total = shoff + SHNUM * 40;

  const bytes = new Uint8Array(total);
  const dv = new DataView(bytes.buffer);
  const w16 = (o: number, v: number): void => dv.setUint16(o, v, true);
  const w32 = (o: number, v: number): void => dv.setUint32(o, v >>> 0, true);

  bytes.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);
  w16(0x10, 2); // ET_EXEC
  w16(0x12, 243); // EM_RISCV
  w32(0x14, 1);
  w32(0x18, 0x80000000);
  w32(0x1c, phoff);
  w32(0x20, shoff);
  w32(0x24, 1); // EF_RISCV_RVC
  w16(0x28, 52);
  w16(0x2a, 32);
  w16(0x2c, segList.length);
  w16(0x2e, 40);
  w16(0x30, SHNUM);
  w16(0x32, SH_SHSTRTAB);

  segList.forEach((s, i) => {
    const p = phoff + i * 32;
    w32(p, s.type ?? 1);
    w32(p + 4, s.offset ?? textOff);
    w32(p + 8, s.vaddr);
    w32(p + 12, s.paddr ?? s.vaddr);
    w32(p + 16, s.filesz);
    w32(p + 20, s.memsz);
    w32(p + 24, s.flags ?? 7);
    w32(p + 28, 0x1000);
  });

  for (let i = 0; i < TEXT_SIZE; i += 4) w32(textOff + i, 0x00000013); // nop
  bytes.set(strtab, strtabOff);
  syms.forEach(([nm, value, size, info, shndx], k) => {
    const o = symtabOff + k * 16;
    w32(o, nm);
    w32(o + 4, value);
    w32(o + 8, size);
    bytes[o + 12] = info;
    w16(o + 14, shndx);
  });
  bytes.set(shstrtab, shstrtabOff);

  const sh = (i: number, name: number, type: number, flags: number, addr: number, off: number, size: number, link = 0, entsize = 0): void => {
    const o = shoff + i * 40;
    w32(o, name);
    w32(o + 4, type);
    w32(o + 8, flags);
    w32(o + 12, addr);
    w32(o + 16, off);
    w32(o + 20, size);
    w32(o + 24, link);
    w32(o + 32, 1);
    w32(o + 36, entsize);
  };
  sh(SH_TEXT, 1, 1, 0x6, 0x80000000, textOff, TEXT_SIZE);
  sh(SH_BSS, 7, 8, 0x3, 0x80000040, textOff + TEXT_SIZE, 0x10);
  sh(SH_SYMTAB, 12, 2, 0, 0, symtabOff, syms.length * 16, SH_STRTAB, 16);
  sh(SH_STRTAB, 20, 3, 0, 0, strtabOff, strtab.length);
  sh(SH_SHSTRTAB, 28, 3, 0, 0, shstrtabOff, shstrtab.length);

  return { bytes, phoff, shoff, textOff, symtabOff, strtabOff, strtabSize: strtab.length, shstrtabOff, shstrtabSize: shstrtab.length };
}

/** A copy of the built file with `poke` applied through a little-endian writer. */
function mutate(b: Built, poke: (w: { u8(o: number, v: number): void; u16(o: number, v: number): void; u32(o: number, v: number): void }) => void): Uint8Array {
  const out = b.bytes.slice();
  const dv = new DataView(out.buffer);
  poke({
    u8: (o, v) => dv.setUint8(o, v),
    u16: (o, v) => dv.setUint16(o, v, true),
    u32: (o, v) => dv.setUint32(o, v >>> 0, true),
  });
  return out;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function expectElfError(fn: () => unknown, re: RegExp, file = 't.elf'): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ElfError, `expected an ElfError, got ${err === undefined ? 'no error' : String(err)}`);
  assert.match(err.message, re);
  assert.ok(!/[\r\n]/.test(err.message), `message is not one line: ${JSON.stringify(err.message)}`);
  assert.ok(err.message.startsWith(`${file}: `), `message does not start with the file name: ${err.message}`);
}

// ---------------------------------------------------------------------------------------------
// Real guests.

for (const file of ['bench.elf', 'echo.elf']) {
  test(`${file}: header, segments, symbols, sections`, (t) => {
    const bytes = guest(t, file);
    if (bytes === undefined) return;
    const img = parseElf(bytes, file);
    assert.equal(img.name, file);
    assert.equal(img.entry, 0x80000000);
    assert.equal(img.segments.length, 1);
    const seg = img.segments[0];
    assert.equal(seg.vaddr, 0x80000000);
    assert.equal(seg.paddr, 0x80000000);
    assert.equal(seg.fileOffset, 0x1000);
    assert.ok(seg.memsz >= seg.data.length);
    assert.deepEqual(seg.data, bytes.subarray(0x1000, 0x1000 + seg.data.length));
    checkSegmentsFit(img, RAM_BASE, RAM_SIZE);

    const main = img.symbol('main');
    const start = img.symbol('_start');
    const trapEntry = img.symbol('trap_entry');
    assert.ok(main && start && trapEntry);
    assert.deepEqual([main.type, main.bind, main.shndx], ['func', 'global', 1]);
    assert.ok(main.size > 0);
    assert.deepEqual([start.type, start.bind, start.value, start.size], ['notype', 'global', 0x80000000, 0]);
    assert.deepEqual([trapEntry.type, trapEntry.bind], ['notype', 'global']);
    assert.equal(img.symbol('no_such_symbol'), undefined);

    assert.equal(img.symbolAt(main.value), main);
    assert.equal(img.symbolAt(main.value + main.size - 1), main);
    assert.notEqual(img.symbolAt(main.value + main.size), main);
    assert.equal(img.symbolAt(0x80000000), start);
    assert.equal(img.symbolAt(0x80000010), start, 'zero-size assembly label covers the code after it');
    assert.equal(img.symbolAt(trapEntry.value + 0x10), trapEntry);
    assert.equal(img.symbolAt(0x10), undefined);
    assert.equal(img.symbolAt(0xffffffff), undefined);
    const virtExit = img.symbol('virt_exit');
    assert.ok(virtExit);
    assert.equal(img.symbolAt(virtExit.value + 2), virtExit, 'a sized function beats the label before it');

    const names = img.sections.map((s) => s.name);
    for (const n of ['.text', '.rodata', '.bss', '.symtab', '.strtab', '.shstrtab', '.debug_info', '.debug_line', '.debug_abbrev', '.debug_str']) {
      assert.ok(names.includes(n), `missing section ${n}`);
    }
    const text = img.sections.find((s) => s.name === '.text');
    assert.ok(text);
    assert.equal(text.addr, 0x80000000);
    assert.deepEqual(text.data(), bytes.subarray(text.offset, text.offset + text.size));
    const info = img.sections.find((s) => s.name === '.debug_info');
    assert.ok(info);
    assert.equal(info.data().length, info.size);
    // DWARF 5 compile unit header: unit_length then version 5.
    assert.equal(info.data()[4] | (info.data()[5] << 8), 5);
    const bss = img.sections.find((s) => s.name === '.bss');
    assert.ok(bss);
    assert.equal(bss.data().length, 0, 'NOBITS has no file bytes');
  });

  test(`${file}: symbols, sections and segments match readelf`, (t) => {
    if (!needTools(t, READELF)) return;
    const bytes = guest(t, file);
    if (bytes === undefined) return;
    const path = join(GUESTS, file);
    const img = parseElf(bytes, file);

    const expected: ElfSymbol[] = [];
    for (const line of readelf(['-sW'], path).split('\n')) {
      const m = /^\s*(\d+):\s+([0-9a-f]{8})\s+(0x[0-9a-f]+|\d+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s?(.*)$/.exec(line);
      if (m === null || m[1] === '0') continue;
      const types: Record<string, ElfSymbol['type']> = { NOTYPE: 'notype', FUNC: 'func', OBJECT: 'object', SECTION: 'section', FILE: 'file' };
      const binds: Record<string, ElfSymbol['bind']> = { LOCAL: 'local', GLOBAL: 'global', WEAK: 'weak' };
      const ndx: Record<string, number> = { UND: 0, ABS: 0xfff1, COM: 0xfff2 };
      expected.push({
        name: m[7],
        value: parseInt(m[2], 16),
        size: Number(m[3]),
        type: types[m[4]] ?? 'other',
        bind: binds[m[5]] ?? 'other',
        shndx: ndx[m[6]] ?? Number(m[6]),
      });
    }
    assert.ok(expected.length > 20);
    assert.deepEqual(img.symbols, expected);

    const sections: Array<[string, number, number, number]> = [];
    for (const line of readelf(['-SW'], path).split('\n')) {
      const m = /^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]{8})\s+([0-9a-f]{6,})\s+([0-9a-f]{6,})\s/.exec(line);
      if (m === null || m[1] === '0') continue;
      sections.push([m[2], parseInt(m[3], 16), parseInt(m[4], 16), parseInt(m[5], 16)]);
    }
    assert.deepEqual(img.sections.slice(1).map((s) => [s.name, s.addr, s.offset, s.size]), sections);

    const loads: Array<[number, number, number, number, number]> = [];
    for (const line of readelf(['-lW'], path).split('\n')) {
      const m = /^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)/.exec(line);
      if (m !== null) loads.push([parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), parseInt(m[4], 16), parseInt(m[5], 16)]);
    }
    assert.deepEqual(img.segments.map((s) => [s.fileOffset, s.vaddr, s.paddr, s.data.length, s.memsz]), loads);
  });
}

test('a stripped guest parses with no symbols but keeps its segments', (t) => {
  if (!needTools(t, STRIP)) return;
  const bytes = guest(t, 'bench.elf');
  if (bytes === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'rvreplay-elf-'));
  try {
    const out = join(dir, 'stripped.elf');
    const r = spawnSync(STRIP, ['-o', out, join(GUESTS, 'bench.elf')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const img = parseElf(readFileSync(out), 'stripped.elf');
    const full = parseElf(bytes, 'bench.elf');
    assert.deepEqual(img.symbols, []);
    assert.equal(img.symbol('main'), undefined);
    assert.equal(img.symbolAt(0x80000000), undefined);
    assert.ok(!img.sections.some((s) => s.name.startsWith('.debug_')));
    assert.deepEqual(img.segments.map((s) => [s.paddr, s.memsz, Array.from(s.data)]), full.segments.map((s) => [s.paddr, s.memsz, Array.from(s.data)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('input that is a view at a non-zero byteOffset (pooled Buffer) parses the same', (t) => {
  const bytes = guest(t, 'echo.elf');
  if (bytes === undefined) return;
  const big = new Uint8Array(bytes.length + 7);
  big.set(bytes, 3);
  const a = parseElf(bytes, 'echo.elf');
  const b = parseElf(big.subarray(3, 3 + bytes.length), 'echo.elf');
  assert.deepEqual(b.symbols, a.symbols);
  assert.equal(b.entry, a.entry);
  assert.deepEqual(Array.from(b.segments[0].data), Array.from(a.segments[0].data));
});

// ---------------------------------------------------------------------------------------------
// The minimal hand-built file.

test('minimal built ELF: segments, symbols, lookup preferences', () => {
  const b = makeElf();
  const img: ElfImage = parseElf(b.bytes, 't.elf');
  assert.equal(img.entry, 0x80000000);
  assert.equal(img.segments.length, 1);
  assert.deepEqual({ ...img.segments[0], data: img.segments[0].data.length }, { vaddr: 0x80000000, paddr: 0x80000000, memsz: 0x50, data: TEXT_SIZE, flags: 7, fileOffset: b.textOff });
  assert.deepEqual(img.sections.map((s) => s.name), ['', '.text', '.bss', '.symtab', '.strtab', '.shstrtab']);
  assert.deepEqual(img.symbols.map((s) => s.name), ['.text', '_start', 'main', 'buf', 'helper', 'main']);
  assert.equal(img.symbols[0].type, 'section');

  // The global main wins over the local static of the same name.
  assert.equal(img.symbol('main')?.bind, 'global');
  assert.equal(img.symbol('helper')?.bind, 'weak');
  assert.equal(img.symbolAt(0x80000004)?.name, '_start');
  assert.equal(img.symbolAt(0x80000010)?.name, 'main');
  // helper lies inside main's range: the innermost symbol names the address.
  assert.equal(img.symbolAt(0x80000034)?.name, 'helper');
  // The local static "main" at 0x38 is innermost there.
  assert.equal(img.symbolAt(0x80000038)?.bind, 'local');
  assert.equal(img.symbolAt(0x80000044)?.name, 'buf');
  assert.equal(img.symbolAt(0x80000050), undefined);
  checkSegmentsFit(img, RAM_BASE, RAM_SIZE);
  checkSegmentsFit(img, 0x80000000, 0x50);
});

test('a file without section headers (e_shoff 0) parses with no sections or symbols', () => {
  const b = makeElf();
  const img = parseElf(mutate(b, (w) => { w.u32(0x20, 0); w.u16(0x30, 0); w.u16(0x32, 0); }), 't.elf');
  assert.deepEqual(img.sections, []);
  assert.deepEqual(img.symbols, []);
  assert.equal(img.symbolAt(0x80000010), undefined);
});

test('e_shstrndx 0 leaves sections unnamed but still reads symbols', () => {
  const b = makeElf();
  const img = parseElf(mutate(b, (w) => w.u16(0x32, 0)), 't.elf');
  assert.ok(img.sections.every((s) => s.name === ''));
  assert.equal(img.symbol('main')?.value, 0x80000010);
});

test('segments whose paddr differs from vaddr are checked by paddr', () => {
  const b = makeElf([{ vaddr: 0x1000, paddr: 0x80000000, filesz: 0x10, memsz: 0x10 }]);
  checkSegmentsFit(parseElf(b.bytes, 't.elf'), RAM_BASE, RAM_SIZE);
  const c = makeElf([{ vaddr: 0x80000000, paddr: 0x1000, filesz: 0x10, memsz: 0x10 }]);
  expectElfError(() => checkSegmentsFit(parseElf(c.bytes, 't.elf'), RAM_BASE, RAM_SIZE), /paddr \[0x00001000, 0x00001010\) is outside RAM/);
});

test('RAM ending exactly at 2^32 and empty segments outside RAM are fine', () => {
  const b = makeElf([
    { vaddr: 0xfffff000, filesz: 0x10, memsz: 0x1000 },
    { vaddr: 0x1000, filesz: 0, memsz: 0 },
  ]);
  const img = parseElf(b.bytes, 't.elf');
  checkSegmentsFit(img, 0xf0000000, 0x10000000);
});

// ---------------------------------------------------------------------------------------------
// Malformed files: each must fail with its own one-line message.

interface Bad { what: string; bytes: () => Uint8Array; re: RegExp; fit?: [number, number] }

const minimal = makeElf();
const ph0 = minimal.phoff;
const shdr = (i: number): number => minimal.shoff + i * 40;
const sym = (k: number): number => minimal.symtabOff + k * 16;
const fileLen = minimal.bytes.length;

const bad: Bad[] = [
  { what: 'empty file', bytes: () => new Uint8Array(0), re: /^t\.elf: empty file \(0 bytes\)/ },
  { what: 'shorter than the ELF header', bytes: () => minimal.bytes.slice(0, 40), re: /truncated: 40 bytes, shorter than the 52-byte ELF32 header/ },
  { what: 'two bytes of ELF magic only', bytes: () => minimal.bytes.slice(0, 2), re: /shorter than the 52-byte ELF32 header/ },
  { what: 'bad magic (a PE file)', bytes: () => mutate(minimal, (w) => { w.u8(0, 0x4d); w.u8(1, 0x5a); w.u8(2, 0x90); w.u8(3, 0); }), re: /not an ELF file \(magic 4d 5a 90 00, expected 7f 45 4c 46\)/ },
  { what: 'a short text file', bytes: () => new Uint8Array(Buffer.from('hello\n')), re: /not an ELF file \(magic 68 65 6c 6c/ },
  { what: 'ELFCLASS64', bytes: () => mutate(minimal, (w) => w.u8(4, 2)), re: /: 64-bit ELF; rvreplay runs RV32 \(rv32imac\) programs$/ },
  { what: 'invalid class', bytes: () => mutate(minimal, (w) => w.u8(4, 7)), re: /invalid ELF class 7 at offset 0x4/ },
  { what: 'big-endian', bytes: () => mutate(minimal, (w) => w.u8(5, 2)), re: /big-endian ELF/ },
  { what: 'ident version 0', bytes: () => mutate(minimal, (w) => w.u8(6, 0)), re: /unsupported ELF version 0 at offset 0x6/ },
  { what: 'relocatable object', bytes: () => mutate(minimal, (w) => w.u16(0x10, 1)), re: /not an executable \(e_type 1: a relocatable object/ },
  { what: 'shared object / PIE', bytes: () => mutate(minimal, (w) => w.u16(0x10, 3)), re: /not an executable \(e_type 3: .*PIE/ },
  { what: 'x86-64 machine', bytes: () => mutate(minimal, (w) => w.u16(0x12, 62)), re: /machine is x86-64 \(62\), expected RISC-V \(243\)$/ },
  { what: 'AArch64 machine', bytes: () => mutate(minimal, (w) => w.u16(0x12, 183)), re: /machine is AArch64 \(183\), expected RISC-V \(243\)$/ },
  { what: 'unknown machine', bytes: () => mutate(minimal, (w) => w.u16(0x12, 0x1234)), re: /machine is unknown \(4660\), expected RISC-V/ },
  { what: 'e_version 2', bytes: () => mutate(minimal, (w) => w.u32(0x14, 2)), re: /unsupported ELF version 2 at offset 0x14 \(e_version\)/ },
  { what: 'e_phentsize 56 (an ELF64 size)', bytes: () => mutate(minimal, (w) => w.u16(0x2a, 56)), re: /program header entry size 56 at offset 0x2a, expected 32/ },
  { what: 'e_shentsize 64 (an ELF64 size)', bytes: () => mutate(minimal, (w) => w.u16(0x2e, 64)), re: /section header entry size 64 at offset 0x2e, expected 40/ },
  {
    what: 'program header table offset near 2^32',
    bytes: () => mutate(minimal, (w) => w.u32(0x1c, 0xfffffff0)),
    re: new RegExp(esc(`program header table at offset 0xfffffff0 (1 entries): [0xfffffff0, 0x100000010) extends past end of file (size ${hex(fileLen)})`)),
  },
  { what: 'too many program headers', bytes: () => mutate(minimal, (w) => w.u16(0x2c, 1000)), re: /program header table at offset 0x34 \(1000 entries\): \[0x34, 0x7d34\) extends past end of file/ },
  { what: 'no program headers', bytes: () => mutate(minimal, (w) => w.u16(0x2c, 0)), re: /no loadable \(PT_LOAD\) segments: .*e_phnum 0/ },
  { what: 'only a PT_NOTE', bytes: () => mutate(minimal, (w) => w.u32(ph0, 4)), re: /no loadable \(PT_LOAD\) segments among 1 program header/ },
  {
    what: 'segment data past end of file',
    bytes: () => mutate(minimal, (w) => w.u32(ph0 + 4, fileLen - 8)),
    re: new RegExp(esc(`program header 0 at offset 0x34: segment data [${hex(fileLen - 8)}, ${hex(fileLen - 8 + TEXT_SIZE)}) extends past end of file (size ${hex(fileLen)})`)),
  },
  {
    what: 'segment offset near 2^32',
    bytes: () => mutate(minimal, (w) => w.u32(ph0 + 4, 0xffffffff)),
    re: /program header 0 at offset 0x34: segment data \[0xffffffff, 0x10000003f\) extends past end of file/,
  },
  { what: 'filesz > memsz', bytes: () => mutate(minimal, (w) => w.u32(ph0 + 20, 0x20)), re: /program header 0 at offset 0x34: file size 0x40 exceeds memory size 0x20/ },
  { what: 'segment wrapping past 2^32', bytes: () => mutate(minimal, (w) => { w.u32(ph0 + 12, 0xffffffe0); w.u32(ph0 + 8, 0xffffffe0); }), re: /program header 0 at offset 0x34: segment at paddr 0xffffffe0 \(memory size 0x50\) wraps past the end of the 32-bit address space/ },
  {
    what: 'overlapping PT_LOAD segments',
    bytes: () => makeElf([{ vaddr: 0x80000000, filesz: 0x10, memsz: 0x50 }, { vaddr: 0x80000020, filesz: 0x10, memsz: 0x40 }]).bytes,
    re: /program header 1 at offset 0x54: segment \[0x80000020, 0x80000060\) overlaps program header 0's \[0x80000000, 0x80000050\)/,
  },
  {
    what: 'overlap reported the same when listed out of address order',
    bytes: () => makeElf([{ vaddr: 0x80001000, filesz: 0x10, memsz: 0x10 }, { vaddr: 0x80000000, filesz: 0x10, memsz: 0x2000 }]).bytes,
    re: /program header 1 at offset 0x54: segment \[0x80000000, 0x80002000\) overlaps program header 0's \[0x80001000, 0x80001010\)/,
  },
  {
    what: 'section header table truncated',
    bytes: () => minimal.bytes.slice(0, minimal.shoff + 100),
    re: new RegExp(esc(`section header table at offset ${hex(minimal.shoff)} (6 entries): [${hex(minimal.shoff)}, ${hex(minimal.shoff + 240)}) extends past end of file (size ${hex(minimal.shoff + 100)})`)),
  },
  {
    what: 'section header table offset past end of file',
    bytes: () => mutate(minimal, (w) => w.u32(0x20, 0x10000)),
    re: /section header table at offset 0x10000: \[0x10000, 0x10028\) extends past end of file/,
  },
  {
    what: '.symtab data past end of file',
    bytes: () => mutate(minimal, (w) => w.u32(shdr(SH_SYMTAB) + 20, 0x1000)),
    re: new RegExp(esc(`section header 3 at offset ${hex(shdr(SH_SYMTAB))} (.symtab): section data [${hex(minimal.symtabOff)}, ${hex(minimal.symtabOff + 0x1000)}) extends past end of file`)),
  },
  {
    what: '.strtab offset past end of file',
    bytes: () => mutate(minimal, (w) => w.u32(shdr(SH_STRTAB) + 16, 0xfffffff0)),
    re: /section header 4 at offset 0x[0-9a-f]+ \(\.strtab\): section data \[0xfffffff0, 0x[0-9a-f]+\) extends past end of file/,
  },
  {
    what: '.shstrtab past end of file',
    bytes: () => mutate(minimal, (w) => w.u32(shdr(SH_SHSTRTAB) + 20, 0x10000)),
    re: /section header 5 at offset 0x[0-9a-f]+: section data \[0x[0-9a-f]+, 0x[0-9a-f]+\) extends past end of file/,
  },
  { what: 'e_shstrndx out of range', bytes: () => mutate(minimal, (w) => w.u16(0x32, 9)), re: /section name table index 9 \(e_shstrndx, offset 0x32\) is out of range \(6 sections\)/ },
  { what: 'e_shstrndx names a non-string-table', bytes: () => mutate(minimal, (w) => w.u16(0x32, SH_TEXT)), re: /section name table \(e_shstrndx 1\) has type 1, expected 3/ },
  {
    what: 'section name offset past .shstrtab',
    bytes: () => mutate(minimal, (w) => w.u32(shdr(SH_TEXT), 0x500)),
    re: new RegExp(esc(`section header 1 at offset ${hex(shdr(SH_TEXT))}: name offset 0x500 is past the end of the section name table (size ${hex(minimal.shstrtabSize)})`)),
  },
  {
    what: 'section name not NUL-terminated',
    bytes: () => mutate(minimal, (w) => w.u8(minimal.shstrtabOff + minimal.shstrtabSize - 1, 0x41)),
    re: /section header 5 at offset 0x[0-9a-f]+: name at offset 0x1c in the section name table is not NUL-terminated/,
  },
  {
    what: 'symbol name offset past .strtab',
    bytes: () => mutate(minimal, (w) => w.u32(sym(2), 0x1000)),
    re: new RegExp(esc(`symbol 2 at offset ${hex(sym(2))}: name offset 0x1000 is past the end of .strtab (size ${hex(minimal.strtabSize)})`)),
  },
  { what: '.symtab sh_link out of range', bytes: () => mutate(minimal, (w) => w.u32(shdr(SH_SYMTAB) + 24, 99)), re: /\(\.symtab\): string table index 99 \(sh_link\) is out of range \(6 sections\)/ },
  { what: '.symtab sh_link to a non-string-table', bytes: () => mutate(minimal, (w) => w.u32(shdr(SH_SYMTAB) + 24, SH_TEXT)), re: /\(\.symtab\): its string table, section 1, has type 1, expected 3/ },
  { what: '.symtab entry size 24', bytes: () => mutate(minimal, (w) => w.u32(shdr(SH_SYMTAB) + 36, 24)), re: /\(\.symtab\): symbol entry size 24, expected 16/ },
  {
    what: 'control characters in a section name stay out of the message',
    bytes: () => mutate(minimal, (w) => { w.u8(minimal.shstrtabOff + 13, 0x0a); w.u32(shdr(SH_SYMTAB) + 20, 0x1000); }),
    re: /\(\.\?ymtab\): section data/,
  },
  { what: 'segment below RAM', bytes: () => makeElf([{ vaddr: 0x1000, filesz: 0x10, memsz: 0x20 }]).bytes, fit: [RAM_BASE, RAM_SIZE], re: /PT_LOAD segment 0 \(file offset 0x60\) at paddr \[0x00001000, 0x00001020\) is outside RAM \[0x80000000, 0x88000000\)$/ },
  {
    what: 'second segment past the end of RAM',
    bytes: () => makeElf([{ vaddr: 0x80000000, filesz: 0x10, memsz: 0x10 }, { vaddr: 0x87fff000, filesz: 0x10, memsz: 0x2000 }]).bytes,
    fit: [RAM_BASE, RAM_SIZE],
    re: /PT_LOAD segment 1 \(file offset 0x80\) at paddr \[0x87fff000, 0x88001000\) extends 0x1000 bytes past the end of RAM \[0x80000000, 0x88000000\)$/,
  },
  { what: 'segment straddling the start of RAM', bytes: () => makeElf([{ vaddr: 0x7ffffff0, filesz: 0x10, memsz: 0x20 }]).bytes, fit: [RAM_BASE, RAM_SIZE], re: /\[0x7ffffff0, 0x80000010\) is outside RAM/ },
];

assert.ok(bad.length >= 12);
for (const c of bad) {
  test(`malformed: ${c.what}`, () => {
    const bytes = c.bytes();
    if (c.fit === undefined) {
      expectElfError(() => parseElf(bytes, 't.elf'), c.re);
    } else {
      const [base, size] = c.fit;
      const img = parseElf(bytes, 't.elf');
      expectElfError(() => checkSegmentsFit(img, base, size), c.re);
    }
  });
}

test('a file name with a newline does not break the one-line message', () => {
  let msg = '';
  try {
    parseElf(new Uint8Array(0), 'evil\nname.elf');
  } catch (e) {
    assert.ok(e instanceof ElfError);
    msg = e.message;
  }
  assert.equal(msg, 'evil?name.elf: empty file (0 bytes), not an ELF executable');
});

test('a section name holding NEL or U+2028 is neutralised in messages', () => {
  // "\xc2\x85" is UTF-8 for U+0085 (NEL), which some viewers break lines at.
  const b = makeElf();
  const bytes = mutate(b, (w) => {
    w.u8(b.shstrtabOff + 13, 0xc2);
    w.u8(b.shstrtabOff + 14, 0x85);
    w.u32(shdr(SH_SYMTAB) + 20, 0x1000);
  });
  expectElfError(() => parseElf(bytes, 't.elf'), /\(\.\?mtab\): section data/);
});

// ---------------------------------------------------------------------------------------------
// Fuzz: seeded mutations of a real guest. Each must parse or raise ElfError, quickly.


test('fuzz: 2000 mutations of echo.elf parse or throw ElfError', (t) => {
  const orig = guest(t, 'echo.elf');
  if (orig === undefined) return;
  const rnd = prngUnit(0x5eed1234);
  const int = (n: number): number => Math.floor(rnd() * n);
  const len = orig.length;
  const view = new DataView(orig.buffer, orig.byteOffset, orig.byteLength);
  const shoff = view.getUint32(0x20, true);
  const symtab = parseElf(orig, 'echo.elf').sections.find((s) => s.name === '.symtab');
  assert.ok(symtab);
  const interesting = [0, 1, 2, 0x10, 0x7f, 0xff, 0x100, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, len, len - 1, len + 1];
  // Random flips mostly land in DWARF, which this parser doesn't read, so aim most of them at
  // the structures it does: the ELF header, program headers, section headers and .symtab.
  const hot: Array<[number, number]> = [[0, 0x74], [shoff, shoff + 18 * 40], [symtab.offset, symtab.offset + symtab.size]];

  let parsed = 0;
  let rejected = 0;
  const began = performance.now();
  let slowest = 0;
  for (let iter = 0; iter < 2000; iter++) {
    let bytes = orig.slice();
    const mutations = 1 + int(4);
    for (let m = 0; m < mutations; m++) {
      const kind = int(10);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (kind === 0) {
        bytes = bytes.slice(0, int(bytes.length + 1));
      } else if (kind <= 2) {
        if (bytes.length > 0) bytes[int(bytes.length)] = int(256);
      } else {
        const [lo, hi] = hot[int(hot.length)];
        const off = lo + int(hi - lo);
        const value = rnd() < 0.7 ? interesting[int(interesting.length)] : int(0x100000000);
        if (kind <= 6 && off + 4 <= bytes.length) dv.setUint32(off, value >>> 0, true);
        else if (off + 2 <= bytes.length) dv.setUint16(off, value & 0xffff, true);
      }
    }

    const t0 = performance.now();
    let stage = 'parse';
    try {
      const img = parseElf(bytes, 'fuzz.elf');
      parsed++;
      stage = 'use';
      for (const s of img.sections) assert.ok(s.data().length <= s.size);
      for (const s of img.segments) assert.ok(s.data.length <= s.memsz && s.fileOffset + s.data.length <= bytes.length);
      img.symbol('main');
      img.symbolAt(0x80000000 + int(0x400));
      img.symbolAt(int(0x100000000));
      stage = 'fit';
      checkSegmentsFit(img, RAM_BASE, RAM_SIZE);
    } catch (e) {
      if (!(e instanceof ElfError)) {
        assert.fail(`iteration ${iter}, ${stage}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      assert.notEqual(stage, 'use', `iteration ${iter}: using a parsed image threw ${e.message}`);
      assert.ok(!/[\r\n]/.test(e.message), `iteration ${iter}: multi-line message ${JSON.stringify(e.message)}`);
      assert.ok(e.message.startsWith('fuzz.elf: '));
      if (stage === 'parse') rejected++;
    }
    slowest = Math.max(slowest, performance.now() - t0);
  }
  const total = performance.now() - began;
  t.diagnostic(`parsed ${parsed}, rejected ${rejected}, ${total.toFixed(0)} ms total, slowest ${slowest.toFixed(1)} ms`);
  // Both outcomes must be common, or the mutations are not exercising the parser.
  assert.ok(parsed > 100, `only ${parsed} mutants parsed`);
  assert.ok(rejected > 500, `only ${rejected} mutants rejected`);
  assert.ok(total < 10_000, `fuzz took ${total.toFixed(0)} ms`);
});
