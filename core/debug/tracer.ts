// Executes the guest one instruction at a time while keeping track of the call depth, for the
// debugger's stepping and searching (core/debug/debugger.ts).
//
// A "position" is the machine between two instructions, named by its icount: the state a seek to
// that icount gives. One step runs exactly one instruction (the one at `hart.pc`, or the first
// of a trap handler when an interrupt or exception is taken first).
//
// The call depth is relative (0 where tracing started): +1 for a call (jal/jalr writing ra or
// t0) and for a trap entry, -1 for a return (jalr x0 through ra or t0) and for mret. A trap is
// recognised because the pc after the step is not where the instruction would have gone.
// Stepping over a call, stepping out, and the reverse line step all reason with this depth.
//
// Whatever must be checked at every instruction (watchpoints) comes through this class; line
// steps and the depth use it for a few instructions at a time between fast skips (see
// Debugger.advance), and breakpoints alone do not need it (the hart stops at them itself, see
// Hart.setBreakpoints).
import { decode, isLong } from '../isa/decode';
import { Op } from '../isa/opcodes';
import type { VirtMachine } from '../machine/virt';
import type { TimeTravel, TravelStop } from './time-travel';

/** What kind of control transfer an instruction is (for the depth). */
export const enum Flow {
  PLAIN = 0,
  CALL = 1,
  RETURN = 2,
  MRET = 3,
  JUMP = 4,
  BRANCH = 5,
}

/** Memory access of an instruction (for watchpoints). */
export const enum Access {
  NONE = 0,
  LOAD = 1,
  STORE = 2,
  /** LR/SC/AMO: read and write. */
  ATOMIC = 3,
}

/** A decoded instruction as the tracer needs it. */
export interface InsnInfo {
  raw: number;
  len: number;
  op: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  flow: Flow;
  access: Access;
  /** Bytes accessed by a load/store/AMO. */
  size: number;
}

const LINK = (r: number): boolean => r === 1 || r === 5;

export function classify(raw: number): InsnInfo {
  const d = decode(raw);
  let flow = Flow.PLAIN;
  let access = Access.NONE;
  let size = 0;
  switch (d.op) {
    case Op.JAL: flow = LINK(d.rd) ? Flow.CALL : Flow.JUMP; break;
    case Op.JALR: flow = LINK(d.rd) ? Flow.CALL : d.rd === 0 && LINK(d.rs1) ? Flow.RETURN : Flow.JUMP; break;
    case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU: flow = Flow.BRANCH; break;
    case Op.MRET: flow = Flow.MRET; break;
    case Op.LB: case Op.LBU: access = Access.LOAD; size = 1; break;
    case Op.LH: case Op.LHU: access = Access.LOAD; size = 2; break;
    case Op.LW: access = Access.LOAD; size = 4; break;
    case Op.SB: access = Access.STORE; size = 1; break;
    case Op.SH: access = Access.STORE; size = 2; break;
    case Op.SW: access = Access.STORE; size = 4; break;
    case Op.LR_W: access = Access.LOAD; size = 4; break;
    case Op.SC_W: access = Access.STORE; size = 4; break;
    case Op.AMOSWAP_W: case Op.AMOADD_W: case Op.AMOXOR_W: case Op.AMOAND_W: case Op.AMOOR_W:
    case Op.AMOMIN_W: case Op.AMOMAX_W: case Op.AMOMINU_W: case Op.AMOMAXU_W:
      access = Access.ATOMIC; size = 4; break;
  }
  return { raw, len: d.len, op: d.op, rd: d.rd, rs1: d.rs1, rs2: d.rs2, imm: d.imm, flow, access, size };
}

export class Tracer {
  /** Relative call depth (see the top of the file). */
  depth = 0;
  /** The instruction the last step expected to run (undefined when the pc could not be read). */
  last: InsnInfo | undefined;
  /** Its address, and whether the last step went somewhere else (a trap was taken). */
  lastPc = 0;
  trapped = false;
  /**
   * Steps stop at a hart breakpoint on the first instruction of a trap handler, the trap taken
   * ('breakpoint'; nothing retired, the step's bookkeeping is then the caller's). Otherwise
   * taking a trap and running that instruction are one step, and a breakpoint there unseen.
   */
  breakAtTraps = false;
  private readonly cache = new Map<number, InsnInfo>();
  private readonly u16: Uint16Array;
  private readonly ramBase: number;
  private readonly ramSize: number;

  constructor(private readonly machine: VirtMachine, private readonly travel: TimeTravel) {
    this.u16 = machine.ram.u16;
    this.ramBase = machine.ram.base;
    this.ramSize = machine.ram.size;
  }

  /** The instruction at `pc` (RAM or ROM; undefined elsewhere), decoded once per address and bits. */
  insnAt(pc: number): InsnInfo | undefined {
    const off = (pc - this.ramBase) >>> 0;
    let raw: number;
    if (off + 4 <= this.ramSize && (off & 1) === 0) {
      const lo = this.u16[off >>> 1];
      raw = isLong(lo) ? (lo | (this.u16[(off + 2) >>> 1] << 16)) >>> 0 : lo;
    } else {
      if (this.machine.bus.findDevice(pc)?.name !== 'mrom') return undefined; // MMIO reads have side effects
      const lo = this.machine.bus.read(pc, 2);
      if (lo === undefined) return undefined;
      if (isLong(lo)) {
        const hi = this.machine.bus.read(pc + 2, 2);
        if (hi === undefined) return undefined;
        raw = (lo | (hi << 16)) >>> 0;
      } else {
        raw = lo;
      }
    }
    let info = this.cache.get(pc);
    if (info === undefined || info.raw !== raw) {
      info = classify(raw);
      if (this.cache.size > 1 << 16) this.cache.clear();
      this.cache.set(pc, info);
    }
    return info;
  }

  /** Where `i` at `pc` goes when it does not trap (from the registers before it runs). */
  private predict(i: InsnInfo, pc: number): number {
    const x = this.machine.hart.x;
    switch (i.op) {
      case Op.JAL: return (pc + i.imm) >>> 0;
      case Op.JALR: return ((x[i.rs1] + i.imm) & ~1) >>> 0;
      case Op.BEQ: return x[i.rs1] === x[i.rs2] ? (pc + i.imm) >>> 0 : (pc + i.len) >>> 0;
      case Op.BNE: return x[i.rs1] !== x[i.rs2] ? (pc + i.imm) >>> 0 : (pc + i.len) >>> 0;
      case Op.BLT: return x[i.rs1] < x[i.rs2] ? (pc + i.imm) >>> 0 : (pc + i.len) >>> 0;
      case Op.BGE: return x[i.rs1] >= x[i.rs2] ? (pc + i.imm) >>> 0 : (pc + i.len) >>> 0;
      case Op.BLTU: return (x[i.rs1] >>> 0) < (x[i.rs2] >>> 0) ? (pc + i.imm) >>> 0 : (pc + i.len) >>> 0;
      case Op.BGEU: return (x[i.rs1] >>> 0) >= (x[i.rs2] >>> 0) ? (pc + i.imm) >>> 0 : (pc + i.len) >>> 0;
      case Op.MRET: return this.machine.hart.mepc >>> 0;
      default: return (pc + i.len) >>> 0;
    }
  }

  /** The address a load/store/AMO at the current position accesses (undefined: it is none). */
  accessAddress(i: InsnInfo): number | undefined {
    if (i.access === Access.NONE) return undefined;
    const x = this.machine.hart.x;
    if (i.access === Access.ATOMIC || i.op === Op.LR_W || i.op === Op.SC_W) return x[i.rs1] >>> 0;
    return (x[i.rs1] + i.imm) >>> 0;
  }

  /** Runs one instruction and updates the depth. Returns how the machine stopped ('limit' normally). */
  step(): TravelStop {
    const hart = this.machine.hart;
    const pc = hart.pc >>> 0;
    const i = this.insnAt(pc);
    const expected = i === undefined ? -1 : this.predict(i, pc);
    this.last = i;
    this.lastPc = pc;
    let stop: TravelStop;
    if (this.breakAtTraps) {
      hart.resumeHere(); // not at a breakpoint where the step starts: only where a trap lands
      hart.breakOn = true;
      try {
        stop = this.travel.run(hart.icount + 1);
      } finally {
        hart.breakOn = false;
      }
    } else {
      stop = this.travel.run(hart.icount + 1);
    }
    if (stop.kind !== 'limit') return stop;
    this.trapped = (hart.pc >>> 0) !== expected;
    if (this.trapped) this.depth++;
    else if (i!.flow === Flow.CALL) this.depth++;
    else if (i!.flow === Flow.RETURN || i!.flow === Flow.MRET) this.depth--;
    return stop;
  }
}
