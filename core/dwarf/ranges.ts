// The address ranges a DIE covers: DW_AT_low_pc/high_pc, or DW_AT_ranges into .debug_ranges
// (DWARF 2-4) or .debug_rnglists (DWARF 5, including DW_FORM_rnglistx).
import { AT, RLE } from './constants';
import type { AttrValue, Die, Unit } from './info';
import { Reader, hex } from './reader';

/** [start, end): end is one past the last byte. */
export type Range = [number, number];

/** Ranges of a DIE; empty when it has none (declarations, abstract instances). */
export function dieRanges(die: Die): Range[] {
  const lo = die.addr(AT.low_pc);
  const hiAttr = die.attr(AT.high_pc);
  if (lo !== undefined && hiAttr !== undefined) {
    // DWARF 4+ may give high_pc as an offset from low_pc (any constant form).
    const isAddr = hiAttr.kind === 'addr' || hiAttr.kind === 'addrx';
    const hi = isAddr ? die.addr(AT.high_pc) : lo + (die.num(AT.high_pc) ?? 0);
    return hi !== undefined && hi > lo ? [[lo, hi]] : [];
  }
  const r = die.attr(AT.ranges);
  if (r !== undefined) return rangeList(die.unit, r, die === die.unit.root());
  if (lo !== undefined) return [[lo, lo + 1]]; // a label-like entity: one address
  return [];
}

/** Reads the range list an attribute points at. */
export function rangeList(unit: Unit, v: AttrValue, isUnitRoot: boolean): Range[] {
  const sections = unit.info.sections;
  // The unit's own DW_AT_ranges is relative to a base of 0 (its low_pc, when present, is 0).
  const base = isUnitRoot ? unit.root().addr(AT.low_pc) ?? 0 : unit.baseAddress;
  if (unit.version >= 5) {
    const bytes = sections.get('.debug_rnglists');
    const r: Reader = new Reader(sections.where('.debug_rnglists'), bytes ?? new Uint8Array(0));
    let offset: number;
    if (v.kind === 'rnglistx') {
      const listBase = unit.rnglistsBase ?? (unit.is64 ? 20 : 12);
      r.pos = listBase + v.n * (unit.is64 ? 8 : 4);
      offset = listBase + r.offsetOf(unit.is64);
    } else if (v.kind === 'sec' || v.kind === 'const') {
      offset = v.n;
    } else {
      return [];
    }
    if (bytes === undefined) r.fail(`unit at .debug_info ${hex(unit.offset)} refers to range list ${hex(offset)}, but the section is missing`, 0);
    return readRnglist(unit, r, offset, base);
  }
  if (v.kind !== 'sec' && v.kind !== 'const') return [];
  const bytes = sections.get('.debug_ranges');
  const r: Reader = new Reader(sections.where('.debug_ranges'), bytes ?? new Uint8Array(0), v.n);
  if (bytes === undefined) r.fail(`unit at .debug_info ${hex(unit.offset)} refers to range list ${hex(v.n)}, but the section is missing`, 0);
  return readRanges4(unit, r, base);
}

/** Upper bound on entries per list: each is at least one byte, so this only stops runaway garbage. */
const MAX_ENTRIES = 1 << 20;

function readRanges4(unit: Unit, r: Reader, base: number): Range[] {
  const out: Range[] = [];
  const size = unit.addrSize;
  const maxAddr = size >= 8 ? Number.MAX_SAFE_INTEGER : 2 ** (size * 8) - 1;
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const start = r.addr(size);
    const end = r.addr(size);
    if (start === 0 && end === 0) return out;
    if (start === maxAddr) {
      base = end;
      continue;
    }
    if (end > start) out.push([base + start, base + end]);
  }
  return r.fail('range list does not end');
}

function readRnglist(unit: Unit, r: Reader, offset: number, base: number): Range[] {
  r.pos = offset;
  if (offset >= r.length) r.fail(`range list offset ${hex(offset)} is past the end of the section`, offset);
  const out: Range[] = [];
  const size = unit.addrSize;
  const addrx = (i: number): number => {
    const a = unit.indexedAddr(i);
    if (a === undefined) r.fail(`address index ${i} cannot be resolved (no .debug_addr)`);
    return a;
  };
  const push = (s: number, e: number): void => {
    if (e > s) out.push([s, e]);
  };
  for (let n = 0; n < MAX_ENTRIES; n++) {
    const at = r.pos;
    const kind = r.u8();
    switch (kind) {
      case RLE.end_of_list: return out;
      case RLE.base_addressx: base = addrx(r.uleb()); break;
      case RLE.startx_endx: { const s = addrx(r.uleb()); push(s, addrx(r.uleb())); break; }
      case RLE.startx_length: { const s = addrx(r.uleb()); push(s, s + r.uleb()); break; }
      case RLE.offset_pair: { const s = r.uleb(); push(base + s, base + r.uleb()); break; }
      case RLE.base_address: base = r.addr(size); break;
      case RLE.start_end: { const s = r.addr(size); push(s, r.addr(size)); break; }
      case RLE.start_length: { const s = r.addr(size); push(s, s + r.uleb()); break; }
      default: r.fail(`unknown range list entry kind ${hex(kind)}`, at);
    }
  }
  return r.fail('range list does not end');
}

export function inRanges(ranges: Range[], pc: number): boolean {
  for (const [s, e] of ranges) if (pc >= s && pc < e) return true;
  return false;
}
