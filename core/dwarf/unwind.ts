// The stack unwinder: from the hart's registers to the chain of calling frames. Each frame is
// unwound with its CFI row when there is one; without CFI, with an analysis of the function's
// epilogue (frame 0) or prologue (needs the function's start from DWARF or the symbol table);
// without that, with the frame pointer (s0, GCC's layout: ra at s0-4, the caller's s0 at s0-8);
// and for the innermost frame, as a leaf that has not touched the stack (return address in ra).
//
// It stops cleanly on garbage: a return address of 0 or outside the program, a CFA that does not
// grow towards the caller, a register it cannot recover, or the depth limit.
import type { CallFrameInfo, RegRule } from './cfi';
import { CALLEE_SAVED_MASK, REG } from './constants';
import { evaluateValue, type ExprContext } from './expr';
import { scanEpilogue, scanPrologue } from './prologue';
import type { FrameState } from './variables';

export type UnwindMethod = 'cfi' | 'prologue' | 'frame-pointer' | 'leaf';

export interface Frame extends FrameState {
  level: number;
  pc: number;
  /** x0..x31 as recovered for this frame (unknown ones hold the inner frame's value). */
  regs: Int32Array;
  /** Bit i set when x_i is really known in this frame (sp, ra and callee-saved ones mostly). */
  known: number;
  /** This frame's CFA (the sp its caller had at the call); undefined when it could not be found. */
  cfa: number | undefined;
  /** How the caller's registers were recovered from this frame (undefined for the last frame). */
  unwoundBy: UnwindMethod | undefined;
  caller?: Frame;
}

export interface UnwindTarget {
  cfi: CallFrameInfo;
  /** Start of the function containing pc (DWARF, else ELF symbols), for prologue analysis. */
  functionStart(pc: number): number | undefined;
  /** Reads a halfword of the program's code (from the ELF image), for prologue analysis. */
  code16(addr: number): number | undefined;
  /** True when addr is inside the program's loaded code (to reject garbage return addresses). */
  isCode(addr: number): boolean;
  /** Names the file in messages. */
  where: string;
}

export interface UnwindOptions {
  maxDepth?: number;
}

const ALL = 0xffffffff | 0;

interface Step {
  cfa: number | undefined;
  regs: Int32Array;
  known: number;
  pc: number | undefined;
  method: UnwindMethod;
}

/**
 * Unwinds from frame 0 (the hart's pc and registers). `readMem32` reads a word of target memory,
 * undefined when it cannot. Always returns at least frame 0.
 */
export function unwind(target: UnwindTarget, regs: ArrayLike<number>, pc: number, readMem32: (addr: number) => number | undefined, opts: UnwindOptions = {}): Frame[] {
  const maxDepth = opts.maxDepth ?? 256;
  const r0 = Int32Array.from({ length: 32 }, (_, i) => (i === 0 ? 0 : regs[i] ?? 0));
  const frames: Frame[] = [];
  let cur: Frame = { level: 0, pc: pc >>> 0, regs: r0, known: ALL, cfa: undefined, unwoundBy: undefined, innermost: true };
  for (let level = 0; level < maxDepth; level++) {
    const step = unwindOne(target, cur, readMem32);
    if (step !== undefined) cur.cfa = step.cfa;
    frames.push(cur);
    if (step === undefined || step.pc === undefined) break;
    const callerPc = step.pc >>> 0;
    if (callerPc === 0 || !target.isCode(callerPc)) break;
    // The caller's frame must lie above this one; equal CFAs only make sense for a leaf frame 0
    // that has no frame of its own, and even then the caller's pc must differ.
    const next: Frame = { level: level + 1, pc: callerPc, regs: step.regs, known: step.known, cfa: undefined, unwoundBy: undefined, innermost: false };
    const probe = unwindOne(target, next, readMem32);
    const nextCfa = probe?.cfa;
    if (cur.cfa !== undefined && nextCfa !== undefined && (nextCfa < cur.cfa || (nextCfa === cur.cfa && (level > 0 || callerPc === cur.pc)))) break;
    cur.unwoundBy = step.method;
    cur.caller = next;
    cur = next;
  }
  return frames;
}

function regKnown(f: { regs: Int32Array; known: number }, n: number): number | undefined {
  if (n === 0) return 0;
  if (n < 0 || n > 31 || ((f.known >>> n) & 1) === 0) return undefined;
  return f.regs[n] >>> 0;
}

function unwindOne(target: UnwindTarget, f: Frame, readMem32: (addr: number) => number | undefined): Step | undefined {
  const lookup = f.innermost ? f.pc : (f.pc - 1) >>> 0;
  const cfi = target.cfi.rowAt(lookup);
  if (cfi !== undefined) return withCfi(target, f, cfi.row.cfa, cfi.row.regs, cfi.fde.cie.raReg, readMem32);
  // In frame 0, an epilogue may already have undone part of the prologue: finish it instead.
  if (f.innermost) {
    const ep = scanEpilogue(target.code16, f.pc);
    const sp = regKnown(f, REG.sp);
    if (ep !== undefined && sp !== undefined) {
      const rules = new Map<number, RegRule>();
      for (const [reg, off] of ep.saved) rules.set(reg, { kind: 'offset', offset: off });
      return { ...withCfa(f, (sp + ep.spToCfa) >>> 0, rules, REG.ra, readMem32, target.where), method: 'prologue' };
    }
  }
  const start = target.functionStart(lookup);
  if (start !== undefined) {
    const st = scanPrologue(target.code16, start, f.innermost ? f.pc : lookup + 1);
    let cfa: number | undefined;
    if (st.fpToCfa !== undefined) {
      const s0 = regKnown(f, REG.s0);
      cfa = s0 === undefined ? undefined : (s0 + st.fpToCfa) >>> 0;
    } else {
      const sp = regKnown(f, REG.sp);
      cfa = sp === undefined ? undefined : (sp - st.spOffset) >>> 0;
    }
    if (cfa === undefined) return undefined;
    const rules = new Map<number, RegRule>();
    for (const [reg, off] of st.saved) rules.set(reg, { kind: 'offset', offset: off });
    const step = withCfa(f, cfa, rules, REG.ra, readMem32, target.where);
    // ra not saved yet and not known in this frame: only frame 0 can still have it in ra.
    return { ...step, method: 'prologue' };
  }
  // No function information at all: try the frame pointer, then (frame 0 only) a leaf.
  const s0 = regKnown(f, REG.s0);
  const sp = regKnown(f, REG.sp);
  if (s0 !== undefined && sp !== undefined && s0 > sp && s0 - sp < 0x100000 && (s0 & 3) === 0) {
    const ra = readMem32(s0 - 4);
    if (ra !== undefined && target.isCode(ra >>> 0)) {
      const step = withCfa(f, s0, new Map([[REG.ra, { kind: 'offset', offset: -4 }], [REG.s0, { kind: 'offset', offset: -8 }]]), REG.ra, readMem32, target.where);
      return { ...step, method: 'frame-pointer' };
    }
    // A leaf with a frame pointer (GCC -O0) saves only s0, at s0-4; ra still holds the return.
    if (f.innermost) {
      const step = withCfa(f, s0, new Map([[REG.s0, { kind: 'offset', offset: -4 }]]), REG.ra, readMem32, target.where);
      return { ...step, method: 'frame-pointer' };
    }
  }
  if (f.innermost && sp !== undefined) {
    const step = withCfa(f, sp, new Map(), REG.ra, readMem32, target.where);
    return { ...step, method: 'leaf' };
  }
  return undefined;
}

function withCfi(target: UnwindTarget, f: Frame, cfaRule: { kind: 'reg'; reg: number; offset: number } | { kind: 'expr'; expr: Uint8Array }, rules: Map<number, RegRule>, raReg: number, readMem32: (addr: number) => number | undefined): Step | undefined {
  let cfa: number | undefined;
  if (cfaRule.kind === 'reg') {
    const base = regKnown(f, cfaRule.reg);
    cfa = base === undefined ? undefined : (base + cfaRule.offset) >>> 0;
  } else {
    cfa = evaluateValue(cfaRule.expr, exprContext(f, readMem32, undefined), `${target.where} CFA expression`);
  }
  if (cfa === undefined) return undefined;
  return { ...withCfa(f, cfa, rules, raReg, readMem32, target.where), method: 'cfi' };
}

function exprContext(f: Frame, readMem32: (addr: number) => number | undefined, cfa: number | undefined): ExprContext {
  return {
    reg: (n) => regKnown(f, n),
    mem: (addr, size) => {
      const w = readMem32(addr & ~3);
      if (w === undefined) return undefined;
      if (size === 4 && (addr & 3) === 0) return w >>> 0;
      // Sub-word or unaligned: assemble from the containing words.
      let v = 0;
      for (let i = size - 1; i >= 0; i--) {
        const a = addr + i;
        const word = readMem32(a & ~3);
        if (word === undefined) return undefined;
        v = v * 256 + ((word >>> (8 * (a & 3))) & 0xff);
      }
      return v;
    },
    cfa: () => cfa,
  };
}

/** Applies register rules for a known CFA, giving the caller's registers and return address. */
function withCfa(f: Frame, cfa: number, rules: Map<number, RegRule>, raReg: number, readMem32: (addr: number) => number | undefined, where: string): Omit<Step, 'method'> {
  const regs = Int32Array.from(f.regs);
  // Unspecified registers keep their values (gdb does the same); only the callee-saved ones are
  // trustworthy in the caller, the others were free for the callee to clobber.
  let known = f.known & CALLEE_SAVED_MASK;
  const ctx = exprContext(f, readMem32, cfa);
  // With no rule for the return-address column, the return address is still in ra: true only in
  // frame 0 (a leaf, or a prologue that has not saved it yet). In a caller, ra holds the return
  // address into that caller itself, never its own.
  let raValue: number | undefined = f.innermost ? regKnown(f, raReg) : undefined;
  for (const [reg, rule] of rules) {
    let v: number | undefined;
    switch (rule.kind) {
      case 'undefined': v = undefined; break;
      case 'same': v = regKnown(f, reg); break;
      case 'offset': v = readMem32((cfa + rule.offset) >>> 0); break;
      case 'val_offset': v = (cfa + rule.offset) >>> 0; break;
      case 'register': v = regKnown(f, rule.reg); break;
      case 'expression': {
        const addr = evaluateValue(rule.expr, ctx, `${where} CFI register expression`, [cfa]);
        v = addr === undefined ? undefined : readMem32(addr);
        break;
      }
      case 'val_expression': v = evaluateValue(rule.expr, ctx, `${where} CFI register expression`, [cfa]); break;
    }
    if (reg === raReg) raValue = v;
    if (reg < 0 || reg > 31) continue;
    if (v === undefined) {
      known &= ~(1 << reg);
    } else {
      regs[reg] = v | 0;
      known |= 1 << reg;
    }
  }
  regs[REG.sp] = cfa | 0;
  known |= 1 << REG.sp;
  // In the caller, ra holds the return address its call instruction wrote.
  if (raValue !== undefined) {
    regs[REG.ra] = raValue | 0;
    known |= 1 << REG.ra;
  } else {
    known &= ~(1 << REG.ra);
  }
  return { cfa, regs, known, pc: raValue };
}
