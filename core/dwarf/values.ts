// Turning a variable's bytes into text, and structured values into children the adapter can show
// as expandable variables. The text follows gdb's conventions (`{x = 1, y = 2}`, `104 'h'`,
// `0x80001234 <g_counter>`, `"abc\000"`, `0 <repeats 12 times>`, floats with %.9g/%.17g), both
// because C programmers read it fluently and because the tests compare with gdb's output.
import { ATE } from './constants';
import { isCharType, isSignedType, sizeOf, strip, typeName, type Type } from './types';

export interface Value {
  type: Type;
  /** The object's bytes (at least sizeOf(type), or enough for the bitfield). */
  bytes: Uint8Array;
  /** One entry per byte, non-zero when that byte is known; absent when all are. */
  valid?: Uint8Array;
  /** Where the object lives in target memory, when it does. */
  address?: number;
  /** A bitfield: its width and the offset of its lowest bit within `bytes`. */
  bitSize?: number;
  bitOffset?: number;
  /** The whole value is missing; the reason is shown in angle brackets ("optimized out"). */
  unavailable?: string;
}

export interface FormatOptions {
  /** Reads target memory, for `char *` strings and pointer children. */
  readMem?(addr: number, len: number): Uint8Array | undefined;
  /** Names an address ("g_counter", "g_nodes+8") for pointer values, as gdb's `print symbol`. */
  symbolize?(addr: number): string | undefined;
  /** Integers in hex (VS Code's "format: hex"). */
  hex?: boolean;
  /** Elements shown in an array or string before "..." (gdb's `print elements`, default 200). */
  maxElements?: number;
}

const REPEAT_THRESHOLD = 10;
/** Children returned per call unless the caller pages (DAP's indexed variables). */
export const MAX_CHILDREN = 1000;
const MAX_VALUE_SIZE = 65536;
const OPTIMIZED_OUT = '<optimized out>';

/** Formats raw bytes of a type: the simple entry point. */
export function formatValue(type: Type, bytes: Uint8Array, opts: FormatOptions = {}): string {
  return format({ type, bytes }, opts, 0);
}

/** Formats a Value (which may be partly or wholly unavailable). */
export function formatVal(v: Value, opts: FormatOptions = {}): string {
  return format(v, opts, 0);
}

function allValid(v: Value, off: number, len: number): boolean {
  if (v.unavailable !== undefined) return false;
  if (off + len > v.bytes.length) return false;
  if (v.valid === undefined) return true;
  for (let i = off; i < off + len; i++) if (!v.valid[i]) return false;
  return true;
}

function anyValid(v: Value): boolean {
  if (v.unavailable !== undefined) return false;
  if (v.valid === undefined) return true;
  return v.valid.some((b) => b !== 0);
}

function sub(v: Value, type: Type, off: number, len: number): Value {
  return {
    type,
    bytes: v.bytes.subarray(off, off + len),
    valid: v.valid?.subarray(off, off + len),
    address: v.address === undefined ? undefined : (v.address + off) >>> 0,
  };
}

/** Little-endian integer of `size` bytes as a bigint. */
export function readInt(bytes: Uint8Array, off: number, size: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i] ?? 0);
  return signed ? BigInt.asIntN(size * 8, v) : v;
}

/** The integer value of a scalar Value (bitfields included), or undefined when unavailable. */
export function scalarOf(v: Value): bigint | undefined {
  const t = strip(v.type);
  const size = sizeOf(t);
  const signed = isSignedType(t);
  if (v.bitSize !== undefined) {
    const bitOffset = v.bitOffset ?? 0;
    const nbytes = Math.ceil((bitOffset + v.bitSize) / 8);
    if (!allValid(v, 0, nbytes)) return undefined;
    const raw = readInt(v.bytes, 0, nbytes, false) >> BigInt(bitOffset);
    const bits = BigInt.asUintN(v.bitSize, raw);
    return signed ? BigInt.asIntN(v.bitSize, bits) : bits;
  }
  if (!allValid(v, 0, size) || size === 0) return undefined;
  return readInt(v.bytes, 0, Math.min(size, 16), signed);
}

function format(v: Value, opts: FormatOptions, depth: number): string {
  if (v.unavailable !== undefined) return `<${v.unavailable}>`;
  if (depth > 16) return '{...}';
  const t = strip(v.type);
  switch (t.kind) {
    case 'base': return formatBase(v, t, opts);
    case 'enum': {
      const n = scalarOf(v);
      if (n === undefined) return OPTIMIZED_OUT;
      const e = t.enumerators.find((x) => x.value === n || BigInt.asUintN(t.size * 8, x.value) === BigInt.asUintN(t.size * 8, n));
      return e !== undefined ? e.name : formatInt(n, opts);
    }
    case 'pointer': case 'reference': {
      const n = scalarOf(v);
      if (n === undefined) return OPTIMIZED_OUT;
      return formatPointer(Number(BigInt.asUintN(32, n)), t.target, opts);
    }
    case 'struct': case 'union': case 'class': {
      if (!anyValid(v)) return OPTIMIZED_OUT;
      const parts = t.members.map((m) => {
        const mv = memberValue(v, m);
        const text = format(mv, opts, depth + 1);
        return m.name === undefined ? text : `${m.name} = ${text}`;
      });
      return `{${parts.join(', ')}}`;
    }
    case 'array': return formatArray(v, t, opts, depth);
    case 'function': return `{${typeName(t)}}` + (v.address !== undefined ? ` ${formatPointer(v.address, t, opts)}` : '');
    case 'void': return 'void';
    case 'unknown': return `<unknown type ${t.name}>`;
    default: return '?';
  }
}

function formatBase(v: Value, t: Type & { kind: 'base' }, opts: FormatOptions): string {
  if (t.encoding === ATE.float) {
    if (!allValid(v, 0, t.size)) return OPTIMIZED_OUT;
    const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength);
    if (t.size === 4) return formatFloat(dv.getFloat32(0, true), 9, dv.getUint32(0, true), 23);
    if (t.size === 8) return formatFloat(dv.getFloat64(0, true), 17, dv.getBigUint64(0, true), 52);
    return `<${t.size * 8}-bit float>`;
  }
  const n = scalarOf(v);
  if (n === undefined) return OPTIMIZED_OUT;
  if (t.encoding === ATE.boolean) return n === 0n ? 'false' : n === 1n ? 'true' : formatInt(n, opts);
  if (isCharType(t) && v.bitSize === undefined) return `${formatInt(n, opts)} ${charLiteral(Number(BigInt.asUintN(8, n)), "'")}`;
  return formatInt(n, opts);
}

function formatInt(n: bigint, opts: FormatOptions): string {
  if (opts.hex) return `0x${(n < 0n ? BigInt.asUintN(64, n) : n).toString(16)}`;
  return n.toString();
}

/** %.<prec>g as C's printf, which gdb uses for floats (9 digits) and doubles (17). */
export function formatFloat(x: number, prec: number, bits: number | bigint, mantissaBits: number): string {
  if (Number.isNaN(x)) {
    const b = BigInt(bits);
    const mant = b & ((1n << BigInt(mantissaBits)) - 1n);
    const neg = (b >> BigInt(mantissaBits === 23 ? 31 : 63)) & 1n;
    return `${neg ? '-' : ''}nan(0x${mant.toString(16)})`;
  }
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const e = x.toExponential(prec - 1);
  const exp = Number(e.slice(e.indexOf('e') + 1));
  if (exp < -4 || exp >= prec) {
    let [mant, ex] = e.split('e');
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const sign = ex.startsWith('-') ? '-' : '+';
    const digits = ex.replace(/^[+-]/, '').padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  let f = x.toFixed(Math.max(0, prec - 1 - exp));
  if (f.includes('.')) f = f.replace(/0+$/, '').replace(/\.$/, '');
  return f;
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033' };

function escapeChar(c: number, quote: string): string {
  if (c === 92) return '\\\\';
  if (String.fromCharCode(c) === quote) return `\\${quote}`;
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  return ESCAPES[c] ?? `\\${c.toString(8).padStart(3, '0')}`;
}

function charLiteral(c: number, quote: string): string {
  return `${quote}${escapeChar(c, quote)}${quote}`;
}

/**
 * A byte string the way gdb prints it: runs longer than the repeat threshold become
 * `'c' <repeats N times>` segments, separated from quoted runs by ", ". Runs are taken whole
 * until `limit` characters are used up (gdb's `print elements`); then "..." if any are left.
 */
function formatString(bytes: Uint8Array, limit: number, ellipsis = false): string {
  const segs: string[] = [];
  let cur = '';
  let i = 0;
  while (i < bytes.length && i < limit) {
    let j = i + 1;
    while (j < bytes.length && bytes[j] === bytes[i]) j++;
    const run = j - i;
    if (run > REPEAT_THRESHOLD) {
      if (cur !== '') segs.push(`"${cur}"`);
      cur = '';
      segs.push(`${charLiteral(bytes[i], "'")} <repeats ${run} times>`);
    } else {
      for (let k = i; k < j; k++) cur += escapeChar(bytes[k], '"');
    }
    i = j;
  }
  if (cur !== '' || segs.length === 0) segs.push(`"${cur}"`);
  return segs.join(', ') + (ellipsis || i < bytes.length ? '...' : '');
}

function formatPointer(addr: number, target: Type, opts: FormatOptions): string {
  const sym = addr !== 0 ? opts.symbolize?.(addr) : undefined;
  const text = sym === undefined ? `0x${addr.toString(16)}` : `0x${addr.toString(16)} <${sym}>`;
  if (isCharType(target) && addr !== 0 && opts.readMem !== undefined) {
    const limit = opts.maxElements ?? 200;
    const out: number[] = [];
    let truncated = false;
    for (let a = addr; ; a++) {
      if (out.length >= limit) {
        truncated = true;
        break;
      }
      const b = opts.readMem(a >>> 0, 1);
      if (b === undefined || b.length < 1) {
        return out.length === 0 ? `${text} <error: Cannot access memory at address 0x${(a >>> 0).toString(16)}>` : `${text} ${formatString(Uint8Array.from(out), Infinity, true)}`;
      }
      if (b[0] === 0) break;
      out.push(b[0]);
    }
    return `${text} ${formatString(Uint8Array.from(out), Infinity, truncated)}`;
  }
  return text;
}

function formatArray(v: Value, t: Type & { kind: 'array' }, opts: FormatOptions, depth: number): string {
  const dim = t.dims[0] ?? { lower: 0, count: undefined };
  const elemType = t.dims.length > 1 ? { ...t, dims: t.dims.slice(1), size: sizeOf(t.element) * t.dims.slice(1).reduce((a, d) => a * (d.count ?? 0), 1) } : t.element;
  const elemSize = sizeOf(elemType);
  const count = dim.count ?? 0;
  if (count === 0 || elemSize === 0) return dim.count === undefined ? '0x' + (v.address ?? 0).toString(16) : '{}';
  const limit = opts.maxElements ?? 200;
  // A string, unless parts of it are unavailable: then element by element, as gdb does.
  if (t.dims.length === 1 && isCharType(t.element) && allValid(v, 0, count)) {
    let bytes = v.bytes.subarray(0, count);
    // gdb drops one terminating NUL, the C string's own.
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0) bytes = bytes.subarray(0, bytes.length - 1);
    return formatString(bytes, limit);
  }
  if (!anyValid(v)) return OPTIMIZED_OUT;
  // gdb's loop: a run of more than the threshold of identical elements prints once with its
  // count and uses up threshold elements of the limit; anything else one each.
  const same = (a: number, b: number): boolean => {
    for (let k = 0; k < elemSize; k++) {
      if (v.bytes[a + k] !== v.bytes[b + k]) return false;
      if (v.valid !== undefined && v.valid[a + k] !== v.valid[b + k]) return false;
    }
    return true;
  };
  const parts: string[] = [];
  let things = 0;
  let i = 0;
  while (i < count && things < limit) {
    let reps = 1;
    while (i + reps < count && same(i * elemSize, (i + reps) * elemSize)) reps++;
    const text = format(sub(v, elemType, i * elemSize, elemSize), opts, depth + 1);
    if (reps > REPEAT_THRESHOLD) {
      parts.push(`${text} <repeats ${reps} times>`);
      i += reps;
      things += REPEAT_THRESHOLD;
    } else {
      parts.push(text);
      i++;
      things++;
    }
  }
  return `{${parts.join(', ')}${i < count ? '...' : ''}}`;
}

function memberValue(v: Value, m: { type: Type; offset: number; bitSize?: number; bitOffset?: number }): Value {
  if (m.bitSize !== undefined) {
    const bitOffset = m.bitOffset ?? 0;
    const nbytes = Math.ceil((bitOffset + m.bitSize) / 8);
    return { ...sub(v, m.type, m.offset, nbytes), bitSize: m.bitSize, bitOffset };
  }
  return sub(v, m.type, m.offset, sizeOf(m.type));
}

export interface Child {
  name: string;
  value: Value;
}

/** True when the adapter should show the value as expandable. */
export function hasChildren(v: Value): boolean {
  if (v.unavailable !== undefined) return false;
  const t = strip(v.type);
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') return t.members.length > 0;
  if (t.kind === 'array') return (t.dims[0]?.count ?? 0) > 0;
  if (t.kind === 'pointer' || t.kind === 'reference') {
    const target = strip(t.target);
    if (target.kind === 'void' || target.kind === 'function' || target.kind === 'unknown' || sizeOf(target) === 0) return false;
    const n = scalarOf(v);
    return n !== undefined && n !== 0n;
  }
  return false;
}

/** Number of children (array elements, members, or 1 for a dereferenceable pointer). */
export function childCount(v: Value): number {
  if (!hasChildren(v)) return 0;
  const t = strip(v.type);
  if (t.kind === 'array') return t.dims[0]?.count ?? 0;
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') return t.members.length;
  return 1;
}

/**
 * The children of a structured value: members ("x"), elements ("[3]", from the array's lower
 * bound), or for a pointer its target ("*", read with opts.readMem). `start`/`count` page
 * through large arrays as DAP's indexed variables do (at most MAX_CHILDREN unless asked).
 */
export function children(v: Value, opts: FormatOptions = {}, start = 0, count = MAX_CHILDREN): Child[] {
  if (!hasChildren(v)) return [];
  const t = strip(v.type);
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') {
    return t.members.slice(start, start + count).map((m, i) => ({ name: m.name ?? `<anonymous ${start + i}>`, value: memberValue(v, m) }));
  }
  if (t.kind === 'array') {
    const dim = t.dims[0] ?? { lower: 0, count: 0 };
    const elemType: Type = t.dims.length > 1 ? { ...t, dims: t.dims.slice(1), size: sizeOf(t.element) * t.dims.slice(1).reduce((a, d) => a * (d.count ?? 0), 1) } : t.element;
    const elemSize = sizeOf(elemType);
    const n = dim.count ?? 0;
    const out: Child[] = [];
    for (let i = start; i < Math.min(n, start + count); i++) out.push({ name: `[${dim.lower + i}]`, value: sub(v, elemType, i * elemSize, elemSize) });
    return out;
  }
  if (t.kind === 'pointer' || t.kind === 'reference') {
    if (start > 0 || count < 1) return [];
    const addr = Number(BigInt.asUintN(32, scalarOf(v) ?? 0n));
    const size = sizeOf(t.target);
    if (size > MAX_VALUE_SIZE) return [{ name: '*', value: { type: t.target, bytes: new Uint8Array(0), address: addr, unavailable: `value requires ${size} bytes, which is more than max-value-size` } }];
    const bytes = opts.readMem?.(addr, size);
    if (bytes === undefined || bytes.length < size) return [{ name: '*', value: { type: t.target, bytes: new Uint8Array(0), address: addr, unavailable: `error: Cannot access memory at address 0x${addr.toString(16)}` } }];
    return [{ name: '*', value: { type: t.target, bytes, address: addr } }];
  }
  return [];
}
