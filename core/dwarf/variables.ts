// Reading a variable's value in a frame: evaluate its location (expression or list entry for the
// frame's pc), then fetch the bytes from memory, registers, the expression's own value, or pieces
// of those. Entry values (DW_OP_entry_value) are recovered from the caller's call-site
// parameters when GCC recorded them, as gdb does; otherwise the value is "optimized out".
import { AT, OP, TAG } from './constants';
import { evaluate, evaluateValue, type ExprContext, type Location, type SimpleLocation } from './expr';
import type { FunctionIndex, Variable } from './functions';
import type { Die } from './info';
import { exprAt, locationDesc } from './loc';
import { Reader } from './reader';
import { isSignedType, sizeOf } from './types';
import type { Value } from './values';

/** A frame's machine state, as the unwinder produces it (or the live hart for frame 0). */
export interface FrameState {
  /** The frame's pc: the next instruction in frame 0, the return address in callers. */
  pc: number;
  /** x0..x31 (signed or unsigned 32-bit values both work). */
  regs: ArrayLike<number>;
  /** Bit i set when x_i is known in this frame; undefined means all are. */
  known?: number;
  /** The canonical frame address (the caller's sp at the call), when known. */
  cfa?: number;
  /** Frame 0? Lookups for callers use pc - 1 (the call), so a call at a function's end works. */
  innermost: boolean;
  /** The calling frame, for DW_OP_entry_value. */
  caller?: FrameState;
}

export type MemReader = (addr: number, len: number) => Uint8Array | undefined;

export function lookupPc(f: FrameState): number {
  return f.innermost ? f.pc : (f.pc - 1) >>> 0;
}

function regOf(f: FrameState, n: number): number | undefined {
  if (n < 0 || n > 31) return undefined;
  if (n === 0) return 0;
  if (f.known !== undefined && ((f.known >>> n) & 1) === 0) return undefined;
  const v = f.regs[n];
  return v === undefined ? undefined : v >>> 0;
}

function mem32(mem: MemReader, addr: number, size: number): number | undefined {
  const b = mem(addr >>> 0, size);
  if (b === undefined || b.length < size) return undefined;
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[i];
  return v;
}

const MAX_ENTRY_DEPTH = 4;
/** The largest value read for display, as gdb's default max-value-size. */
export const MAX_VALUE_SIZE = 65536;

export class VariableReader {
  constructor(private readonly functions: FunctionIndex, private readonly where: string) {}

  /** An expression context for evaluating in `frame` (frame base and CFA of `frameDie`). */
  context(frame: FrameState | undefined, frameDie: Die | undefined, mem: MemReader, depth = 0, unit = frameDie?.unit): ExprContext {
    const pc = frame === undefined ? 0 : lookupPc(frame);
    return {
      reg: (n) => (frame === undefined ? undefined : regOf(frame, n)),
      mem: (addr, size) => mem32(mem, addr, size),
      cfa: () => frame?.cfa,
      frameBase: () => {
        if (frame === undefined || frameDie === undefined) return undefined;
        const fb = frameDie.attr(AT.frame_base);
        if (fb === undefined) return undefined;
        const desc = locationDesc(frameDie.unit, fb);
        const expr = desc === undefined ? undefined : exprAt(desc, pc);
        if (expr === undefined) return undefined;
        return evaluateValue(expr, this.context(frame, undefined, mem, depth), `${this.where} frame base of DIE 0x${frameDie.offset.toString(16)}`);
      },
      entryValue: (expr) => (frame === undefined ? undefined : this.entryValue(expr, frame, mem, depth)),
      indexedAddr: (i) => unit?.indexedAddr(i),
    };
  }

  /** The variable's value in `frame` (undefined frame: globals and statics only). */
  read(v: Variable, frame: FrameState | undefined, mem: MemReader): Value {
    const type = v.type;
    const size = sizeOf(type);
    if (v.locationError !== undefined) return { type, bytes: new Uint8Array(0), unavailable: `error: ${v.locationError}` };
    // A corrupt or absurd type must not make us allocate or read gigabytes (gdb's max-value-size).
    if (size > MAX_VALUE_SIZE) return { type, bytes: new Uint8Array(0), unavailable: `value requires ${size} bytes, which is more than max-value-size` };
    if (v.constValue !== undefined) return { type, bytes: constBytes(v.constValue, size) };
    if (v.location === undefined) return { type, bytes: new Uint8Array(0), unavailable: 'optimized out' };
    const pc = frame === undefined ? 0 : lookupPc(frame);
    const expr = exprAt(v.location, pc);
    if (expr === undefined) return { type, bytes: new Uint8Array(0), unavailable: 'optimized out' };
    const loc = evaluate(expr, this.context(frame, v.frameDie, mem, 0, v.die.unit), `${this.where} location of ${v.name}`);
    return fetch(loc, type, size, frame, mem);
  }

  /**
   * DW_OP_entry_value(expr): the value expr (a register) had when the function was entered,
   * recovered from the caller's DW_TAG_call_site for this return address.
   */
  private entryValue(expr: Uint8Array, frame: FrameState, mem: MemReader, depth: number): number | undefined {
    if (depth >= MAX_ENTRY_DEPTH) return undefined;
    const caller = frame.caller;
    if (caller === undefined) return undefined;
    let reg: number;
    if (expr.length === 1 && expr[0] >= OP.reg0 && expr[0] <= OP.reg31) reg = expr[0] - OP.reg0;
    else if (expr.length >= 2 && expr[0] === OP.regx) reg = new Reader(this.where, expr, 1).uleb();
    else return undefined;
    const fn = this.functions.functionAt(lookupPc(caller));
    if (fn === undefined) return undefined;
    const site = findCallSite(fn.die, caller.pc);
    if (site === undefined) return undefined;
    for (const p of site.children) {
      if (p.tag !== TAG.call_site_parameter && p.tag !== TAG.GNU_call_site_parameter) continue;
      const loc = p.block(AT.location);
      if (loc === undefined) continue;
      const preg = loc.length === 1 && loc[0] >= OP.reg0 && loc[0] <= OP.reg31 ? loc[0] - OP.reg0 : loc[0] === OP.regx ? new Reader(this.where, loc, 1).uleb() : -1;
      if (preg !== reg) continue;
      const value = p.block(AT.call_value) ?? p.block(AT.GNU_call_site_value);
      if (value === undefined) return undefined;
      return evaluateValue(value, this.context(caller, fn.die, mem, depth + 1), `${this.where} call site value at DIE 0x${p.offset.toString(16)}`);
    }
    return undefined;
  }
}

/** The call site DIE in a function whose return address is `returnPc`. */
function findCallSite(fnDie: Die, returnPc: number): Die | undefined {
  const stack: Die[] = [fnDie];
  for (let n = 0; stack.length > 0 && n < 100_000; n++) {
    const d = stack.pop()!;
    if (d.tag === TAG.call_site || d.tag === TAG.GNU_call_site) {
      // DWARF 5: DW_AT_call_return_pc; GNU (DWARF 4): DW_AT_low_pc is the return address.
      const ret = d.addr(AT.call_return_pc) ?? d.addr(AT.low_pc);
      if (ret === returnPc) return d;
      continue;
    }
    for (const c of d.children) stack.push(c);
  }
  return undefined;
}

function constBytes(c: Uint8Array | bigint, size: number): Uint8Array {
  if (c instanceof Uint8Array) {
    if (c.length >= size) return c;
    const b = new Uint8Array(size);
    b.set(c);
    return b;
  }
  const b = new Uint8Array(Math.max(size, 1));
  let v = BigInt.asUintN(b.length * 8, c);
  for (let i = 0; i < b.length; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

/** Fetches the bytes a location describes. Missing parts are marked invalid, not guessed. */
export function fetch(loc: Location, type: Value['type'], size: number, frame: FrameState | undefined, mem: MemReader): Value {
  if (loc.kind === 'unavailable') return { type, bytes: new Uint8Array(0), unavailable: loc.reason };
  if (loc.kind === 'memory') {
    const bytes = size === 0 ? new Uint8Array(0) : mem(loc.addr >>> 0, size);
    if (bytes === undefined || bytes.length < size) {
      return { type, bytes: new Uint8Array(0), address: loc.addr, unavailable: `error: Cannot access memory at address 0x${(loc.addr >>> 0).toString(16)}` };
    }
    return { type, bytes: Uint8Array.from(bytes), address: loc.addr >>> 0 };
  }
  const bytes = new Uint8Array(size);
  const valid = new Uint8Array(size);
  if (loc.kind === 'pieces') {
    let bit = 0;
    for (const p of loc.pieces) {
      // Pieces cannot be larger than the value; the clamp keeps garbage sizes from allocating.
      const pb = pieceBytes(p.loc, Math.min(Math.ceil((p.bits + p.offsetBits) / 8), size + 8), frame, mem, isSignedType(type));
      copyBits(pb.bytes, pb.valid, p.offsetBits, bytes, valid, bit, p.bits);
      bit += p.bits;
    }
    return valid.every((x) => x !== 0) ? { type, bytes } : { type, bytes, valid };
  }
  const pb = pieceBytes(loc, size, frame, mem, isSignedType(type));
  if (pb.valid.every((x) => x !== 0)) return { type, bytes: pb.bytes };
  if (pb.valid.every((x) => x === 0)) return { type, bytes: new Uint8Array(0), unavailable: pb.reason ?? 'optimized out' };
  return { type, bytes: pb.bytes, valid: pb.valid };
}

function pieceBytes(loc: SimpleLocation, size: number, frame: FrameState | undefined, mem: MemReader, signed: boolean): { bytes: Uint8Array; valid: Uint8Array; reason?: string } {
  const bytes = new Uint8Array(size);
  const valid = new Uint8Array(size);
  switch (loc.kind) {
    case 'memory': {
      const b = mem(loc.addr >>> 0, size);
      if (b !== undefined && b.length >= size) {
        bytes.set(b.subarray(0, size));
        valid.fill(1);
      }
      return { bytes, valid, reason: `error: Cannot access memory at address 0x${(loc.addr >>> 0).toString(16)}` };
    }
    case 'register': {
      // Values wider than a register continue in the next registers (as gdb reads a0/a1 pairs).
      for (let i = 0; i < size; i += 4) {
        const v = frame === undefined ? undefined : regOf(frame, loc.reg + i / 4);
        if (v === undefined) continue;
        for (let k = 0; k < 4 && i + k < size; k++) {
          bytes[i + k] = (v >>> (8 * k)) & 0xff;
          valid[i + k] = 1;
        }
      }
      return { bytes, valid, reason: 'not saved' };
    }
    case 'value': {
      const v = loc.value >>> 0;
      const ext = signed && (v & 0x80000000) !== 0 ? 0xff : 0;
      for (let k = 0; k < size; k++) bytes[k] = k < 4 ? (v >>> (8 * k)) & 0xff : ext;
      valid.fill(1);
      return { bytes, valid };
    }
    case 'implicit':
      bytes.set(loc.bytes.subarray(0, size));
      valid.fill(1);
      return { bytes, valid };
    case 'unavailable':
      return { bytes, valid, reason: loc.reason };
  }
}

function copyBits(src: Uint8Array, srcValid: Uint8Array, srcBit: number, dst: Uint8Array, dstValid: Uint8Array, dstBit: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = srcBit + i;
    const d = dstBit + i;
    const sb = s >> 3;
    const db = d >> 3;
    if (db >= dst.length || sb >= src.length) return;
    const bit = (src[sb] >> (s & 7)) & 1;
    dst[db] = (dst[db] & ~(1 << (d & 7))) | (bit << (d & 7));
    if (srcValid[sb]) dstValid[db] = 1;
  }
}
