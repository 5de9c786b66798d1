// Prologue and epilogue analysis for RISC-V code without call-frame information: which stack
// adjustment, frame-pointer setup and register saves GCC's prologue has executed by a given pc,
// and, inside an epilogue, which restores are still to come. The unwinder uses it when a function
// has no CFI (as gdb's riscv_scan_prologue does).
import { decode } from '../isa/decode';
import { Op } from '../isa/opcodes';

export interface PrologueState {
  /** sp = CFA + spOffset once the prologue has run up to the scanned pc (spOffset <= 0). */
  spOffset: number;
  /** When s0 has been set up as the frame pointer: CFA = s0 + fpToCfa. */
  fpToCfa: number | undefined;
  /** Registers saved so far, as offsets from the CFA. */
  saved: Map<number, number>;
  /** Where the scan stopped: the first instruction that is not part of a prologue, or the limit. */
  end: number;
}

const SP = 2;
const S0 = 8;
const MAX_INSNS = 64;

/** True for registers a prologue saves: ra and the callee-saved s0-s11. */
function isSavedReg(r: number): boolean {
  return r === 1 || r === 8 || r === 9 || (r >= 18 && r <= 27);
}

function fetch(read16: (addr: number) => number | undefined, pc: number): ReturnType<typeof decode> | undefined {
  const lo = read16(pc);
  if (lo === undefined) return undefined;
  if ((lo & 3) !== 3) return decode(lo);
  const hi = read16(pc + 2);
  return hi === undefined ? undefined : decode((lo | (hi << 16)) >>> 0);
}

export interface EpilogueState {
  /** CFA = sp + spToCfa (the stack adjustments still to come). */
  spToCfa: number;
  /** Registers still to be reloaded, as offsets from the CFA. */
  saved: Map<number, number>;
}

/**
 * If pc is inside an epilogue (only reloads from sp and stack adjustments up to a `ret`), what is
 * left of it; undefined otherwise.
 */
export function scanEpilogue(read16: (addr: number) => number | undefined, pc: number): EpilogueState | undefined {
  const loads: Array<[number, number]> = [];
  let sp = 0; // sp offset relative to the current sp, as the epilogue proceeds
  for (let n = 0; n < MAX_INSNS; n++) {
    const d = fetch(read16, pc);
    if (d === undefined) return undefined;
    if (d.op === Op.JALR && d.rd === 0 && d.rs1 === 1 && d.imm === 0) {
      const saved = new Map<number, number>();
      for (const [reg, off] of loads) saved.set(reg, off - sp);
      return { spToCfa: sp, saved };
    }
    if (d.op === Op.LW && d.rs1 === SP && d.rd !== SP) loads.push([d.rd, sp + d.imm]);
    else if (d.op === Op.ADDI && d.rd === SP && d.rs1 === SP) sp += d.imm;
    else return undefined;
    pc += d.len;
  }
  return undefined;
}

/**
 * Scans from `start` (a function's entry) up to but not including `limit`. `read16` reads a
 * halfword of code, undefined outside the program.
 */
export function scanPrologue(read16: (addr: number) => number | undefined, start: number, limit: number): PrologueState {
  const st: PrologueState = { spOffset: 0, fpToCfa: undefined, saved: new Map(), end: start };
  let pc = start;
  for (let n = 0; n < MAX_INSNS && pc < limit; n++) {
    const d = fetch(read16, pc);
    if (d === undefined) break;
    let ok = true;
    switch (d.op) {
      case Op.ADDI:
        if (d.rd === SP && d.rs1 === SP) st.spOffset += d.imm;
        else if (d.rd === S0 && d.rs1 === SP) st.fpToCfa = -(st.spOffset + d.imm);
        else ok = false;
        break;
      case Op.ADD:
        // mv s0, sp (c.mv expands to add s0, x0, sp)
        if (d.rd === S0 && ((d.rs1 === SP && d.rs2 === 0) || (d.rs1 === 0 && d.rs2 === SP))) st.fpToCfa = -st.spOffset;
        else ok = false;
        break;
      case Op.SW: {
        // Saves of ra/s-registers count; stores of argument registers (GCC -O0 spills
        // parameters right after the prologue proper) are skipped over without recording.
        let cfaOffset: number | undefined;
        if (d.rs1 === SP) cfaOffset = st.spOffset + d.imm;
        else if (d.rs1 === S0 && st.fpToCfa !== undefined) cfaOffset = d.imm - st.fpToCfa;
        if (cfaOffset === undefined) ok = false;
        else if (isSavedReg(d.rs2)) {
          if (!st.saved.has(d.rs2) && !(d.rs2 === S0 && st.fpToCfa !== undefined)) st.saved.set(d.rs2, cfaOffset);
        } else if (!(d.rs2 >= 10 && d.rs2 <= 17)) ok = false;
        break;
      }
      default:
        ok = false;
    }
    if (!ok) break;
    pc += d.len;
    st.end = pc;
  }
  return st;
}
