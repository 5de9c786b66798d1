// Location descriptions: a single expression (exprloc/block) or a location list in .debug_loc
// (DWARF 2-4) or .debug_loclists (DWARF 5, including DW_FORM_loclistx). The result for a pc is the
// expression that applies there, or nothing (the variable has no location: "optimized out").
import { LLE } from './constants';
import type { AttrValue, Unit } from './info';
import { Reader, hex } from './reader';

export interface LocListEntry {
  /** [start, end) of the pcs the expression applies to; undefined for DW_LLE_default_location. */
  start?: number;
  end?: number;
  expr: Uint8Array;
}

export type LocationDesc =
  | { kind: 'expr'; expr: Uint8Array }
  | { kind: 'list'; entries: LocListEntry[] };

/** Decodes a DW_AT_location / DW_AT_frame_base style attribute; undefined if it is not one. */
export function locationDesc(unit: Unit, v: AttrValue): LocationDesc | undefined {
  if (v.kind === 'exprloc' || v.kind === 'block') return { kind: 'expr', expr: v.b ?? new Uint8Array(0) };
  // DWARF 2/3 used data4/data8 for location list offsets.
  const isOffset = v.kind === 'sec' || (unit.version <= 3 && v.kind === 'const' && (v.size === 4 || v.size === 8));
  if (isOffset) return { kind: 'list', entries: unit.version >= 5 ? readLoclists(unit, v.n) : readLoc4(unit, v.n) };
  if (v.kind === 'loclistx') {
    const sections = unit.info.sections;
    const bytes = sections.get('.debug_loclists');
    const r: Reader = new Reader(sections.where('.debug_loclists'), bytes ?? new Uint8Array(0));
    if (bytes === undefined) r.fail(`DW_FORM_loclistx in unit ${hex(unit.offset)}, but the section is missing`, 0);
    const base = unit.loclistsBase ?? (unit.is64 ? 20 : 12);
    r.pos = base + v.n * (unit.is64 ? 8 : 4);
    return { kind: 'list', entries: readLoclists(unit, base + r.offsetOf(unit.is64)) };
  }
  return undefined;
}

/** The expression in effect at pc, or undefined when the list has no entry for it. */
export function exprAt(desc: LocationDesc, pc: number): Uint8Array | undefined {
  if (desc.kind === 'expr') return desc.expr;
  let dflt: Uint8Array | undefined;
  for (const e of desc.entries) {
    if (e.start === undefined) dflt = e.expr;
    else if (pc >= e.start && pc < (e.end ?? 0)) return e.expr;
  }
  return dflt;
}

const MAX_ENTRIES = 1 << 20;

function readLoc4(unit: Unit, offset: number): LocListEntry[] {
  const sections = unit.info.sections;
  const bytes = sections.get('.debug_loc');
  const r: Reader = new Reader(sections.where('.debug_loc'), bytes ?? new Uint8Array(0), offset);
  if (bytes === undefined) r.fail(`unit at .debug_info ${hex(unit.offset)} refers to location list ${hex(offset)}, but the section is missing`, 0);
  if (offset >= r.length) r.fail(`location list offset ${hex(offset)} is past the end of the section`, offset);
  const size = unit.addrSize;
  const maxAddr = size >= 8 ? Number.MAX_SAFE_INTEGER : 2 ** (size * 8) - 1;
  let base = unit.baseAddress;
  const out: LocListEntry[] = [];
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const start = r.addr(size);
    const end = r.addr(size);
    if (start === 0 && end === 0) return out;
    if (start === maxAddr) {
      base = end;
      continue;
    }
    const expr = r.bytesN(r.u16());
    if (end > start) out.push({ start: base + start, end: base + end, expr });
  }
  return r.fail('location list does not end');
}

function readLoclists(unit: Unit, offset: number): LocListEntry[] {
  const sections = unit.info.sections;
  const bytes = sections.get('.debug_loclists');
  const r: Reader = new Reader(sections.where('.debug_loclists'), bytes ?? new Uint8Array(0), offset);
  if (bytes === undefined) r.fail(`unit at .debug_info ${hex(unit.offset)} refers to location list ${hex(offset)}, but the section is missing`, 0);
  if (offset >= r.length) r.fail(`location list offset ${hex(offset)} is past the end of the section`, offset);
  const size = unit.addrSize;
  let base = unit.baseAddress;
  const out: LocListEntry[] = [];
  const addrx = (i: number): number => {
    const a = unit.indexedAddr(i);
    if (a === undefined) r.fail(`address index ${i} cannot be resolved (no .debug_addr)`);
    return a;
  };
  const push = (start: number | undefined, end: number | undefined): void => {
    const expr = r.bytesN(r.uleb());
    if (start === undefined || (end !== undefined && end > start)) out.push({ start, end, expr });
  };
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const at = r.pos;
    const kind = r.u8();
    switch (kind) {
      case LLE.end_of_list: return out;
      case LLE.base_addressx: base = addrx(r.uleb()); break;
      case LLE.startx_endx: { const s = addrx(r.uleb()); push(s, addrx(r.uleb())); break; }
      case LLE.startx_length: { const s = addrx(r.uleb()); push(s, s + r.uleb()); break; }
      case LLE.offset_pair: { const s = base + r.uleb(); push(s, base + r.uleb()); break; }
      case LLE.default_location: push(undefined, undefined); break;
      case LLE.base_address: base = r.addr(size); break;
      case LLE.start_end: { const s = r.addr(size); push(s, r.addr(size)); break; }
      case LLE.start_length: { const s = r.addr(size); push(s, s + r.uleb()); break; }
      case LLE.GNU_view_pair: r.uleb(); r.uleb(); break; // views order entries at one pc; ignored
      default: r.fail(`unknown location list entry kind ${hex(kind)}`, at);
    }
  }
  return r.fail('location list does not end');
}
