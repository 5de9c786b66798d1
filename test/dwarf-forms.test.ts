// The DWARF 5 forms and tables GCC does not emit without -gsplit-dwarf, in 32- and 64-bit DWARF:
// strx1-4 with DW_AT_str_offsets_base, addrx/DW_OP_addrx with DW_AT_addr_base, rnglistx and
// loclistx with their bases and offset tables, line_strp, implicit_const, ref_udata, ref_addr,
// data16, sdata, every DW_RLE_* and DW_LLE_* kind. The unit is assembled by hand below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDebugInfo, type FrameState } from '../core/dwarf/index';
import type { ElfImage, ElfSection } from '../core/elf/elf';

class Buf {
  readonly b: number[] = [];
  constructor(readonly is64 = false) {}
  get length(): number {
    return this.b.length;
  }
  u8(...v: number[]): this {
    for (const x of v) this.b.push(x & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v, v >>> 8);
  }
  u32(v: number): this {
    return this.u8(v, v >>> 8, v >>> 16, v >>> 24);
  }
  u64(v: number): this {
    return this.u32(v).u32(Math.floor(v / 2 ** 32));
  }
  /** A section offset: 4 or 8 bytes. */
  off(v: number): this {
    return this.is64 ? this.u64(v) : this.u32(v);
  }
  uleb(v: number): this {
    do {
      let byte = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) byte |= 0x80;
      this.u8(byte);
    } while (v !== 0);
    return this;
  }
  sleb(v: number): this {
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return this.u8(byte);
      this.u8(byte | 0x80);
    }
  }
  str(s: string): this {
    for (const c of Buffer.from(s, 'utf8')) this.u8(c);
    return this.u8(0);
  }
  bytes(v: Uint8Array | number[]): this {
    for (const x of v) this.u8(x);
    return this;
  }
  /** Wraps the contents in an initial length (32- or 64-bit DWARF). */
  unit(): Uint8Array {
    const len = this.b.length;
    const head = new Buf(this.is64);
    if (this.is64) head.u32(0xffffffff).u64(len);
    else head.u32(len);
    return Uint8Array.from([...head.b, ...this.b]);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.b);
  }
}

/** Size of an initial length field. */
const lenSize = (is64: boolean): number => (is64 ? 12 : 4);

function build(is64: boolean): Record<string, Uint8Array> {
  // .debug_str and its offsets table (index: string).
  const strs = ['prog.c', 'GNU C17 synthetic', 'main', 'int', 'x', 'counter', 'g', 'k', 'long long', 'big'];
  const str = new Buf();
  const strOff: number[] = [];
  for (const s of strs) {
    strOff.push(str.length);
    str.str(s);
  }
  const so = new Buf(is64).u16(5).u16(0);
  for (const o of strOff) so.off(o);
  const strOffsetsBase = lenSize(is64) + 4;

  const lineStr = new Buf().str('/src').str('prog.c');

  // .debug_addr: 0 main, 1 counter, 2 g, 3 counter's second range.
  const addrs = [0x1000, 0x1100, 0x1200, 0x1140];
  const addr = new Buf(is64).u16(5).u8(4, 0);
  for (const a of addrs) addr.u32(a);
  const addrBase = lenSize(is64) + 4;

  // .debug_rnglists: header, offset table with 2 entries, then the lists.
  const rnglistsBase = lenSize(is64) + 8;
  const lists = new Buf(is64);
  const list0 = lists.length; // the unit's ranges: start_end + start_length + base_address/offset_pair
  lists.u8(6).u32(0x1000).u32(0x1010); // DW_RLE_start_end
  lists.u8(7).u32(0x1100).uleb(0x20); // DW_RLE_start_length
  lists.u8(5).u32(0x1100).u8(4).uleb(0x40).uleb(0x50); // DW_RLE_base_address, DW_RLE_offset_pair
  lists.u8(0);
  const list1 = lists.length; // counter: startx_length + base_addressx/offset_pair + startx_endx (empty)
  lists.u8(3).uleb(1).uleb(0x20); // DW_RLE_startx_length
  lists.u8(1).uleb(3).u8(4).uleb(0).uleb(0x10); // DW_RLE_base_addressx, offset_pair
  lists.u8(2).uleb(0).uleb(0); // DW_RLE_startx_endx: [0x1000, 0x1000) is empty and dropped
  lists.u8(0);
  const tableSize = 2 * (is64 ? 8 : 4); // offsets are relative to the end of the header
  const offTable = new Buf(is64).off(tableSize + list0).off(tableSize + list1);
  const rng = new Buf(is64).u16(5).u8(4, 0).u32(2).bytes(offTable.b).bytes(lists.b);

  // .debug_loclists: x in a0 for [0x1000,0x1004), at sp+8 for [0x1004,0x1008), then 7.
  const loclistsBase = lenSize(is64) + 8;
  const ll = new Buf(is64);
  ll.u8(3).uleb(0).uleb(4).uleb(1).u8(0x5a); // DW_LLE_startx_length, DW_OP_reg10
  ll.u8(6).u32(0x1000).u8(4).uleb(4).uleb(6).uleb(2).u8(0x72, 8); // base_address, offset_pair, DW_OP_breg2 8
  ll.u8(8).u32(0x1006).uleb(2).uleb(2).u8(0x72, 12); // DW_LLE_start_length
  ll.u8(7).u32(0x1008).u32(0x1008).uleb(1).u8(0x50); // DW_LLE_start_end, empty: dropped
  ll.u8(2).uleb(0).uleb(0).uleb(1).u8(0x50); // DW_LLE_startx_endx, empty
  ll.u8(5).uleb(2).u8(0x37, 0x9f); // DW_LLE_default_location: DW_OP_lit7 DW_OP_stack_value
  ll.u8(0);
  const loc = new Buf(is64).u16(5).u8(4, 0).u32(1).off(is64 ? 8 : 4).bytes(ll.b);

  // .debug_line: version 5, one directory and one file, both line_strp.
  const prog = new Buf();
  prog.u8(4).uleb(0); // DW_LNS_set_file 0: DWARF 5 numbers files from 0
  prog.u8(0).uleb(5).u8(2).u32(0x1000); // DW_LNE_set_address
  prog.u8(3).sleb(9).u8(1); // advance_line 9 (line 10), copy
  prog.u8(2).uleb(4).u8(3).sleb(1).u8(1); // +4, line 11
  prog.u8(2).uleb(12).u8(0).uleb(1).u8(1); // +12, end_sequence
  const hdr = new Buf(is64);
  hdr.u8(1, 1, 1).u8(-5 & 0xff).u8(14).u8(13).u8(0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1);
  hdr.u8(1).uleb(1).uleb(0x1f).uleb(1).off(0); // dirs: DW_LNCT_path line_strp; "/src"
  hdr.u8(2).uleb(1).uleb(0x1f).uleb(2).uleb(0x0b).uleb(1).off(5).u8(0); // files: path, dir index data1
  const line = new Buf(is64).u16(5).u8(4, 0).off(hdr.length).bytes(hdr.b).bytes(prog.b);

  // .debug_abbrev: one abbreviation per DIE kind, covering a different form each.
  const ab = new Buf();
  const attr = (name: number, form: number, implicit?: number): void => {
    ab.uleb(name).uleb(form);
    if (implicit !== undefined) ab.sleb(implicit);
  };
  const abbrev = (code: number, tag: number, children: boolean, attrs: Array<[number, number, number?]>): void => {
    ab.uleb(code).uleb(tag).u8(children ? 1 : 0);
    for (const [n, f, c] of attrs) attr(n, f, c);
    ab.u8(0, 0);
  };
  // compile_unit: producer strx1, name strx2, comp_dir line_strp, the four bases, low_pc,
  // ranges rnglistx, stmt_list, language.
  abbrev(1, 0x11, true, [[0x25, 0x25], [0x03, 0x26], [0x1b, 0x1f], [0x72, 0x17], [0x73, 0x17], [0x74, 0x17], [0x8c, 0x17], [0x11, 0x01], [0x55, 0x23], [0x10, 0x17], [0x13, 0x05]]);
  abbrev(2, 0x24, false, [[0x03, 0x27], [0x0b, 0x0b], [0x3e, 0x0b]]); // base_type: name strx3
  // subprogram: name strx4, low_pc addrx1, high_pc data4 (offset), frame_base, external, decl_file implicit_const 0, decl_line udata
  abbrev(3, 0x2e, true, [[0x03, 0x28], [0x11, 0x29], [0x12, 0x06], [0x40, 0x18], [0x3f, 0x19], [0x3a, 0x21, 0], [0x3b, 0x0f]]);
  abbrev(4, 0x34, false, [[0x03, 0x1a], [0x49, 0x15], [0x02, 0x22]]); // local: name strx, type ref_udata, location loclistx
  abbrev(5, 0x2e, false, [[0x03, 0x25], [0x55, 0x23], [0x3a, 0x21, 0], [0x3b, 0x21, 20]]); // subprogram with rnglistx
  abbrev(6, 0x34, false, [[0x03, 0x26], [0x49, 0x10], [0x3f, 0x19], [0x02, 0x18]]); // global: ref_addr, exprloc
  abbrev(7, 0x34, false, [[0x03, 0x27], [0x49, 0x13], [0x1c, 0x0d]]); // const_value sdata
  abbrev(8, 0x34, false, [[0x03, 0x28], [0x49, 0x13], [0x1c, 0x1e]]); // const_value data16
  ab.u8(0);

  // .debug_info: offsets of DIEs are section offsets (the unit starts at 0).
  const info = new Buf(is64);
  info.u16(5).u8(1, 4).off(0);
  const here = (): number => lenSize(is64) + info.length;
  info.uleb(1).u8(1).u16(0).off(0).off(strOffsetsBase).off(addrBase).off(rnglistsBase).off(loclistsBase).u32(0).uleb(0).off(0).u16(0x1d);
  const intOff = here();
  info.uleb(2).u8(3, 0, 0).u8(4).u8(5); // int: strx3 3, 4 bytes, DW_ATE_signed
  const llOff = here();
  info.uleb(2).u8(8, 0, 0).u8(8).u8(5); // long long
  info.uleb(3).u32(2).u8(0).u32(0x10).uleb(1).u8(0x9c).uleb(10); // main
  info.uleb(4).uleb(4).uleb(intOff).uleb(0); // x
  info.u8(0); // end of main's children
  info.uleb(5).u8(5).uleb(1); // counter
  info.uleb(6).u16(6).off(intOff).uleb(2).u8(0xa1, 2); // g: DW_OP_addrx 2
  info.uleb(7).u8(7, 0, 0).u32(intOff).sleb(-42); // k
  info.uleb(8).u32(9).u32(llOff); // big = 2^64 + 42 as data16, shown in a long long: 42
  for (let i = 0; i < 16; i++) info.u8(i === 0 ? 0x2a : i === 8 ? 1 : 0);
  info.u8(0);
  return {
    '.debug_str': str.done(),
    '.debug_str_offsets': so.unit(),
    '.debug_line_str': lineStr.done(),
    '.debug_addr': addr.unit(),
    '.debug_rnglists': rng.unit(),
    '.debug_loclists': loc.unit(),
    '.debug_line': line.unit(),
    '.debug_abbrev': ab.done(),
    '.debug_info': info.unit(),
  };
}

function image(secs: Record<string, Uint8Array>): ElfImage {
  const sections: ElfSection[] = Object.entries(secs).map(([name, data]) => ({ name, type: 1, flags: 0, addr: 0, offset: 0, size: data.length, data: () => data }));
  const code = new Uint8Array(0x400);
  return {
    name: 'synthetic.elf', entry: 0x1000, segments: [{ vaddr: 0x1000, paddr: 0x1000, memsz: 0x400, data: code, flags: 5, fileOffset: 0 }],
    symbols: [], sections, symbolAt: () => undefined, symbol: () => undefined,
  };
}

for (const is64 of [false, true]) {
  test(`hand-assembled DWARF 5 unit (${is64 ? '64' : '32'}-bit DWARF): indexed strings, addresses, range and location lists`, () => {
    const dbg = loadDebugInfo(image(build(is64)));
    assert.deepEqual(dbg.loadAll(), []);
    assert.ok(dbg.hasDebugInfo);
    assert.deepEqual(dbg.sourceFiles(), ['/src/prog.c']);
    assert.deepEqual(dbg.lineFor(0x1002), { file: '/src/prog.c', line: 10, column: 0, isStmt: true, address: 0x1000 });
    assert.equal(dbg.lineFor(0x1004)?.line, 11);
    assert.equal(dbg.lineFor(0x1010), undefined);

    const main = dbg.functionByName('main');
    assert.ok(main);
    assert.equal(main.lowPc, 0x1000);
    assert.equal(main.highPc, 0x1010);
    assert.equal(main.declFile, '/src/prog.c');
    assert.equal(main.declLine, 10);
    const counter = dbg.functionByName('counter');
    assert.ok(counter);
    assert.deepEqual(counter.ranges, [[0x1100, 0x1120], [0x1140, 0x1150]]);
    assert.equal(counter.declLine, 20);
    assert.equal(dbg.functionAt(0x1145), counter);
    assert.equal(dbg.functionAt(0x1130), undefined);

    const regs = new Int32Array(32);
    regs[10] = 1234;
    regs[2] = 0x3000;
    const mem = (a: number, n: number): Uint8Array | undefined => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = (a + i) & 0xff;
      return a >= 0x1000 && a < 0x4000 ? out : undefined;
    };
    const x = (pc: number): string => {
      const frame: FrameState = { pc, regs, innermost: true, cfa: 0x3010 };
      const scope = dbg.scopesAt(pc)[0];
      const v = scope.locals.find((l) => l.name === 'x')!;
      return dbg.format(dbg.readVariable(v, frame, mem));
    };
    assert.equal(x(0x1000), '1234', 'DW_LLE_startx_length: in a0');
    assert.equal(x(0x1004), String(0x0b0a0908), 'DW_LLE_offset_pair after base_address: at sp+8');
    assert.equal(x(0x1006), String(0x0f0e0d0c), 'DW_LLE_start_length: at sp+12');
    assert.equal(x(0x100c), '7', 'DW_LLE_default_location');

    const globals = new Map(dbg.globals().map((g) => [g.name, g]));
    assert.deepEqual([...globals.keys()], ['g', 'k', 'big']);
    assert.equal(dbg.format(dbg.readVariable(globals.get('g')!, undefined, mem)), String(0x03020100), 'DW_OP_addrx');
    assert.equal(dbg.format(dbg.readVariable(globals.get('k')!, undefined, mem)), '-42');
    assert.equal(dbg.typeName(globals.get('big')!.type), 'long long');
    assert.equal(dbg.format(dbg.readVariable(globals.get('big')!, undefined, mem)), '42');
  });
}
