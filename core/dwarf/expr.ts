// The DWARF expression evaluator: location expressions (where a variable lives: memory, a
// register, a computed value, pieces of those) and the CFI's CFA/register expressions.
//
// Values on the stack are of DWARF's generic type, address-sized: unsigned 32-bit on RV32.
// Anything the evaluator cannot do (typed-stack operations, TLS, implicit pointers, an entry
// value nobody can recover) yields an 'unavailable' location with the reason, so the UI can say
// "<optimized out>" or "<error: ...>" honestly instead of showing a wrong number.
import { OP } from './constants';
import { Reader, hex } from './reader';

export type SimpleLocation =
  | { kind: 'memory'; addr: number }
  | { kind: 'register'; reg: number }
  /** DW_OP_stack_value: the value itself, not where it lives. */
  | { kind: 'value'; value: number }
  /** DW_OP_implicit_value: the bytes of the value. */
  | { kind: 'implicit'; bytes: Uint8Array }
  | { kind: 'unavailable'; reason: string };

export interface Piece {
  /** Size of the piece in bits. */
  bits: number;
  /** DW_OP_bit_piece's offset within the location, in bits. */
  offsetBits: number;
  loc: SimpleLocation;
}

export type Location = SimpleLocation | { kind: 'pieces'; pieces: Piece[] };

export interface ExprContext {
  /** A register's value (unsigned 32-bit), or undefined when it is not known in this frame. */
  reg(n: number): number | undefined;
  /** Reads 1, 2 or 4 bytes (unsigned), undefined when the memory cannot be read. */
  mem(addr: number, size: number): number | undefined;
  /** DW_AT_frame_base evaluated for the current function (DW_OP_fbreg). */
  frameBase?(): number | undefined;
  /** The canonical frame address of the current frame (DW_OP_call_frame_cfa). */
  cfa?(): number | undefined;
  /** DW_OP_entry_value: the value `expr` had on entry to the current function. */
  entryValue?(expr: Uint8Array): number | undefined;
  /** DW_OP_addrx / DW_OP_constx: entry `index` of the unit's .debug_addr table. */
  indexedAddr?(index: number): number | undefined;
}

/** Stops runaway expressions (DW_OP_skip/bra loops) without a fixed opinion about real sizes. */
const MAX_STEPS = 100_000;
const MAX_STACK = 1000;

class Unavailable extends Error {}

/**
 * The reasons shown as `<reason>`, in gdb's words: values the compiler did not keep (no location
 * here, an entry value no call site recorded, an implicit pointer) are "optimized out"; a
 * register an outer frame did not save is "not saved"; anything else is an "error: ...".
 */
const OPTIMIZED_OUT = 'optimized out';

const u32 = (n: number): number => n >>> 0;

/**
 * Evaluates `expr`. `initial` is pushed first (the CFA for DW_CFA_expression rules). `where`
 * names the expression's home for DwarfError messages on malformed bytes.
 */
export function evaluate(expr: Uint8Array, ctx: ExprContext, where = 'DWARF expression', initial: number[] = []): Location {
  if (expr.length === 0) return { kind: 'unavailable', reason: 'optimized out' };
  try {
    return run(expr, ctx, where, initial);
  } catch (e) {
    if (e instanceof Unavailable) return { kind: 'unavailable', reason: e.message };
    throw e;
  }
}

/** Evaluates an expression that must produce a value (CFA rules, frame bases, entry values). */
export function evaluateValue(expr: Uint8Array, ctx: ExprContext, where = 'DWARF expression', initial: number[] = []): number | undefined {
  const loc = evaluate(expr, ctx, where, initial);
  if (loc.kind === 'memory') return loc.addr;
  if (loc.kind === 'value') return loc.value;
  if (loc.kind === 'register') return ctx.reg(loc.reg);
  return undefined;
}

function run(expr: Uint8Array, ctx: ExprContext, where: string, initial: number[]): Location {
  const r: Reader = new Reader(where, expr);
  const stack: number[] = initial.map(u32);
  const pieces: Piece[] = [];
  // A location other than "address on the stack", set by reg/stack_value/implicit_value; it must be
  // followed by a piece or the end of the expression.
  let special: SimpleLocation | undefined;

  const push = (v: number): void => {
    if (stack.length >= MAX_STACK) throw new Unavailable('error: DWARF expression stack overflow');
    stack.push(u32(v));
  };
  const pop = (): number => {
    const v = stack.pop();
    if (v === undefined) r.fail('expression stack underflow', r.pos - 1);
    return v;
  };
  const at = (i: number): number => {
    if (i >= stack.length) r.fail(`expression stack has no entry ${i}`, r.pos - 1);
    return stack[stack.length - 1 - i];
  };
  const reg = (n: number): number => {
    const v = ctx.reg(n);
    if (v === undefined) throw new Unavailable('not saved');
    return v;
  };
  const load = (addr: number, size: number): number => {
    if (size !== 1 && size !== 2 && size !== 4) throw new Unavailable(`error: DW_OP_deref_size ${size} is not supported`);
    const v = ctx.mem(u32(addr), size);
    if (v === undefined) throw new Unavailable(`error: Cannot access memory at address ${hex(u32(addr))}`);
    return v;
  };
  const signed = (v: number): number => v | 0;
  const notAfterSpecial = (): void => {
    if (special !== undefined) r.fail('operation after a register or value location that is not a piece', r.pos - 1);
  };

  for (let steps = 0; r.pos < r.length; steps++) {
    if (steps > MAX_STEPS) throw new Unavailable('error: DWARF expression does not terminate');
    const opAt = r.pos;
    const op = r.u8();
    if (op === OP.GNU_uninit) continue; // a marker on the preceding location, not an operation
    if (op !== OP.piece && op !== OP.bit_piece) notAfterSpecial();
    if (op >= OP.lit0 && op <= OP.lit31) { push(op - OP.lit0); continue; }
    if (op >= OP.reg0 && op <= OP.reg31) { special = { kind: 'register', reg: op - OP.reg0 }; continue; }
    if (op >= OP.breg0 && op <= OP.breg31) { push(reg(op - OP.breg0) + r.sleb()); continue; }
    switch (op) {
      case OP.addr: push(r.u32()); break;
      case OP.deref: push(load(pop(), 4)); break;
      case OP.deref_size: { const size = r.u8(); push(load(pop(), size)); break; }
      case OP.const1u: push(r.u8()); break;
      case OP.const1s: push(r.i8()); break;
      case OP.const2u: push(r.u16()); break;
      case OP.const2s: push(r.i16()); break;
      case OP.const4u: push(r.u32()); break;
      case OP.const4s: push(r.i32()); break;
      case OP.const8u: case OP.const8s: push(Number(BigInt.asUintN(32, r.u64big()))); break;
      case OP.constu: push(Number(BigInt.asUintN(32, r.ulebBig()))); break;
      case OP.consts: push(Number(BigInt.asUintN(32, r.slebBig()))); break;
      case OP.dup: push(at(0)); break;
      case OP.drop: pop(); break;
      case OP.over: push(at(1)); break;
      case OP.pick: push(at(r.u8())); break;
      case OP.swap: { const a = pop(); const b = pop(); push(a); push(b); break; }
      case OP.rot: { const a = pop(); const b = pop(); const c = pop(); push(a); push(c); push(b); break; }
      case OP.abs: push(Math.abs(signed(pop()))); break;
      case OP.and: { const a = pop(); push(pop() & a); break; }
      case OP.div: {
        const a = signed(pop());
        const b = signed(pop());
        if (a === 0) throw new Unavailable('error: Division by zero');
        push(Math.trunc(b / a));
        break;
      }
      case OP.minus: { const a = pop(); push(pop() - a); break; }
      case OP.mod: {
        const a = pop();
        const b = pop();
        if (a === 0) throw new Unavailable('error: Division by zero');
        push(b % a);
        break;
      }
      case OP.mul: { const a = pop(); push(Math.imul(pop(), a)); break; }
      case OP.neg: push(-signed(pop())); break;
      case OP.not: push(~pop()); break;
      case OP.or: { const a = pop(); push(pop() | a); break; }
      case OP.plus: { const a = pop(); push(pop() + a); break; }
      case OP.plus_uconst: push(pop() + r.uleb()); break;
      case OP.shl: { const a = pop(); const b = pop(); push(a >= 32 ? 0 : b << a); break; }
      case OP.shr: { const a = pop(); const b = pop(); push(a >= 32 ? 0 : b >>> a); break; }
      case OP.shra: { const a = pop(); const b = pop(); push(signed(b) >> Math.min(a, 31)); break; }
      case OP.xor: { const a = pop(); push(pop() ^ a); break; }
      case OP.eq: { const a = signed(pop()); push(signed(pop()) === a ? 1 : 0); break; }
      case OP.ge: { const a = signed(pop()); push(signed(pop()) >= a ? 1 : 0); break; }
      case OP.gt: { const a = signed(pop()); push(signed(pop()) > a ? 1 : 0); break; }
      case OP.le: { const a = signed(pop()); push(signed(pop()) <= a ? 1 : 0); break; }
      case OP.lt: { const a = signed(pop()); push(signed(pop()) < a ? 1 : 0); break; }
      case OP.ne: { const a = signed(pop()); push(signed(pop()) !== a ? 1 : 0); break; }
      case OP.skip: case OP.bra: {
        const off = r.i16();
        const taken = op === OP.skip || pop() !== 0;
        if (taken) {
          const to = r.pos + off;
          if (to < 0 || to > r.length) r.fail(`branch target ${off} is outside the expression`, opAt);
          r.pos = to;
        }
        break;
      }
      case OP.regx: special = { kind: 'register', reg: r.uleb() }; break;
      case OP.bregx: { const n = r.uleb(); push(reg(n) + r.sleb()); break; }
      case OP.fbreg: {
        const off = r.sleb();
        const fb = ctx.frameBase?.();
        if (fb === undefined) throw new Unavailable('error: the frame base is not known');
        push(fb + off);
        break;
      }
      case OP.call_frame_cfa: {
        const cfa = ctx.cfa?.();
        if (cfa === undefined) throw new Unavailable('error: the frame address (CFA) is not known');
        push(cfa);
        break;
      }
      case OP.nop: break;
      case OP.stack_value: special = { kind: 'value', value: pop() }; break;
      case OP.implicit_value: special = { kind: 'implicit', bytes: r.bytesN(r.uleb()) }; break;
      case OP.piece: case OP.bit_piece: {
        const size = r.uleb();
        const bits = op === OP.piece ? size * 8 : size;
        const offsetBits = op === OP.bit_piece ? r.uleb() : 0;
        let loc: SimpleLocation;
        if (special !== undefined) loc = special;
        else if (stack.length > 0) loc = { kind: 'memory', addr: pop() };
        else loc = { kind: 'unavailable', reason: 'optimized out' };
        pieces.push({ bits, offsetBits, loc });
        special = undefined;
        stack.length = 0;
        break;
      }
      case OP.entry_value: case OP.GNU_entry_value: {
        const block = r.bytesN(r.uleb());
        const v = ctx.entryValue?.(block);
        if (v === undefined) throw new Unavailable(OPTIMIZED_OUT);
        push(v);
        break;
      }
      case OP.addrx: case OP.constx: case OP.GNU_addr_index: case OP.GNU_const_index: {
        const v = ctx.indexedAddr?.(r.uleb());
        if (v === undefined) throw new Unavailable('error: DW_OP_addrx index cannot be resolved');
        push(v);
        break;
      }
      case OP.implicit_pointer: case OP.GNU_implicit_pointer:
        // The value is a pointer to something that exists only as debug info: we cannot show it.
        throw new Unavailable(OPTIMIZED_OUT);
      case OP.GNU_parameter_ref:
        throw new Unavailable(OPTIMIZED_OUT);
      case OP.xderef: case OP.xderef_size: case OP.xderef_type:
      case OP.push_object_address: case OP.call2: case OP.call4: case OP.call_ref:
      case OP.form_tls_address: case OP.GNU_push_tls_address:
      case OP.const_type: case OP.GNU_const_type: case OP.regval_type: case OP.GNU_regval_type:
      case OP.deref_type: case OP.GNU_deref_type: case OP.convert: case OP.GNU_convert:
      case OP.reinterpret: case OP.GNU_reinterpret: case OP.GNU_variable_value:
        throw new Unavailable(`error: unsupported DWARF operation ${hex(op)}`);
      default:
        r.fail(`unknown DWARF operation ${hex(op)}`, opAt);
    }
  }
  if (pieces.length > 0) {
    if (special !== undefined || stack.length > 0) r.fail('location after the last piece is not a piece', r.length);
    return { kind: 'pieces', pieces };
  }
  if (special !== undefined) return special;
  if (stack.length === 0) return { kind: 'unavailable', reason: 'optimized out' };
  return { kind: 'memory', addr: stack[stack.length - 1] };
}
