// C expressions for the debugger: breakpoint conditions, logpoint `{...}` parts, hovers, watch
// expressions and the Debug Console. A small subset of C, evaluated on the stopped machine:
//
//   names      locals and parameters of the selected frame, then globals (from DWARF);
//              registers as $a0, $sp, $pc, $x5, $mstatus... (or a0, sp, pc when no variable has
//              that name); $icount
//   literals   42, 0x2a, 052, 'a'
//   operators  () [] . -> unary - + ! ~ * & (cast), * / %, + -, << >>, < <= > >=, == !=, & ^ |,
//              && ||  with C's integer rules on 32-bit ints (long long is 64-bit)
//   casts      to the C base types (int, unsigned, char, short, long, long long, the <stdint.h>
//              names, _Bool) and pointers to them or to void: *(int *)0x80001000
//
// Values are DWARF values (core/dwarf/values.ts): bytes and a type, plus the address when the
// value lives in memory, so the result can be formatted and expanded like a variable. Nothing
// here writes to the machine: evaluation has no side effects (no assignment, no calls).
import { ATE } from '../dwarf/constants';
import { scalarOf } from '../dwarf/values';
import { sizeOf, strip, isSignedType, type Type } from '../dwarf/types';
import type { Value } from '../dwarf/values';

export class ExprError extends Error {
  override readonly name = 'ExprError';
}

export interface EvalEnv {
  /** A variable visible in the selected frame (locals first, then globals), or undefined. */
  variable(name: string): Value | undefined;
  /** A register by name without the `$` (x0-x31, ABI names, pc, CSRs, icount), or undefined. */
  register(name: string): number | undefined;
  /** Target memory (undefined where it cannot be read). */
  readMem(addr: number, len: number): Uint8Array | undefined;
}

const base = (name: string, size: number, encoding: number): Type => ({ kind: 'base', name, size, encoding });
export const INT = base('int', 4, ATE.signed);
export const UINT = base('unsigned int', 4, ATE.unsigned);
const LLONG = base('long long', 8, ATE.signed);
const ULLONG = base('unsigned long long', 8, ATE.unsigned);
const CHAR = base('char', 1, ATE.unsigned_char);

const BASE_TYPES: Record<string, Type> = {
  int: INT, 'signed int': INT, signed: INT, 'unsigned int': UINT, unsigned: UINT,
  char: CHAR, 'signed char': base('signed char', 1, ATE.signed_char), 'unsigned char': base('unsigned char', 1, ATE.unsigned_char),
  short: base('short', 2, ATE.signed), 'short int': base('short', 2, ATE.signed), 'unsigned short': base('unsigned short', 2, ATE.unsigned),
  long: base('long', 4, ATE.signed), 'long int': base('long', 4, ATE.signed), 'unsigned long': base('unsigned long', 4, ATE.unsigned),
  'long long': LLONG, 'unsigned long long': ULLONG, _Bool: base('_Bool', 1, ATE.boolean), bool: base('_Bool', 1, ATE.boolean),
  int8_t: base('int8_t', 1, ATE.signed), uint8_t: base('uint8_t', 1, ATE.unsigned), int16_t: base('int16_t', 2, ATE.signed),
  uint16_t: base('uint16_t', 2, ATE.unsigned), int32_t: base('int32_t', 4, ATE.signed), uint32_t: base('uint32_t', 4, ATE.unsigned),
  int64_t: base('int64_t', 8, ATE.signed), uint64_t: base('uint64_t', 8, ATE.unsigned), size_t: base('size_t', 4, ATE.unsigned),
  uintptr_t: base('uintptr_t', 4, ATE.unsigned), intptr_t: base('intptr_t', 4, ATE.signed), void: { kind: 'void', name: 'void', size: 0 },
};
const TYPE_WORDS = new Set(['int', 'signed', 'unsigned', 'char', 'short', 'long', 'void', '_Bool', 'bool', 'const', 'volatile']);

// ---- lexer ----------------------------------------------------------------------------------

type Tok = { k: 'num'; v: bigint; unsigned: boolean } | { k: 'id'; v: string } | { k: 'op'; v: string } | { k: 'end' };

const OPS = ['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '(', ')', '[', ']', '.', '-', '+', '!', '~', '*', '&', '/', '%', '<', '>', '^', '|', ','];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)/.exec(src.slice(i));
    if (num && /[0-9]/.test(c)) {
      const t = num[1];
      const v = t.length > 1 && t[0] === '0' && t[1] !== 'x' && t[1] !== 'X' ? BigInt('0o' + t.slice(1)) : BigInt(t);
      out.push({ k: 'num', v, unsigned: /u/i.test(num[2]) });
      i += num[0].length;
      continue;
    }
    const id = /^\$?[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) { out.push({ k: 'id', v: id[0] }); i += id[0].length; continue; }
    const ch = /^'(\\.|[^\\'])'/.exec(src.slice(i));
    if (ch) {
      const body = ch[1];
      const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39 };
      const v = body.length === 2 ? esc[body[1]] ?? body.charCodeAt(1) : body.charCodeAt(0);
      out.push({ k: 'num', v: BigInt(v), unsigned: false });
      i += ch[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ExprError(`unexpected character '${c}' at column ${i + 1}`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  out.push({ k: 'end' });
  return out;
}

// ---- values -------------------------------------------------------------------------------------

function intValue(n: bigint, type: Type): Value {
  const size = sizeOf(type) || 4;
  const bytes = new Uint8Array(size);
  let v = BigInt.asUintN(size * 8, n);
  for (let i = 0; i < size; i++) { bytes[i] = Number(v & 0xffn); v >>= 8n; }
  return { type, bytes };
}

function isPointer(t: Type): t is Type & { kind: 'pointer' } {
  return strip(t).kind === 'pointer';
}

function isArray(t: Type): boolean {
  return strip(t).kind === 'array';
}

/** The integer value of a scalar (or an array's address); throws ExprError. */
export function scalar(v: Value, what: string): bigint {
  const t = strip(v.type);
  if (t.kind === 'array') {
    if (v.address === undefined) throw new ExprError(`${what}: the array has no address`);
    return BigInt(v.address);
  }
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') throw new ExprError(`${what}: a ${t.kind} is not a number`);
  if (t.kind === 'base' && t.encoding === ATE.float) throw new ExprError(`${what}: floating point is not supported in expressions`);
  const n = scalarOf(v);
  if (n === undefined) throw new ExprError(`${what}: ${v.unavailable ?? 'value not available'}`);
  return n;
}

/** The usual arithmetic conversions, on our 32-bit target. */
function arithType(a: Type, b: Type): Type {
  const sa = sizeOf(a), sb = sizeOf(b);
  const ua = !isSignedType(a) && sa >= 4, ub = !isSignedType(b) && sb >= 4;
  if (sa > 4 || sb > 4) return (sa > 4 && !isSignedType(a)) || (sb > 4 && !isSignedType(b)) ? ULLONG : LLONG;
  return ua || ub ? UINT : INT;
}

function pointee(t: Type): Type {
  const s = strip(t);
  if (s.kind === 'pointer' || s.kind === 'reference') return s.target;
  if (s.kind === 'array') return s.dims.length > 1 ? { ...s, dims: s.dims.slice(1), size: sizeOf(s.element) * s.dims.slice(1).reduce((a, d) => a * (d.count ?? 0), 1) } : s.element;
  throw new ExprError('not a pointer or an array');
}

/** True when the value is non-zero (a condition). */
export function truthy(v: Value): boolean {
  return scalar(v, 'condition') !== 0n;
}

// ---- parser and evaluator (one pass: each rule evaluates as it parses) --------------------------

class Evaluator {
  private p = 0;
  constructor(private readonly toks: Tok[], private env: EvalEnv) {}

  private peek(): Tok { return this.toks[this.p]; }
  private isOp(v: string): boolean { const t = this.peek(); return t.k === 'op' && t.v === v; }
  private eat(v: string): boolean { if (this.isOp(v)) { this.p++; return true; } return false; }
  private expect(v: string): void { if (!this.eat(v)) throw new ExprError(`expected '${v}'${this.where()}`); }
  private where(): string {
    const t = this.peek();
    return t.k === 'end' ? ' at the end' : ` before '${t.k === 'num' ? t.v.toString() : t.v}'`;
  }

  parse(): Value {
    const v = this.binary(0);
    if (this.peek().k !== 'end') throw new ExprError(`unexpected${this.where()}`);
    return v;
  }

  private static readonly PREC: Record<string, number> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  };

  private binary(min: number): Value {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.k !== 'op') return left;
      const prec = Evaluator.PREC[t.v];
      if (prec === undefined || prec <= min) return left;
      this.p++;
      if (t.v === '&&' || t.v === '||') {
        // Short-circuit as C does (the right side may not be evaluable).
        const l = truthy(left);
        if ((t.v === '&&' && !l) || (t.v === '||' && l)) { this.skip(prec); left = intValue(l ? 1n : 0n, INT); continue; }
        left = intValue(truthy(this.binary(prec)) ? 1n : 0n, INT);
        continue;
      }
      left = this.apply(t.v, left, this.binary(prec));
    }
  }

  /** Parses the right operand of a short-circuited operator without evaluating it. */
  private skip(prec: number): void {
    const saved = this.env;
    this.env = { variable: (n) => saved.variable(n) ?? intValue(0n, INT), register: () => 0, readMem: (_a, n) => new Uint8Array(n) };
    try {
      this.binary(prec);
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
    } finally {
      this.env = saved;
    }
  }

  private apply(op: string, a: Value, b: Value): Value {
    // Pointer arithmetic: p + n, p - n, p - q.
    if ((op === '+' || op === '-') && (isPointer(a.type) || isArray(a.type))) {
      const elem = pointee(a.type);
      const size = BigInt(Math.max(1, sizeOf(elem)));
      if (op === '-' && (isPointer(b.type) || isArray(b.type))) return intValue((scalar(a, '-') - scalar(b, '-')) / size, INT);
      const n = scalar(b, op);
      const ptr: Type = { kind: 'pointer', size: 4, target: elem };
      return intValue(scalar(a, op) + (op === '+' ? n : -n) * size, ptr);
    }
    if (op === '+' && (isPointer(b.type) || isArray(b.type))) return this.apply('+', b, a);
    const x = scalar(a, op);
    const y = scalar(b, op);
    const cmp = (r: boolean): Value => intValue(r ? 1n : 0n, INT);
    const type = isPointer(a.type) || isPointer(b.type) ? UINT : arithType(a.type, b.type);
    const bits = sizeOf(type) * 8;
    const signed = isSignedType(type);
    const norm = (n: bigint): bigint => (signed ? BigInt.asIntN(bits, n) : BigInt.asUintN(bits, n));
    const X = norm(x), Y = norm(y);
    switch (op) {
      case '==': return cmp(X === Y);
      case '!=': return cmp(X !== Y);
      case '<': return cmp(X < Y);
      case '<=': return cmp(X <= Y);
      case '>': return cmp(X > Y);
      case '>=': return cmp(X >= Y);
      case '+': return intValue(norm(X + Y), type);
      case '-': return intValue(norm(X - Y), type);
      case '*': return intValue(norm(X * Y), type);
      case '/': if (Y === 0n) throw new ExprError('division by zero'); return intValue(norm(X / Y), type);
      case '%': if (Y === 0n) throw new ExprError('division by zero'); return intValue(norm(X % Y), type);
      case '&': return intValue(norm(X & Y), type);
      case '|': return intValue(norm(X | Y), type);
      case '^': return intValue(norm(X ^ Y), type);
      case '<<': return intValue(norm(X << (Y & 63n)), type);
      case '>>': return intValue(norm(X >> (Y & 63n)), type);
    }
    throw new ExprError(`unknown operator ${op}`);
  }

  /** A type name at the current position (after '(' of a cast), or undefined. */
  private typeName(): Type | undefined {
    const start = this.p;
    const words: string[] = [];
    while (this.peek().k === 'id' && TYPE_WORDS.has((this.peek() as { v: string }).v)) words.push((this.toks[this.p++] as { v: string }).v);
    if (words.length === 0) {
      const t = this.peek();
      if (t.k === 'id' && BASE_TYPES[t.v] !== undefined && (this.toks[this.p + 1].k === 'op')) {
        const next = this.toks[this.p + 1] as { v: string };
        if (next.v === '*' || next.v === ')') { this.p++; words.push(t.v); }
      }
    }
    const name = words.filter((w) => w !== 'const' && w !== 'volatile').join(' ').replace(/^signed (char)$/, 'signed char');
    if (words.length === 0) { this.p = start; return undefined; }
    let t = BASE_TYPES[name] ?? BASE_TYPES[name.replace(/ int$/, '')];
    if (t === undefined) throw new ExprError(`unknown type '${name}'`);
    while (this.eat('*')) t = { kind: 'pointer', size: 4, target: t };
    return t;
  }

  private unary(): Value {
    const t = this.peek();
    if (t.k === 'op') {
      switch (t.v) {
        case '-': this.p++; { const v = this.unary(); return this.apply('-', intValue(0n, INT), v); }
        case '+': this.p++; return this.unary();
        case '!': this.p++; return intValue(truthy(this.unary()) ? 0n : 1n, INT);
        case '~': this.p++; { const v = this.unary(); const ty = arithType(v.type, INT); return intValue(~scalar(v, '~'), ty); }
        case '*': this.p++; return this.deref(this.unary());
        case '&': {
          this.p++;
          const v = this.unary();
          if (v.address === undefined) throw new ExprError('cannot take the address of a value that is not in memory');
          return intValue(BigInt(v.address), { kind: 'pointer', size: 4, target: v.type });
        }
        case '(': {
          const save = this.p;
          this.p++;
          const ty = this.typeName();
          if (ty !== undefined) {
            this.expect(')');
            const v = this.unary();
            if (strip(ty).kind === 'void') return { type: ty, bytes: new Uint8Array(0) };
            return intValue(scalar(v, 'cast'), ty);
          }
          this.p = save;
          break;
        }
      }
    }
    return this.postfix(this.primary());
  }

  private deref(v: Value): Value {
    const target = pointee(v.type);
    const st = strip(target);
    if (st.kind === 'void' || st.kind === 'function') throw new ExprError(`cannot dereference a pointer to ${st.kind}`);
    const addr = Number(BigInt.asUintN(32, scalar(v, '*')));
    const size = sizeOf(target);
    if (size > 65536) throw new ExprError(`value requires ${size} bytes, which is more than max-value-size`);
    const bytes = this.env.readMem(addr, size);
    if (bytes === undefined) throw new ExprError(`cannot access memory at address 0x${addr.toString(16)}`);
    return { type: target, bytes, address: addr };
  }

  private postfix(v: Value): Value {
    for (;;) {
      if (this.eat('[')) {
        const i = this.binary(0);
        this.expect(']');
        v = this.deref(this.apply('+', v, i));
      } else if (this.eat('.')) {
        v = this.member(v, this.ident());
      } else if (this.eat('->')) {
        v = this.member(this.deref(v), this.ident());
      } else {
        return v;
      }
    }
  }

  private ident(): string {
    const t = this.peek();
    if (t.k !== 'id') throw new ExprError(`expected a member name${this.where()}`);
    this.p++;
    return t.v;
  }

  private member(v: Value, name: string): Value {
    const t = strip(v.type);
    if (t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'class') throw new ExprError(`'${name}': not a struct or union`);
    const m = t.members.find((x) => x.name === name);
    if (m === undefined) throw new ExprError(`there is no member named ${name}`);
    const size = m.bitSize !== undefined ? Math.ceil(((m.bitOffset ?? 0) + m.bitSize) / 8) : sizeOf(m.type);
    return {
      type: m.type, bytes: v.bytes.subarray(m.offset, m.offset + size), valid: v.valid?.subarray(m.offset, m.offset + size),
      address: v.address === undefined ? undefined : (v.address + m.offset) >>> 0, bitSize: m.bitSize, bitOffset: m.bitOffset,
    };
  }

  private primary(): Value {
    const t = this.peek();
    if (t.k === 'num') {
      this.p++;
      const type = t.v > 0xffffffffn ? (t.unsigned ? ULLONG : LLONG) : t.unsigned || t.v > 0x7fffffffn ? UINT : INT;
      return intValue(t.v, type);
    }
    if (t.k === 'id') {
      this.p++;
      if (t.v.startsWith('$')) {
        const r = this.env.register(t.v.slice(1));
        if (r === undefined) throw new ExprError(`no register named ${t.v}`);
        return intValue(BigInt(r), t.v === '$pc' || t.v === '$icount' ? UINT : INT);
      }
      const v = this.env.variable(t.v);
      if (v !== undefined) return v;
      const r = this.env.register(t.v);
      if (r !== undefined) return intValue(BigInt(r), t.v === 'pc' ? UINT : INT);
      throw new ExprError(`no symbol "${t.v}" in current context`);
    }
    if (this.eat('(')) {
      const v = this.binary(0);
      this.expect(')');
      return v;
    }
    throw new ExprError(`expected an expression${this.where()}`);
  }
}

/** Evaluates a C expression (see the top of the file); throws ExprError with a one-line reason. */
export function evaluateExpression(text: string, env: EvalEnv): Value {
  if (text.trim() === '') throw new ExprError('empty expression');
  return new Evaluator(lex(text), env).parse();
}
