// C types from DWARF type DIEs: a small model the value formatter and the UI work with, and C
// spellings of type names as gdb prints them ("const char *", "int [2][3]", "int (*)(int)").
import { AT, ATE, TAG } from './constants';
import type { Die } from './info';
import { DwarfError } from './reader';

export interface Member {
  /** Undefined for anonymous struct/union members. */
  name: string | undefined;
  type: Type;
  /** Byte offset of the member's storage within the object. */
  offset: number;
  /** For bitfields: width in bits, and the offset in bits of the lowest bit from `offset` (little-endian). */
  bitSize?: number;
  bitOffset?: number;
}

export interface Enumerator {
  name: string;
  value: bigint;
}

export interface ArrayDim {
  lower: number;
  /** Undefined for a flexible or unknown-size dimension. */
  count: number | undefined;
}

export type Type =
  | { kind: 'void'; name: 'void'; size: 0 }
  | { kind: 'base'; name: string; size: number; encoding: number }
  | { kind: 'pointer' | 'reference'; size: number; target: Type }
  | { kind: 'array'; element: Type; dims: ArrayDim[]; size: number }
  | { kind: 'struct' | 'union' | 'class'; name: string | undefined; size: number; members: Member[]; declaration: boolean }
  | { kind: 'enum'; name: string | undefined; size: number; signed: boolean; enumerators: Enumerator[] }
  | { kind: 'typedef'; name: string; target: Type; size: number }
  | { kind: 'const' | 'volatile' | 'restrict' | 'atomic'; target: Type; size: number }
  | { kind: 'function'; returnType: Type; params: Type[]; varargs: boolean; prototyped: boolean; size: 0 }
  | { kind: 'unknown'; name: string; size: number };

export const VOID: Type = { kind: 'void', name: 'void', size: 0 };

/** Builds Type objects from DIEs, once per DIE, so recursive types (linked lists) terminate. */
export class TypeTable {
  private readonly cache = new Map<Die, Type>();
  private depth = 0;

  /** The type a DIE's DW_AT_type names (void when absent). */
  typeOf(die: Die): Type {
    try {
      const t = die.ref(AT.type);
      return t === undefined ? VOID : this.fromDie(t);
    } catch (e) {
      // The referenced unit does not parse: the variable still shows, with an unusable type.
      if (!(e instanceof DwarfError)) throw e;
      return { kind: 'unknown', name: '<invalid type>', size: 0 };
    }
  }

  /**
   * `complete` finds the full definition of a type a unit only declares (an opaque `struct foo *`
   * whose body is in another file), by tag and name.
   */
  constructor(private readonly complete: (tag: number, name: string) => Die | undefined = () => undefined) {}

  fromDie(die: Die): Type {
    const known = this.cache.get(die);
    if (known !== undefined) return known;
    // A stub for a type in a type unit (-fdebug-types-section), or a declaration defined elsewhere.
    const target = die.ref(AT.signature) ?? this.definitionOf(die);
    if (target !== undefined && target !== die) {
      const t = this.fromDie(target);
      this.cache.set(die, t);
      return t;
    }
    if (this.depth > 100) return { kind: 'unknown', name: '<type nested too deeply>', size: 0 };
    this.depth++;
    try {
      return this.build(die);
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      const bad: Type = { kind: 'unknown', name: '<invalid type>', size: 0 };
      this.cache.set(die, bad);
      return bad;
    } finally {
      this.depth--;
    }
  }

  private definitionOf(die: Die): Die | undefined {
    if (!die.flag(AT.declaration) || die.children.length > 0) return undefined;
    const t = die.tag;
    if (t !== TAG.structure_type && t !== TAG.union_type && t !== TAG.class_type && t !== TAG.enumeration_type) return undefined;
    const name = die.name;
    return name === undefined ? undefined : this.complete(t, name);
  }

  private build(die: Die): Type {
    const size = die.num(AT.byte_size);
    const name = die.name;
    // Objects are cached before their parts are resolved: a struct's member may point back to it.
    const cached = <T extends Type>(t: T): T => {
      this.cache.set(die, t);
      return t;
    };
    switch (die.tag) {
      case TAG.base_type: {
        return cached({ kind: 'base', name: name ?? '<base>', size: size ?? 0, encoding: die.num(AT.encoding) ?? ATE.signed });
      }
      case TAG.unspecified_type:
        return cached({ kind: 'unknown', name: name ?? 'void', size: 0 });
      case TAG.pointer_type: case TAG.reference_type: case TAG.rvalue_reference_type: {
        const t = cached({ kind: die.tag === TAG.pointer_type ? 'pointer' : 'reference', size: size ?? 4, target: VOID } as Type & { kind: 'pointer' | 'reference' });
        t.target = this.typeOf(die);
        return t;
      }
      case TAG.const_type: case TAG.volatile_type: case TAG.restrict_type: case TAG.atomic_type: {
        const kind = die.tag === TAG.const_type ? 'const' : die.tag === TAG.volatile_type ? 'volatile' : die.tag === TAG.restrict_type ? 'restrict' : 'atomic';
        const t = cached({ kind, target: VOID, size: 0 } as Type & { kind: 'const' });
        t.target = this.typeOf(die);
        t.size = size ?? t.target.size;
        return t;
      }
      case TAG.typedef: {
        const t = cached({ kind: 'typedef', name: name ?? '<typedef>', target: VOID, size: 0 } as Type & { kind: 'typedef' });
        t.target = this.typeOf(die);
        t.size = t.target.size;
        return t;
      }
      case TAG.structure_type: case TAG.union_type: case TAG.class_type: {
        const kind = die.tag === TAG.structure_type ? 'struct' : die.tag === TAG.union_type ? 'union' : 'class';
        const t = cached({ kind, name, size: size ?? 0, members: [] as Member[], declaration: die.flag(AT.declaration) } as Type & { kind: 'struct' | 'union' | 'class' });
        for (const c of die.children) {
          if (c.tag !== TAG.member) continue;
          t.members.push(this.member(c, kind === 'union'));
        }
        return t;
      }
      case TAG.enumeration_type: {
        const t = cached({ kind: 'enum', name, size: size ?? 4, signed: false, enumerators: [] as Enumerator[] } as Type & { kind: 'enum' });
        const base = die.ref(AT.type);
        const baseType = base === undefined ? undefined : this.fromDie(base);
        let signed = baseType !== undefined && isSignedType(baseType);
        for (const c of die.children) {
          if (c.tag !== TAG.enumerator) continue;
          const v = c.attr(AT.const_value);
          let value: bigint;
          if (v === undefined) value = 0n;
          else if (v.kind === 'sconst') value = BigInt(v.n);
          else if (v.kind === 'big') value = v.big ?? 0n;
          else value = BigInt(c.num(AT.const_value) ?? 0);
          if (value < 0n) signed = true;
          t.enumerators.push({ name: c.name ?? '?', value });
        }
        t.signed = signed;
        return t;
      }
      case TAG.array_type: {
        // Usable even while incomplete (a cycle may reach it before its dimensions are known).
        const t = cached({ kind: 'array', element: VOID, dims: [{ lower: 0, count: undefined }] as ArrayDim[], size: 0 } as Type & { kind: 'array' });
        t.element = this.typeOf(die);
        const dims: ArrayDim[] = [];
        for (const c of die.children) {
          if (c.tag !== TAG.subrange_type) continue;
          const bound = this.boundReader(c);
          const lower = bound(AT.lower_bound) ?? 0;
          let count = c.num(AT.count);
          const upper = c.attr(AT.upper_bound);
          // An upper bound that is not a constant (VLA: an exprloc or a variable) is unknown here.
          if (count === undefined && upper !== undefined && (upper.kind === 'const' || upper.kind === 'sconst' || upper.kind === 'big')) {
            const u = bound(AT.upper_bound) ?? -1;
            count = u >= lower ? u - lower + 1 : 0;
          }
          dims.push({ lower, count });
        }
        if (dims.length > 0) t.dims = dims;
        const n = t.dims.reduce((acc, d) => acc * (d.count ?? 0), 1);
        t.size = size ?? n * t.element.size;
        return t;
      }
      case TAG.subroutine_type: case TAG.subprogram: {
        const t = cached({ kind: 'function', returnType: VOID, params: [] as Type[], varargs: false, prototyped: die.flag(AT.prototyped), size: 0 } as Type & { kind: 'function' });
        t.returnType = this.typeOf(die);
        for (const c of die.children) {
          if (c.tag === TAG.formal_parameter) t.params.push(this.typeOf(c));
          else if (c.tag === TAG.unspecified_parameters) t.varargs = true;
        }
        return t;
      }
      default:
        return cached({ kind: 'unknown', name: name ?? `<type tag 0x${die.tag.toString(16)}>`, size: size ?? 0 });
    }
  }

  /**
   * Reads a subrange bound. GCC uses DW_FORM_dataN whatever the sign, so (as gdb does) a bound
   * is sign-extended only when the index type is signed, from the index type's width.
   */
  private boundReader(sub: Die): (at: number) => number | undefined {
    const index = sub.ref(AT.type);
    const it = index === undefined ? undefined : strip(this.fromDie(index));
    const signed = it === undefined || isSignedType(it);
    const bits = (it?.size ?? 4) * 8;
    return (at) => {
      const v = sub.attr(at);
      if (v === undefined) return undefined;
      if (v.kind === 'sconst') return v.n;
      const n = sub.num(at);
      if (n === undefined) return undefined;
      return signed && bits < 53 && n >= 2 ** (bits - 1) && n < 2 ** bits ? n - 2 ** bits : n;
    };
  }

  private member(c: Die, inUnion: boolean): Member {
    const type = this.typeOf(c);
    const m: Member = { name: c.name, type, offset: 0 };
    const loc = c.attr(AT.data_member_location);
    if (loc !== undefined && (loc.kind === 'const' || loc.kind === 'sconst')) m.offset = loc.n;
    else if (loc !== undefined && (loc.kind === 'block' || loc.kind === 'exprloc')) m.offset = memberOffsetFromExpr(loc.b);
    else if (!inUnion) m.offset = 0;
    const bitSize = c.num(AT.bit_size);
    if (bitSize !== undefined) {
      m.bitSize = bitSize;
      const dataBitOffset = c.num(AT.data_bit_offset);
      if (dataBitOffset !== undefined) {
        // DWARF 4+: bits from the start of the containing object. Keep offsets byte-based.
        m.offset = Math.floor(dataBitOffset / 8);
        m.bitOffset = dataBitOffset % 8;
      } else {
        // DWARF 2/3: the offset of the field's most significant bit from the most significant bit
        // of a storage unit of DW_AT_byte_size bytes at data_member_location (big-endian view).
        const storage = c.num(AT.byte_size) ?? sizeOf(type);
        const bitOffset = c.num(AT.bit_offset) ?? 0;
        m.bitOffset = storage * 8 - bitOffset - bitSize;
      }
    }
    return m;
  }
}

/** GCC emits DW_OP_plus_uconst N for member offsets when it uses an expression at all. */
function memberOffsetFromExpr(b: Uint8Array | undefined): number {
  if (b === undefined || b.length < 2 || b[0] !== 0x23) return 0;
  let v = 0;
  let mul = 1;
  for (let i = 1; i < b.length && i < 9; i++) {
    v += (b[i] & 0x7f) * mul;
    if ((b[i] & 0x80) === 0) break;
    mul *= 128;
  }
  return v;
}

/** The type with typedefs and qualifiers removed. */
export function strip(t: Type): Type {
  for (let i = 0; i < 64; i++) {
    if (t.kind === 'typedef' || t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'atomic') t = t.target;
    else return t;
  }
  return t;
}

export function sizeOf(t: Type): number {
  return strip(t).size ?? 0;
}

export function isSignedType(t: Type): boolean {
  const s = strip(t);
  if (s.kind === 'base') return s.encoding === ATE.signed || s.encoding === ATE.signed_char;
  if (s.kind === 'enum') return s.signed;
  return false;
}

/** True for char-like types that gdb prints as `104 'h'` and arrays of which it prints as strings. */
export function isCharType(t: Type): boolean {
  const s = strip(t);
  return s.kind === 'base' && s.size === 1 && (s.encoding === ATE.signed_char || s.encoding === ATE.unsigned_char);
}

/** The C spelling of a type, as gdb's `whatis` prints it. */
export function typeName(t: Type): string {
  return declarator(t, '', 0);
}

function declarator(t: Type, inner: string, depth: number): string {
  if (depth > 32) return '...';
  const join = (base: string): string => (inner === '' ? base : `${base} ${inner}`);
  switch (t.kind) {
    case 'void': case 'base': case 'unknown': return join(t.name);
    case 'typedef': return join(t.name);
    case 'struct': case 'union': case 'class': return join(`${t.kind} ${t.name ?? '{...}'}`);
    case 'enum': return join(`enum ${t.name ?? '{...}'}`);
    case 'pointer': case 'reference': {
      const star = t.kind === 'pointer' ? '*' : '&';
      const target = t.target;
      const needsParens = target.kind === 'array' || target.kind === 'function';
      const next = needsParens ? `(${star}${inner})` : `${star}${inner}`;
      return declarator(target, next, depth + 1);
    }
    case 'const': case 'volatile': case 'restrict': case 'atomic': {
      const q = t.kind === 'atomic' ? '_Atomic' : t.kind;
      const target = t.target;
      // Qualifiers of a pointer go after its star ("char * const"); of anything else, in front.
      if (target.kind === 'pointer' || target.kind === 'reference') {
        return declarator(target, inner === '' ? ` ${q}` : ` ${q} ${inner}`, depth + 1);
      }
      // Gather stacked qualifiers in the order gdb prints them: const before volatile.
      const quals: string[] = [q];
      let base = target;
      while (base.kind === 'const' || base.kind === 'volatile' || base.kind === 'restrict' || base.kind === 'atomic') {
        quals.push(base.kind === 'atomic' ? '_Atomic' : base.kind);
        base = base.target;
      }
      quals.sort((a, b) => QUAL_ORDER.indexOf(a) - QUAL_ORDER.indexOf(b));
      if (base.kind === 'array' || base.kind === 'function' || base.kind === 'pointer') return declarator(base, inner, depth + 1);
      return `${quals.join(' ')} ${declarator(base, inner, depth + 1)}`;
    }
    case 'array': {
      const dims = t.dims.map((d) => `[${d.count ?? ''}]`).join('');
      return declarator(t.element, `${inner}${dims}`, depth + 1);
    }
    case 'function': {
      const params = t.params.map((p) => typeName(p));
      if (t.varargs) params.push('...');
      else if (params.length === 0 && t.prototyped) params.push('void');
      return declarator(t.returnType, `${inner}(${params.join(', ')})`, depth + 1);
    }
  }
}

const QUAL_ORDER = ['const', 'volatile', 'restrict', '_Atomic'];
