// .debug_info (and DWARF 4's .debug_types): unit headers, read eagerly because they are cheap,
// and DIE trees, read per unit on first use. Attribute values keep their form so that accessors
// can resolve the indirect ones (strx, addrx, loclistx, rnglistx) against the unit's bases, which
// are themselves attributes of the unit's root DIE.
import { parseAbbrevTable, type Abbrev } from './abbrev';
import { AT, FORM, TAG, UT } from './constants';
import { Reader, hex } from './reader';
import type { SectionName, Sections } from './sections';

export type AttrKind =
  | 'const' // unsigned constant (data1/2/4, udata); `size` says how wide it was for sign extension
  | 'sconst' // signed constant (sdata, implicit_const)
  | 'big' // data8/data16: `big` holds every bit
  | 'addr'
  | 'addrx'
  | 'str'
  | 'strp'
  | 'line_strp'
  | 'strx'
  | 'ref' // absolute .debug_info (or .debug_types) offset
  | 'ref_sig8'
  | 'block'
  | 'exprloc'
  | 'sec' // sec_offset
  | 'flag'
  | 'loclistx'
  | 'rnglistx'
  | 'unsupported'; // forms pointing into other files (dwz's .gnu_debugaltlink, .debug_sup)

export interface AttrValue {
  form: number;
  kind: AttrKind;
  n: number;
  size: number;
  big?: bigint;
  s?: string;
  b?: Uint8Array;
}

/** The limit on DIE nesting: real C code stays far below, and it bounds every recursive walk. */
const MAX_DEPTH = 200;
/** How many abstract_origin / specification links a lookup follows before giving up (cycles). */
const MAX_LINKS = 8;

export class Die {
  parent: Die | undefined;
  readonly children: Die[] = [];

  constructor(
    readonly unit: Unit,
    readonly offset: number,
    readonly abbrev: Abbrev,
    readonly values: AttrValue[],
  ) {}

  get tag(): number {
    return this.abbrev.tag;
  }

  attr(at: number): AttrValue | undefined {
    const attrs = this.abbrev.attrs;
    for (let i = 0; i < attrs.length; i++) if (attrs[i].name === at) return this.values[i];
    return undefined;
  }

  has(at: number): boolean {
    return this.attr(at) !== undefined;
  }

  /** The attribute here, or on the DIE this one completes (abstract_origin, specification). */
  inherited(at: number): AttrValue | undefined {
    let d: Die | undefined = this;
    for (let i = 0; d !== undefined && i < MAX_LINKS; i++) {
      const v = d.attr(at);
      if (v !== undefined) return v;
      d = d.ref(AT.abstract_origin) ?? d.ref(AT.specification);
    }
    return undefined;
  }

  str(at: number): string | undefined {
    const v = this.attr(at);
    return v === undefined ? undefined : this.unit.string(v);
  }

  get name(): string | undefined {
    const v = this.inherited(AT.name);
    return v === undefined ? undefined : this.unit.string(v);
  }

  /** An unsigned constant. */
  num(at: number): number | undefined {
    const v = this.attr(at);
    if (v === undefined) return undefined;
    if (v.kind === 'const' || v.kind === 'sconst') return v.n;
    if (v.kind === 'big') return Number(v.big ?? 0n);
    return undefined;
  }

  /** A constant taken as signed (data1-4 are sign-extended from their width). */
  snum(at: number): number | undefined {
    const v = this.attr(at);
    if (v === undefined) return undefined;
    if (v.kind === 'sconst') return v.n;
    if (v.kind === 'const') return v.size > 0 && v.size < 8 ? signExtend(v.n, v.size * 8) : v.n;
    if (v.kind === 'big') return Number(BigInt.asIntN(64, v.big ?? 0n));
    return undefined;
  }

  flag(at: number): boolean {
    const v = this.attr(at);
    return v !== undefined && v.kind === 'flag' && v.n !== 0;
  }

  addr(at: number): number | undefined {
    const v = this.attr(at);
    if (v === undefined) return undefined;
    if (v.kind === 'addr') return v.n;
    if (v.kind === 'addrx') return this.unit.indexedAddr(v.n);
    return undefined;
  }

  /** The DIE a reference attribute points at; undefined when absent or dangling. */
  ref(at: number): Die | undefined {
    const v = this.attr(at);
    if (v === undefined) return undefined;
    if (v.kind === 'ref') return this.unit.info.dieAt(v.n, this.unit.section);
    if (v.kind === 'ref_sig8' && v.big !== undefined) return this.unit.info.typeBySignature(v.big);
    return undefined;
  }

  /** A block or exprloc. */
  block(at: number): Uint8Array | undefined {
    const v = this.attr(at);
    if (v === undefined) return undefined;
    return v.kind === 'block' || v.kind === 'exprloc' ? v.b : undefined;
  }

  /** The link target through abstract_origin (inlined and out-of-line instances of a function). */
  origin(): Die {
    let d: Die = this;
    for (let i = 0; i < MAX_LINKS; i++) {
      const o = d.ref(AT.abstract_origin) ?? d.ref(AT.specification);
      if (o === undefined || o === d) break;
      d = o;
    }
    return d;
  }

  toString(): string {
    return `DIE ${hex(this.offset)} (tag ${hex(this.tag)})`;
  }
}

export function signExtend(v: number, bits: number): number {
  if (bits >= 53) return v;
  if (bits === 32) return v | 0;
  const m = 2 ** (bits - 1);
  return v >= m ? v - 2 * m : v;
}

export class Unit {
  private tree: { dies: Die[]; byOffset: Map<number, Die> } | undefined;
  private rootDie: Die | undefined;
  private abbrevs: Map<number, Abbrev> | undefined;

  constructor(
    readonly info: InfoSection,
    readonly section: '.debug_info' | '.debug_types',
    /** Offset of the unit header in its section. */
    readonly offset: number,
    /** Offset one past the unit's last byte. */
    readonly end: number,
    readonly version: number,
    readonly unitType: number,
    readonly addrSize: number,
    readonly is64: boolean,
    readonly abbrevOffset: number,
    /** Offset of the first DIE. */
    readonly dieOffset: number,
    readonly typeSignature?: bigint,
    /** For type units, the section offset of the type DIE. */
    readonly typeOffset?: number,
  ) {}

  get where(): string {
    return this.info.sections.where(this.section);
  }

  private abbrevTable(): Map<number, Abbrev> {
    if (this.abbrevs === undefined) {
      const sec = this.info.sections.get('.debug_abbrev');
      const r: Reader = new Reader(this.info.sections.where('.debug_abbrev'), sec ?? new Uint8Array(0));
      if (sec === undefined) new Reader(this.where, new Uint8Array(0)).fail(`unit at ${hex(this.offset)} needs .debug_abbrev, which is missing`, 0);
      this.abbrevs = parseAbbrevTable(r, this.abbrevOffset);
    }
    return this.abbrevs;
  }

  /** The unit's root DIE alone (compile_unit or partial_unit), without reading the rest. */
  root(): Die {
    if (this.tree !== undefined) return this.tree.dies[0];
    if (this.rootDie === undefined) {
      const r: Reader = this.reader();
      r.pos = this.dieOffset;
      const d = this.readDie(r, this.abbrevTable());
      if (d === undefined) r.fail(`unit at ${hex(this.offset)} has no root DIE`, this.dieOffset);
      this.rootDie = d;
    }
    return this.rootDie;
  }

  private reader(): Reader {
    const bytes = this.info.sections.get(this.section) ?? new Uint8Array(0);
    return new Reader(this.where, bytes.subarray(0, this.end));
  }

  /** Every DIE in the unit, in section order; the first is the root. */
  dies(): Die[] {
    return this.parse().dies;
  }

  dieAt(offset: number): Die | undefined {
    return this.parse().byOffset.get(offset);
  }

  private parse(): { dies: Die[]; byOffset: Map<number, Die> } {
    if (this.tree !== undefined) return this.tree;
    const abbrevs = this.abbrevTable();
    const r: Reader = this.reader();
    r.pos = this.dieOffset;
    const dies: Die[] = [];
    const byOffset = new Map<number, Die>();
    const stack: Die[] = [];
    while (r.pos < this.end) {
      const d = this.readDie(r, abbrevs);
      if (d === undefined) {
        // A null entry closes the innermost open children list; stray ones are padding.
        stack.pop();
        if (dies.length > 0 && stack.length === 0) break;
        continue;
      }
      if (dies.length > 0 && stack.length === 0) r.fail('DIE after the end of the root DIE\'s children', d.offset);
      d.parent = stack[stack.length - 1];
      d.parent?.children.push(d);
      dies.push(d);
      byOffset.set(d.offset, d);
      if (d.abbrev.hasChildren) {
        if (stack.length >= MAX_DEPTH) r.fail(`DIEs nested deeper than ${MAX_DEPTH}`, d.offset);
        stack.push(d);
      }
    }
    if (dies.length === 0) r.fail(`unit at ${hex(this.offset)} has no DIEs`, this.dieOffset);
    this.tree = { dies, byOffset };
    this.rootDie = undefined;
    return this.tree;
  }

  private readDie(r: Reader, abbrevs: Map<number, Abbrev>): Die | undefined {
    const offset = r.pos;
    const code = r.uleb();
    if (code === 0) return undefined;
    const abbrev = abbrevs.get(code);
    if (abbrev === undefined) r.fail(`abbreviation code ${code} is not in the unit's table (at .debug_abbrev ${hex(this.abbrevOffset)})`, offset);
    const values: AttrValue[] = new Array(abbrev.attrs.length);
    for (let i = 0; i < abbrev.attrs.length; i++) {
      const a = abbrev.attrs[i];
      values[i] = this.readForm(r, a.form, a.implicitConst, 0);
    }
    return new Die(this, offset, abbrev, values);
  }

  private readForm(r: Reader, form: number, implicitConst: number, depth: number): AttrValue {
    const v = (kind: AttrKind, n: number, size = 0): AttrValue => ({ form, kind, n, size });
    switch (form) {
      case FORM.addr: return v('addr', r.addr(this.addrSize));
      case FORM.block1: return { ...v('block', 0), b: r.bytesN(r.u8()) };
      case FORM.block2: return { ...v('block', 0), b: r.bytesN(r.u16()) };
      case FORM.block4: return { ...v('block', 0), b: r.bytesN(r.u32()) };
      case FORM.block: return { ...v('block', 0), b: r.bytesN(r.uleb()) };
      case FORM.exprloc: return { ...v('exprloc', 0), b: r.bytesN(r.uleb()) };
      case FORM.data1: return v('const', r.u8(), 1);
      case FORM.data2: return v('const', r.u16(), 2);
      case FORM.data4: return v('const', r.u32(), 4);
      case FORM.data8: {
        const big = r.u64big();
        return { ...v('big', Number(big), 8), big };
      }
      case FORM.data16: {
        const lo = r.u64big();
        const hi = r.u64big();
        const big = (hi << 64n) | lo;
        return { ...v('big', Number(big), 16), big };
      }
      case FORM.sdata: {
        const at = r.pos;
        const n = r.sleb();
        if (Number.isSafeInteger(n)) return v('sconst', n);
        r.pos = at;
        const big = r.slebBig();
        return { ...v('big', Number(big), 16), big };
      }
      case FORM.udata: {
        const at = r.pos;
        try {
          return v('const', r.uleb());
        } catch {
          r.pos = at;
          const big = r.ulebBig();
          return { ...v('big', Number(big), 16), big };
        }
      }
      case FORM.implicit_const: return v('sconst', implicitConst);
      case FORM.string: return { ...v('str', 0), s: r.cstr() };
      case FORM.strp: return v('strp', r.offsetOf(this.is64));
      case FORM.line_strp: return v('line_strp', r.offsetOf(this.is64));
      case FORM.strx: case FORM.GNU_str_index: return v('strx', r.uleb());
      case FORM.strx1: return v('strx', r.u8());
      case FORM.strx2: return v('strx', r.u16());
      case FORM.strx3: return v('strx', r.u24());
      case FORM.strx4: return v('strx', r.u32());
      case FORM.addrx: case FORM.GNU_addr_index: return v('addrx', r.uleb());
      case FORM.addrx1: return v('addrx', r.u8());
      case FORM.addrx2: return v('addrx', r.u16());
      case FORM.addrx3: return v('addrx', r.u24());
      case FORM.addrx4: return v('addrx', r.u32());
      case FORM.ref1: return v('ref', this.offset + r.u8());
      case FORM.ref2: return v('ref', this.offset + r.u16());
      case FORM.ref4: return v('ref', this.offset + r.u32());
      case FORM.ref8: return v('ref', this.offset + r.u64());
      case FORM.ref_udata: return v('ref', this.offset + r.uleb());
      case FORM.ref_addr: return v('ref', this.version <= 2 ? r.addr(this.addrSize) : r.offsetOf(this.is64));
      case FORM.ref_sig8: {
        const big = r.u64big();
        return { ...v('ref_sig8', 0), big };
      }
      case FORM.sec_offset: return v('sec', r.offsetOf(this.is64));
      case FORM.flag: return v('flag', r.u8());
      case FORM.flag_present: return v('flag', 1);
      case FORM.loclistx: return v('loclistx', r.uleb());
      case FORM.rnglistx: return v('rnglistx', r.uleb());
      case FORM.ref_sup4: r.skip(4); return v('unsupported', 0);
      case FORM.ref_sup8: r.skip(8); return v('unsupported', 0);
      case FORM.strp_sup: case FORM.GNU_strp_alt: case FORM.GNU_ref_alt: r.offsetOf(this.is64); return v('unsupported', 0);
      case FORM.indirect: {
        const at = r.pos;
        const f = r.uleb();
        if (f === FORM.indirect && depth > 0) r.fail('DW_FORM_indirect chain', at);
        return this.readForm(r, f, 0, depth + 1);
      }
      default:
        return r.fail(`unknown attribute form ${hex(form)}`);
    }
  }

  // --- Values resolved against the unit's bases and the string sections ------------------------

  string(v: AttrValue): string | undefined {
    switch (v.kind) {
      case 'str': return v.s;
      case 'strp': return this.info.strAt('.debug_str', v.n);
      case 'line_strp': return this.info.strAt('.debug_line_str', v.n);
      case 'strx': return this.indexedString(v.n);
      default: return undefined;
    }
  }

  private rootNum(at: number): number | undefined {
    const v = this.root().attr(at);
    return v !== undefined && (v.kind === 'sec' || v.kind === 'const') ? v.n : undefined;
  }

  indexedString(index: number): string | undefined {
    const sec = this.info.sections.get('.debug_str_offsets');
    if (sec === undefined) return undefined;
    // Without DW_AT_str_offsets_base the table starts right after the (DWARF 5) header.
    const base = this.rootNum(AT.str_offsets_base) ?? (this.is64 ? 16 : 8);
    const size = this.is64 ? 8 : 4;
    const r: Reader = new Reader(this.info.sections.where('.debug_str_offsets'), sec, base + index * size);
    return this.info.strAt('.debug_str', r.offsetOf(this.is64));
  }

  indexedAddr(index: number): number | undefined {
    const sec = this.info.sections.get('.debug_addr');
    if (sec === undefined) return undefined;
    const base = this.rootNum(AT.addr_base) ?? this.rootNum(AT.GNU_addr_base) ?? 8;
    const r: Reader = new Reader(this.info.sections.where('.debug_addr'), sec, base + index * this.addrSize);
    return r.addr(this.addrSize);
  }

  get name(): string | undefined {
    return this.root().str(AT.name);
  }

  get compDir(): string | undefined {
    return this.root().str(AT.comp_dir);
  }

  get producer(): string | undefined {
    return this.root().str(AT.producer);
  }

  /** The base address for location and range lists (the root's DW_AT_low_pc). */
  get baseAddress(): number {
    return this.root().addr(AT.low_pc) ?? 0;
  }

  get stmtList(): number | undefined {
    return this.rootNum(AT.stmt_list);
  }

  get rnglistsBase(): number | undefined {
    return this.rootNum(AT.rnglists_base);
  }

  get loclistsBase(): number | undefined {
    return this.rootNum(AT.loclists_base);
  }

  get isTypeUnit(): boolean {
    return this.typeSignature !== undefined;
  }
}

/** All units of .debug_info and .debug_types, with lookups across them. */
export class InfoSection {
  readonly units: Unit[] = [];
  private readonly typeUnits = new Map<bigint, Unit>();

  constructor(readonly sections: Sections) {
    this.readHeaders('.debug_info');
    this.readHeaders('.debug_types');
  }

  private readHeaders(name: '.debug_info' | '.debug_types'): void {
    const bytes = this.sections.get(name);
    if (bytes === undefined) return;
    const r: Reader = new Reader(this.sections.where(name), bytes);
    while (r.pos < r.length) {
      const offset = r.pos;
      // Some linkers pad sections with zeros; a zero length is not a unit.
      if (r.length - r.pos < 4) r.fail('trailing bytes too short for a unit header');
      const { end, is64 } = r.unitLength();
      const version = r.u16();
      if (version < 2 || version > 5) r.fail(`unsupported DWARF version ${version} in unit header`, offset);
      let unitType: number = UT.compile;
      let addrSize: number;
      let abbrevOffset: number;
      let sig: bigint | undefined;
      let typeOffset: number | undefined;
      if (version >= 5) {
        unitType = r.u8();
        addrSize = r.u8();
        abbrevOffset = r.offsetOf(is64);
        if (unitType === UT.type || unitType === UT.split_type) {
          sig = r.u64big();
          typeOffset = offset + r.offsetOf(is64);
        } else if (unitType === UT.skeleton || unitType === UT.split_compile) {
          r.u64big(); // dwo id
        }
      } else {
        abbrevOffset = r.offsetOf(is64);
        addrSize = r.u8();
        if (name === '.debug_types') {
          unitType = UT.type;
          sig = r.u64big();
          typeOffset = offset + r.offsetOf(is64);
        }
      }
      if (addrSize !== 4 && addrSize !== 8 && addrSize !== 2) r.fail(`unsupported address size ${addrSize} in unit header`, offset);
      if (r.pos > end) r.fail('unit header is longer than the unit', offset);
      const unit = new Unit(this, name, offset, end, version, unitType, addrSize, is64, abbrevOffset, r.pos, sig, typeOffset);
      this.units.push(unit);
      if (sig !== undefined) this.typeUnits.set(sig, unit);
      r.pos = end;
    }
  }

  /** The units that describe code (compile and partial units), not type units. */
  compileUnits(): Unit[] {
    return this.units.filter((u) => u.unitType === UT.compile || u.unitType === UT.partial || u.unitType === UT.skeleton);
  }

  unitAt(offset: number, section: '.debug_info' | '.debug_types' = '.debug_info'): Unit | undefined {
    // Units are in offset order per section; binary search within the right section's run.
    let lo = 0;
    let hi = this.units.length - 1;
    let found: Unit | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = this.units[mid];
      const key = u.section === section ? 0 : u.section === '.debug_info' ? -1 : 1;
      if (key < 0 || (key === 0 && u.offset <= offset)) {
        if (key === 0) found = u;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found !== undefined && offset < found.end ? found : undefined;
  }

  dieAt(offset: number, section: '.debug_info' | '.debug_types' = '.debug_info'): Die | undefined {
    return this.unitAt(offset, section)?.dieAt(offset);
  }

  typeBySignature(sig: bigint): Die | undefined {
    const u = this.typeUnits.get(sig);
    return u?.typeOffset === undefined ? undefined : u.dieAt(u.typeOffset);
  }

  strAt(section: SectionName, offset: number): string | undefined {
    const bytes = this.sections.get(section);
    if (bytes === undefined) return undefined;
    const r: Reader = new Reader(this.sections.where(section), bytes, offset);
    if (offset >= bytes.length) r.fail(`string offset ${hex(offset)} is past the end of the section`, offset);
    return r.cstr();
  }
}

/** True for tags whose DIEs describe code that runs (what functionAt and scopes look for). */
export function isFunctionTag(tag: number): boolean {
  return tag === TAG.subprogram || tag === TAG.inlined_subroutine;
}
