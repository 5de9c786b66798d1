// One RV32IMAC hart with machine and user modes: state, the interpreter loop, CSRs and traps.
//
// `execute(limit)` runs until `limit` (an icount) or until something the machine must look at
// happens (an MMIO access, a CSR write, mret, wfi); the machine then syncs devices, delivers
// interrupts and calls again. icount counts retired instructions: a trapping instruction does
// not retire.
//
// Two engines, with identical results (test/jit.test.ts checks it): the block JIT (jit.ts, on by
// default), which runs translated regions while the instruction budget allows and hands
// everything else to the interpreter; and the interpreter, the reference, which decodes each
// instruction once and caches the decoded fields per RAM page (two Int32 words per halfword
// slot), dropped when the page is written. See docs/performance.md.
//
// Debugger hooks, both costing nothing on pages that hold none: breakpoints (setBreakpoints +
// breakOn: execute stops before the instruction) and watchpoints (setWatchpoints + watchOn: it
// stops after an instruction that accessed a watched range). Code on a page with a breakpoint,
// and loads/stores that may touch a watched range, are run by the interpreter, which checks them.
import { Op } from '../isa/opcodes';
import { decode, isLong, type Decoded } from '../isa/decode';
import { Ram, PAGE_DIRTY, PAGE_SHIFT } from '../mem/ram';
import type { Bus } from '../mem/bus';
import {
  CSR, MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_MPRV, MSTATUS_TW, MSTATUS_WRITABLE,
  MIE_WRITABLE, MISA_VALUE, PRIV_M, PRIV_U, IRQ_MEI, IRQ_MSI, IRQ_MTI,
} from './csr';
import { Cause } from './trap';
import { mulh, mulhu, mulhsu } from './arith';
import { Jit, NO_FLAGS, type JitHart } from './jit';

export { mulh, mulhu, mulhsu };

/** Why `execute` returned. */
export const enum Exit {
  /** icount reached the limit. */
  LIMIT = 0,
  /** An MMIO access, CSR write or mret: devices and interrupts need a look. */
  EVENT = 1,
  /** wfi with no interrupt pending: the machine decides how to wait. */
  WFI = 2,
  /** A semihosting call waits for console input; the ebreak will be re-executed. */
  INPUT_WAIT = 3,
  /** Trap after trap with no instruction retiring in between (e.g. mtvec points at garbage). */
  TRAP_LOOP = 4,
  /** pc is at a breakpoint (Hart.setBreakpoints, while breakOn): not executed, icount unchanged. */
  BREAKPOINT = 5,
  /**
   * The instruction just run accessed a watched range (Hart.setWatchpoints, while watchOn): it
   * has retired (pc at the next instruction), or trapped after writing (pc at the handler);
   * Hart.watchHits says what it accessed.
   */
  WATCHPOINT = 6,
}

/**
 * What a watchpoint watches (Hart.setWatchpoints): loads, stores, or both; 'change': stores
 * that change the watched bytes (compared with them when the watchpoints were set,
 * refreshWatchBytes was last called, or this watchpoint last stopped the hart). A debugger's
 * write watchpoint only counts changes: a loop storing the same value stops nothing.
 */
export type WatchKind = 'read' | 'write' | 'readwrite' | 'change';

/** A watched range of guest physical addresses. */
export interface HartWatchpoint {
  addr: number;
  /** Bytes, at least 1. */
  size: number;
  kind: WatchKind;
}

/** An access that hit a watchpoint (Hart.watchHits). */
export interface WatchHit {
  /** The bytes accessed (the whole access, not only the watched part). */
  addr: number;
  size: number;
  kind: 'read' | 'write';
  /** The accessing instruction: its pc, and the icount it executed at (hart.icount - 1 once it retired). */
  pc: number;
  icount: number;
}

interface WatchRange {
  lo: number; hi: number; read: boolean; write: boolean;
  /** 'change': the watched bytes as last seen (the part in RAM), or undefined. */
  bytes: Uint8Array | undefined;
}

/** Consecutive traps without a retired instruction before execute gives up (see Exit.TRAP_LOOP). */
const TRAP_LOOP_LIMIT = 64;

/** What HartPlatform.semihost returns to wait for input: outside int32, so no real result collides with it. */
export const SEMIHOST_WAIT = 0x100000000;

/** What the hart needs from the board around it. */
export interface HartPlatform {
  bus: Bus;
  /** mtime for the `time`/`timeh` CSRs (a 64-bit value as a number). */
  readTime(): number;
  /** Handles a semihosting call (a0, a1) and returns the new a0, or SEMIHOST_WAIT; undefined: semihosting off. */
  semihost?: (op: number, param: number) => number;
}

// Packed decoded-instruction word: valid bit, op, rd, rs1, rs2, compressed flag. Word 2 is imm.
const VALID = 1 << 31;
const COMPRESSED = 1 << 23;

/** Thrown (as this one object, no stack) to abandon an instruction that traps. */
const TRAP = { trap: true };
const EMPTY_PAGE: Int32Array = new Int32Array(0);

/** A region call runs at most this many instructions (keeps its budget a small integer). */
const JIT_BUDGET_CAP = 1 << 30;

/** RVREPLAY_JIT=0 in the environment turns the JIT off by default (to compare, or as an escape hatch). */
const JIT_DEFAULT = typeof process === 'undefined' || process.env?.RVREPLAY_JIT !== '0';

export interface HartOptions {
  hartId?: number;
  /** Run translated code (default: on, unless RVREPLAY_JIT=0); off: the interpreter only. */
  jit?: boolean;
}

const SEMIHOST_PRE = 0x01f01013; // slli x0, x0, 0x1f
const SEMIHOST_POST = 0x40705013; // srai x0, x0, 7

export interface HartState {
  x: number[]; pc: number; priv: number; icount: number;
  mstatus: number; mie: number; mtvec: number; mscratch: number; mepc: number; mcause: number; mtval: number;
  mcounteren: number; mcountinhibit: number; cycleOffset: number; instretOffset: number;
  pmpcfg: number[]; pmpaddr: number[]; resAddr: number; resValue: number; waiting: boolean;
}

export class Hart implements JitHart {
  readonly x = new Int32Array(32);
  pc = 0;
  priv = PRIV_M;
  /** Retired instructions since reset: the clock everything in replay trusts. */
  icount = 0;
  readonly hartId: number;

  mstatus = 0;
  mie = 0;
  /** Interrupt lines driven by devices (MSIP/MTIP/MEIP bits). Read through mip. */
  irqLines = 0;
  mtvec = 0;
  mscratch = 0;
  mepc = 0;
  mcause = 0;
  mtval = 0;
  mcounteren = 0;
  mcountinhibit = 0;
  /** mcycle/minstret are icount plus these offsets (they are writable; icount is not). */
  cycleOffset = 0;
  instretOffset = 0;
  readonly pmpcfg = new Int32Array(4);
  readonly pmpaddr = new Int32Array(16);
  /** LR/SC reservation: address (-1: none) and the value LR read (SC succeeds only if unchanged, as QEMU). */
  resAddr = -1;
  resValue = 0;
  /** In wfi, waiting for an interrupt. */
  waiting = false;

  private readonly ram: Ram;
  private readonly bus: Bus;
  private readonly ramBase: number;
  private readonly ramSize: number;
  /** Decoded instructions per RAM page: 2048 halfword slots x (packed word, imm). */
  private dcache: (Int32Array | undefined)[];
  private trapCause = 0;
  private trapTval = 0;
  /** Trap-loop detection, across the interpreter calls of one execute(). */
  private lastTrapIcount = -1;
  private trapStreak = 0;
  /** The JIT (always built: turning it on and off keeps its translations). */
  readonly jit: Jit;
  /** Run translated code; false: the interpreter only. May be changed between execute() calls. */
  useJit: boolean;
  /** Set when translated code was dropped, or a store hit a watchpoint (see jit.ts). */
  jitStale = false;
  /** The pc of the store after which a region left because of jitStale. */
  storePc = 0;
  /**
   * Stop before executing an instruction at a breakpoint pc (Exit.BREAKPOINT). Off by default:
   * the debugger turns it on for the runs that must stop there, and single-steps with it off.
   */
  breakOn = false;
  /** Breakpoint pcs (as int32, so they hash as small integers). */
  private readonly breakPcs = new Set<number>();
  /** Breakpoints per RAM page: the interpreter checks the pc only on pages that hold one. */
  private readonly breakCount: Uint16Array;
  /** The position (pc, icount) a run resumes from: its breakpoint is not hit again (see resumeHere). */
  private skipPc = 0;
  private skipIcount = -1;
  /**
   * Stop after an instruction that accessed a watched range (Exit.WATCHPOINT, see
   * setWatchpoints). Off by default, like breakOn.
   */
  watchOn = false;
  /**
   * What the instruction that made execute() return Exit.WATCHPOINT did to watched ranges: one
   * entry per access, in order (an AMO: a read, then a write), each the whole access (a
   * misaligned store too). A semihosting call that fills a buffer (SYS_READ, SYS_GET_CMDLINE...)
   * is one write entry per page it wrote in a watched page (contiguous ones merged), with the
   * ebreak's pc. Emptied when execute() starts.
   */
  watchHits: WatchHit[] = [];
  private watches: WatchRange[] = [];
  /** 1 for RAM pages holding a read watchpoint (the interpreter's loads check only those). */
  readonly watchRead: Uint8Array;
  private watchReads = 0;
  /** RAM pages flagged for the current watchpoints. */
  private watchPages: number[] = [];
  /** watchOn with watchpoints set, during execute() only (writes from outside, e.g. a restore, are not hits). */
  private watchArmed = false;
  private watchReading = false;
  /** An access of the current instruction hit: stop after it. */
  private watchPending = false;

  constructor(private readonly platform: HartPlatform, opts: HartOptions | number = {}) {
    const o: HartOptions = typeof opts === 'number' ? { hartId: opts } : opts;
    this.bus = platform.bus;
    this.ram = platform.bus.ram;
    this.ramBase = this.ram.base;
    this.ramSize = this.ram.size;
    this.hartId = o.hartId ?? 0;
    this.useJit = o.jit ?? JIT_DEFAULT;
    this.dcache = new Array(this.ram.size >>> PAGE_SHIFT);
    this.jit = new Jit(this, this.ram);
    this.breakCount = new Uint16Array(this.ram.size >>> PAGE_SHIFT);
    this.watchRead = new Uint8Array(this.ram.size >>> PAGE_SHIFT);
    this.ram.onCodeWrite = (off, size) => this.invalidateCode(off, size);
    this.ram.onWatchedWrite = (off, size) => { if (this.watchArmed) this.noteWrite(this.ramBase + off, size); };
    this.reset(0);
  }

  reset(pc: number): void {
    this.x.fill(0);
    this.pc = pc >>> 0;
    this.priv = PRIV_M;
    this.mstatus = 0; // as QEMU: MPP = U at reset
    this.mie = 0;
    this.mtvec = 0;
    this.mscratch = 0;
    this.mepc = 0;
    this.mcause = 0;
    this.mtval = 0;
    this.mcounteren = 0;
    this.mcountinhibit = 0;
    this.pmpcfg.fill(0);
    this.pmpaddr.fill(0);
    this.resAddr = -1;
    this.waiting = false;
  }

  /**
   * Drops decoded and translated instructions overlapping RAM bytes [off, off+size). Stores reach
   * this through Ram.touch for pages marked PAGE_CODE; whoever rewrites RAM behind the Ram's back
   * must call it (or flushDecodeCache) for the bytes it changed.
   */
  invalidateCode(off: number, size: number): void {
    // Start one halfword early: a 4-byte instruction there reaches into the written bytes.
    for (let s = Math.max(0, (off & ~1) - 2); s < off + size; s += 2) {
      const pg = this.dcache[s >>> PAGE_SHIFT];
      if (pg !== undefined) pg[s & 0xffe] = 0;
    }
    this.jit.invalidate(off, size);
  }

  /** Drops every decoded and translated instruction (after RAM is replaced wholesale: loading, snapshot restore). */
  flushDecodeCache(): void {
    this.dcache = new Array(this.ram.size >>> PAGE_SHIFT);
    this.jit.flush();
  }

  /**
   * Keeps translated code off a RAM page (or allows it again), dropping what is translated there:
   * code on a flagged page always runs in the interpreter. (Breakpoints and watchpoints have
   * their own hooks: setBreakpoints, setWatchpoints.)
   */
  setPageNoJit(page: number, on: boolean): void {
    this.jit.setNoJit(page, on);
  }

  /**
   * Replaces the breakpoint pcs. Translated code leaves before each of them, so the interpreter
   * runs it and checks it (while breakOn); everything else keeps its full speed.
   */
  /**
   * Prepares translated code for a debugger: blocks start at `blockStarts` (the pcs where the
   * source line changes: where stepping sets its breakpoints), so that breakpoints set and
   * lifted there flip flags instead of translating regions again (see Jit.setBreakOff).
   */
  prepareForDebugger(blockStarts: Iterable<number>): void {
    const offs: number[] = [];
    for (const pc of blockStarts) {
      const off = ((pc | 0) - this.ramBase) >>> 0;
      if (off < this.ramSize) offs.push(off);
    }
    this.jit.addBlockStarts(offs);
  }

  setBreakpoints(pcs: Iterable<number>): void {
    const next = new Set<number>();
    for (const p of pcs) next.add(p | 0);
    for (const p of this.breakPcs) if (!next.has(p)) this.flagBreakPage(p, -1);
    for (const p of next) if (!this.breakPcs.has(p)) this.flagBreakPage(p, 1);
    this.breakPcs.clear();
    for (const p of next) this.breakPcs.add(p);
  }

  private flagBreakPage(pc: number, delta: number): void {
    const off = ((pc | 0) - this.ramBase) >>> 0;
    if (off >= this.ramSize) return; // outside RAM: always interpreted, always checked
    const page = off >>> PAGE_SHIFT;
    this.breakCount[page] += delta;
    this.jit.setBreakOff(off, delta > 0);
  }

  /**
   * Runs from here do not stop at a breakpoint at the current position (resuming from a stop
   * there); `false`: they do (a search that must see a hit where it starts).
   */
  resumeHere(skip = true): void {
    this.skipPc = this.pc | 0;
    this.skipIcount = skip ? this.icount : -1;
  }

  /**
   * Replaces the watchpoints. RAM pages overlapping a range are flagged: translated code leaves
   * the region before a load from a page holding a read watchpoint, or a store into one holding a
   * write watchpoint, and the interpreter does that access and checks it. Accesses to other
   * pages keep their full speed. Ranges outside RAM (MMIO) are checked on the interpreter's slow
   * paths. Flags stay while watchOn is off (those accesses then run in the interpreter, unchecked).
   */
  setWatchpoints(list: Iterable<HartWatchpoint>): void {
    const ws: WatchRange[] = [];
    for (const w of list) {
      if (!Number.isInteger(w.size) || w.size < 1) throw new RangeError(`watchpoint size must be a positive integer, got ${w.size}`);
      if (w.kind !== 'read' && w.kind !== 'write' && w.kind !== 'readwrite' && w.kind !== 'change') throw new RangeError(`watchpoint kind must be read, write, readwrite or change, got ${String(w.kind)}`);
      const lo = w.addr >>> 0;
      const r: WatchRange = { lo, hi: Math.min(lo + w.size, TWO32), read: w.kind === 'read' || w.kind === 'readwrite', write: w.kind !== 'read', bytes: undefined };
      if (w.kind === 'change') r.bytes = this.watchedBytes(r);
      ws.push(r);
    }
    const watchRead = this.watchRead;
    for (const p of this.watchPages) {
      watchRead[p] = 0;
      this.ram.setWriteWatch(p, false);
    }
    const pages = new Set<number>();
    const ramEnd = this.ramBase + this.ramSize;
    let readLo = this.ramSize, readHi = 0;
    for (const w of ws) {
      const start = Math.max(w.lo, this.ramBase), end = Math.min(w.hi, ramEnd);
      if (start >= end) continue;
      if (w.read) {
        readLo = Math.min(readLo, start - this.ramBase);
        readHi = Math.max(readHi, end - this.ramBase);
      }
      for (let p = (start - this.ramBase) >>> PAGE_SHIFT; p <= (end - 1 - this.ramBase) >>> PAGE_SHIFT; p++) {
        if (w.read) watchRead[p] = 1;
        if (w.write) this.ram.setWriteWatch(p, true);
        pages.add(p);
      }
    }
    this.watches = ws;
    this.watchReads = ws.filter((w) => w.read).length;
    this.watchPages = [...pages];
    // Translated loads leave their region for the bytes from the first read watchpoint in RAM to the last.
    this.jit.setReadWatch(readLo, readHi);
  }

  /** The part in RAM of a watched range's bytes, copied. */
  private watchedBytes(w: WatchRange): Uint8Array {
    const start = Math.max(w.lo, this.ramBase), end = Math.min(w.hi, this.ramBase + this.ramSize);
    return start >= end ? new Uint8Array(0) : this.ram.u8.slice(start - this.ramBase, end - this.ramBase);
  }

  /**
   * 'change' watchpoints take the watched bytes as they are now for what a store must change
   * (a debugger calls it where it takes its own copy: RAM changed while the hart was not
   * watching, a snapshot was restored).
   */
  refreshWatchBytes(): void {
    for (const w of this.watches) if (w.bytes !== undefined) w.bytes = this.watchedBytes(w);
  }

  /** A 'change' watchpoint's bytes differ from its copy: the copy takes them. Outside RAM: always. */
  private watchChanged(w: WatchRange): boolean {
    const copy = w.bytes!;
    const start = Math.max(w.lo, this.ramBase);
    if (start >= Math.min(w.hi, this.ramBase + this.ramSize)) return true; // MMIO: nothing to compare
    const u8 = this.ram.u8;
    const off = start - this.ramBase;
    for (let i = 0; i < copy.length; i++) {
      if (u8[off + i] !== copy[i]) { w.bytes = u8.slice(off, off + copy.length); return true; }
    }
    return false;
  }

  /** The first access of the last Exit.WATCHPOINT (see watchHits). */
  get watchHit(): WatchHit | undefined {
    return this.watchHits[0];
  }

  /** A load of [addr, addr+size) by the current instruction: records it if it reads a watched range. */
  private noteRead(addr: number, size: number): boolean {
    const lo = addr >>> 0, hi = lo + size;
    for (const w of this.watches) {
      if (w.read && lo < w.hi && w.lo < hi) {
        this.watchHits.push({ addr: lo, size, kind: 'read', pc: -1, icount: -1 });
        this.watchPending = true;
        return true;
      }
    }
    return false;
  }

  /** A write of [addr, addr+size) during the current instruction (any path: see Ram.onWatchedWrite). */
  private noteWrite(addr: number, size: number): void {
    const lo = addr >>> 0, hi = lo + size;
    let hit = false;
    for (const w of this.watches) {
      // (Every 'change' range written is compared, so that each keeps its copy up to date.)
      if (w.write && lo < w.hi && w.lo < hi && (w.bytes === undefined || this.watchChanged(w))) hit = true;
    }
    if (!hit) return;
    // Writes of one call to the semihosting come page by page: one entry for contiguous ones.
    const last = this.watchHits[this.watchHits.length - 1];
    if (last !== undefined && last.kind === 'write' && last.pc === -1 && last.addr + last.size === lo) last.size += size;
    else this.watchHits.push({ addr: lo, size, kind: 'write', pc: -1, icount: -1 });
    this.watchPending = true;
    this.jitStale = true; // a translated store leaves its region right after (see runJit)
  }

  /** A write outside RAM (MMIO): RAM writes reach noteWrite through Ram.touch. */
  private noteWriteOutside(addr: number, size: number): void {
    if (this.watchArmed && !this.bus.inRam(addr, size)) this.noteWrite(addr, size);
  }

  /** The hits recorded for the instruction at (pc, icount) are complete: what execute returns. */
  private watchStop(pc: number, icount: number): Exit {
    for (const h of this.watchHits) if (h.pc === -1) { h.pc = pc >>> 0; h.icount = icount; }
    this.watchPending = false;
    return Exit.WATCHPOINT;
  }

  // ---- interrupts and traps -------------------------------------------------------------

  get mip(): number {
    return this.irqLines;
  }

  /** The interrupt that would be taken now, or -1. */
  pendingInterrupt(): number {
    const pending = this.irqLines & this.mie;
    if (pending === 0) return -1;
    if (this.priv === PRIV_M && (this.mstatus & MSTATUS_MIE) === 0) return -1;
    // Priority order of the privileged spec: MEI, MSI, MTI.
    if (pending & (1 << IRQ_MEI)) return IRQ_MEI;
    if (pending & (1 << IRQ_MSI)) return IRQ_MSI;
    if (pending & (1 << IRQ_MTI)) return IRQ_MTI;
    return -1;
  }

  /** True when some enabled-in-mie interrupt is pending (what ends a wfi, regardless of mstatus.MIE). */
  wakeable(): boolean {
    return (this.irqLines & this.mie) !== 0;
  }

  takeTrap(cause: number, tval: number, interrupt: boolean): void {
    this.mepc = this.pc;
    this.mcause = (interrupt ? (0x80000000 | cause) : cause) >>> 0;
    this.mtval = tval >>> 0;
    const mie = (this.mstatus & MSTATUS_MIE) !== 0;
    this.mstatus = (this.mstatus & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP)) | (mie ? MSTATUS_MPIE : 0) | (this.priv << MSTATUS_MPP_SHIFT);
    this.priv = PRIV_M;
    const base = this.mtvec & ~3;
    this.pc = (interrupt && (this.mtvec & 3) === 1 ? base + 4 * cause : base) >>> 0;
    this.waiting = false;
  }

  private raise(cause: number, tval: number): never {
    this.trapCause = cause;
    this.trapTval = tval >>> 0;
    throw TRAP;
  }

  // ---- CSRs ------------------------------------------------------------------------------

  private csrRead(n: number): number {
    if (this.priv < ((n >>> 8) & 3)) this.illegalHere(); // CSR needs a higher privilege
    if (this.priv === PRIV_U && n >= CSR.cycle && n <= 0xc9f && ((this.mcounteren >>> (n & 31)) & 1) === 0) this.illegalHere();
    switch (n) {
      case CSR.mstatus: return this.mstatus;
      case CSR.misa: return MISA_VALUE | 0;
      case CSR.mie: return this.mie;
      case CSR.mip: return this.mip;
      case CSR.mtvec: return this.mtvec;
      case CSR.mscratch: return this.mscratch;
      case CSR.mepc: return this.mepc;
      case CSR.mcause: return this.mcause;
      case CSR.mtval: return this.mtval;
      case CSR.mcounteren: return this.mcounteren;
      case CSR.mcountinhibit: return this.mcountinhibit;
      case CSR.mstatush: return 0;
      // Counter reads include the reading instruction itself, as QEMU's -icount does: the same
      // program prints the same instret on both (checked by the differential tests).
      case CSR.mcycle: case CSR.cycle: return lo32(this.icount + 1 + this.cycleOffset);
      case CSR.mcycleh: case CSR.cycleh: return hi32(this.icount + 1 + this.cycleOffset);
      case CSR.minstret: case CSR.instret: return lo32(this.icount + 1 + this.instretOffset);
      case CSR.minstreth: case CSR.instreth: return hi32(this.icount + 1 + this.instretOffset);
      case CSR.time: return lo32(this.platform.readTime());
      case CSR.timeh: return hi32(this.platform.readTime());
      case CSR.mvendorid: case CSR.marchid: case CSR.mimpid: case CSR.mconfigptr: return 0;
      case CSR.mhartid: return this.hartId;
    }
    if (n >= CSR.pmpcfg0 && n < CSR.pmpcfg0 + 4) return this.pmpcfg[n - CSR.pmpcfg0];
    if (n >= CSR.pmpaddr0 && n < CSR.pmpaddr0 + 16) return this.pmpaddr[n - CSR.pmpaddr0];
    // Unimplemented hardware performance counters and their event selectors read as zero.
    if ((n >= 0xb03 && n <= 0xb1f) || (n >= 0xb83 && n <= 0xb9f) || (n >= 0xc03 && n <= 0xc1f)
      || (n >= 0xc83 && n <= 0xc9f) || (n >= 0x323 && n <= 0x33f)) return 0;
    return this.illegalHere();
  }

  private csrWrite(n: number, v: number): void {
    switch (n) {
      case CSR.mstatus: {
        // MPP is WARL over the implemented modes (M, U): the reserved S/H encodings become U.
        const mpp = (v & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
        this.mstatus = (v & MSTATUS_WRITABLE & ~MSTATUS_MPP) | ((mpp === PRIV_M ? PRIV_M : PRIV_U) << MSTATUS_MPP_SHIFT);
        return;
      }
      case CSR.misa: return; // WARL, fixed
      case CSR.mie: this.mie = v & MIE_WRITABLE; return;
      case CSR.mip: return; // MSIP/MTIP/MEIP are driven by the CLINT and interrupt controller
      case CSR.mtvec: if ((v & 3) < 2) this.mtvec = v; return; // modes 2 and 3 are reserved: ignored, as QEMU
      case CSR.mscratch: this.mscratch = v; return;
      case CSR.mepc: this.mepc = v & ~1; return;
      case CSR.mcause: this.mcause = v; return;
      case CSR.mtval: this.mtval = v; return;
      case CSR.mcounteren: this.mcounteren = v & 7; return;
      case CSR.mcountinhibit: this.mcountinhibit = v & 5; return;
      case CSR.mstatush: return;
      // A counter written by an instruction holds the written value for the next instruction: the
      // writing instruction's own increment is absorbed (hence the -1).
      case CSR.mcycle: this.cycleOffset = setLo(this.icount + 1 + this.cycleOffset, v) - this.icount - 1; return;
      case CSR.mcycleh: this.cycleOffset = setHi(this.icount + 1 + this.cycleOffset, v) - this.icount - 1; return;
      case CSR.minstret: this.instretOffset = setLo(this.icount + 1 + this.instretOffset, v) - this.icount - 1; return;
      case CSR.minstreth: this.instretOffset = setHi(this.icount + 1 + this.instretOffset, v) - this.icount - 1; return;
    }
    if (n >= CSR.pmpcfg0 && n < CSR.pmpcfg0 + 4) { this.pmpcfg[n - CSR.pmpcfg0] = v; return; }
    if (n >= CSR.pmpaddr0 && n < CSR.pmpaddr0 + 16) { this.pmpaddr[n - CSR.pmpaddr0] = v; return; }
    if ((n >= 0xb03 && n <= 0xb1f) || (n >= 0xb83 && n <= 0xb9f) || (n >= 0x323 && n <= 0x33f)) return;
    this.illegalHere();
  }

  // ---- memory slow paths -----------------------------------------------------------------

  // Misaligned accesses never trap (as QEMU): they are done byte by byte, so one that runs off
  // the end of RAM faults with mtval = the first byte nothing answers, and a store has already
  // written the bytes before it (QEMU does the same).
  private loadSlow(addr: number, size: number): number {
    if ((addr & (size - 1)) === 0) {
      const v = this.bus.read(addr, size);
      if (v === undefined) this.raise(Cause.LOAD_ACCESS_FAULT, addr);
      return v;
    }
    let v = 0;
    for (let i = 0; i < size; i++) {
      const b = this.bus.read(addr + i, 1);
      if (b === undefined) this.raise(Cause.LOAD_ACCESS_FAULT, addr + i);
      v |= b << (8 * i);
    }
    return v >>> 0;
  }

  private storeSlow(addr: number, size: number, value: number): void {
    if ((addr & (size - 1)) === 0) {
      if (!this.bus.write(addr, size, value)) this.raise(Cause.STORE_ACCESS_FAULT, addr);
      if (this.watchArmed) this.noteWriteOutside(addr, size);
      return;
    }
    // Byte by byte: watchpoints see one access, the whole store (or the bytes written before a fault).
    const armed = this.watchArmed;
    this.watchArmed = false;
    for (let i = 0; i < size; i++) {
      if (!this.bus.write(addr + i, 1, value >>> (8 * i))) {
        this.watchArmed = armed;
        if (armed && i > 0) this.noteWrite(addr, i);
        this.raise(Cause.STORE_ACCESS_FAULT, addr + i);
      }
    }
    this.watchArmed = armed;
    if (armed) this.noteWrite(addr, size);
  }

  /** Fetches and decodes outside the cache (ROM, MMIO, the last bytes of RAM). */
  private fetchSlow(pc: number): Decoded {
    const lo = this.bus.read(pc, 2);
    if (lo === undefined) this.raise(Cause.INSN_ACCESS_FAULT, pc);
    if (!isLong(lo)) return decode(lo);
    const hi = this.bus.read(pc + 2, 2);
    if (hi === undefined) this.raise(Cause.INSN_ACCESS_FAULT, pc + 2);
    return decode((lo | (hi << 16)) >>> 0);
  }

  /** Decodes the instruction at RAM offset `off` into its cache slot; returns the packed word. */
  private fill(pg: Int32Array, off: number): number {
    const u16 = this.ram.u16;
    const lo = u16[off >>> 1];
    let dec: Decoded;
    if (isLong(lo)) {
      if (off + 4 > this.ramSize) return 0; // straddles the end of RAM: slow path faults properly
      dec = decode((lo | (u16[(off + 2) >>> 1] << 16)) >>> 0);
      const nextPage = (off + 2) >>> PAGE_SHIFT;
      if (nextPage !== off >>> PAGE_SHIFT) this.ram.markCode(nextPage);
    } else {
      dec = decode(lo);
    }
    const w = VALID | dec.op | (dec.rd << 8) | (dec.rs1 << 13) | (dec.rs2 << 18) | (dec.len === 2 ? COMPRESSED : 0);
    const slot = off & 0xffe;
    pg[slot] = w;
    pg[slot + 1] = dec.op === Op.ILLEGAL ? dec.raw : dec.imm; // illegal: keep the bits for mtval
    return w;
  }

  // ---- execute: the JIT dispatcher -----------------------------------------------------------

  /** Runs until icount reaches `limit` or an event needs the machine. */
  execute(limit: number): Exit {
    this.lastTrapIcount = -1;
    this.trapStreak = 0;
    if (this.watchHits.length !== 0) this.watchHits = [];
    this.watchPending = false;
    this.watchArmed = this.watchOn && this.watches.length > 0;
    this.watchReading = this.watchArmed && this.watchReads > 0;
    try {
      return this.useJit ? this.runJit(limit) : this.interp(limit);
    } finally {
      this.watchArmed = false;
      this.watchReading = false;
    }
  }

  /**
   * Runs translated regions while the budget allows. The interpreter runs what they do not: an
   * instruction a region stopped at, pcs outside RAM, a block longer than the budget left (to the
   * limit, exactly). It returns to the machine exactly where the interpreter alone would: only on
   * the interpreter's own exits, or at the limit.
   */
  private runJit(limit: number): Exit {
    const jit = this.jit;
    // Stopping at breakpoints: translated code leaves before a flagged block (Jit.setBreakOff),
    // and such a block's first instruction goes to the interpreter, which checks the breakpoint.
    const breaking = this.breakOn && this.breakPcs.size > 0;
    for (let arrived = false; ; arrived = true) {
      const left = limit - this.icount;
      if (left <= 0) return Exit.LIMIT;
      const e = jit.entry(this.pc, arrived);
      if (e === undefined) {
        // Cold code (or outside RAM, or on a page kept from the JIT): a block in the interpreter.
        const ex = this.interp(limit, true);
        if (ex !== Exit.LIMIT) return ex;
        continue;
      }
      if (e.fn === null) {
        const ex = this.interp(this.icount + 1);
        if (ex !== Exit.LIMIT) return ex;
        continue;
      }
      if (breaking && e.region.flagged !== 0 && e.region.flags[e.label] !== 0) {
        const ex = this.interp(this.icount + 1);
        if (ex !== Exit.LIMIT) return ex;
        continue;
      }
      if (e.need > left) return this.interp(limit);
      const avail = left < JIT_BUDGET_CAP ? left : JIT_BUDGET_CAP;
      jit.stats.runs++;
      const r = e.fn(e.label, avail - e.need, breaking ? e.region.flags : NO_FLAGS);
      if (r >= 0) {
        this.icount += avail - r;
        // A store hit a watchpoint (through Ram.touch): the region left right after it.
        if (this.watchPending) return this.watchStop(this.storePc, this.icount - 1);
      } else {
        jit.stats.bails++;
        this.icount += avail + 1 + r;
        const ex = this.interp(this.icount + 1);
        if (ex !== Exit.LIMIT) return ex;
      }
    }
  }

  // ---- the interpreter -------------------------------------------------------------------

  /**
   * The interpreter: runs until icount reaches `limit` or an event needs the machine; with
   * `toJump`, also stops after the first branch or jump (the JIT runs cold code a block at a time).
   */
  private interp(limit: number, toJump = false): Exit {
    const x = this.x;
    const ram = this.ram;
    const u8 = ram.u8;
    const u16 = ram.u16;
    const i32 = ram.i32;
    const pageState = ram.pageState;
    const ramBase = this.ramBase;
    const ramSize = this.ramSize;
    const dcache = this.dcache;
    let pc = this.pc;
    let icount = this.icount;
    let exit = Exit.LIMIT;
    let pgNo = -1;
    let pg: Int32Array = EMPTY_PAGE;
    const breakOn = this.breakOn && this.breakPcs.size > 0;
    const breakCount = this.breakCount;
    // Watchpoints: loads check the page's flag when a read watchpoint is set; stores into a
    // flagged page always take the page-state branch (Ram.setWriteWatch), where touch() records
    // a hit (watchPending); then the instruction retires and the loop ends (Exit.WATCHPOINT).
    const watchReading = this.watchReading;
    const watchRead = this.watchRead;
    for (;;) {
      try {
        while (icount < limit) {
          if (breakOn) {
            // Before the instruction: also the first one of a trap handler (a trap loops back here).
            const o = (pc - ramBase) >>> 0;
            if ((o >= ramSize || breakCount[o >>> PAGE_SHIFT] !== 0) && this.breakPcs.has(pc | 0)
              && ((pc | 0) !== this.skipPc || icount !== this.skipIcount)) {
              exit = Exit.BREAKPOINT;
              break;
            }
          }
          let op: number, rd: number, rs1: number, rs2: number, imm: number, len: number;
          const off = (pc - ramBase) >>> 0;
          let w = 0;
          if (off < ramSize) {
            // Most instructions run from the same page as the previous one: skip the page lookup.
            if ((off >>> PAGE_SHIFT) !== pgNo) {
              pgNo = off >>> PAGE_SHIFT;
              let p = dcache[pgNo];
              if (p === undefined) {
                p = new Int32Array(4096);
                dcache[pgNo] = p;
                ram.markCode(pgNo);
              }
              pg = p;
            }
            w = pg[off & 0xffe];
            if (w === 0) w = this.fill(pg, off);
          }
          if (w !== 0) {
            op = w & 0xff;
            rd = (w >>> 8) & 31;
            rs1 = (w >>> 13) & 31;
            rs2 = (w >>> 18) & 31;
            len = w & COMPRESSED ? 2 : 4;
            imm = pg[(off & 0xffe) + 1];
          } else {
            const dd = this.fetchSlow(pc);
            op = dd.op; rd = dd.rd; rs1 = dd.rs1; rs2 = dd.rs2; len = dd.len;
            imm = dd.op === Op.ILLEGAL ? dd.raw : dd.imm;
          }
          let npc = (pc + len) >>> 0;
          switch (op) {
            case Op.LUI: x[rd] = imm; break;
            case Op.AUIPC: x[rd] = pc + imm; break;
            case Op.JAL: x[rd] = npc; npc = (pc + imm) >>> 0; if (toJump) limit = icount + 1; break;
            case Op.JALR: { const t = (x[rs1] + imm) & ~1; x[rd] = npc; npc = t >>> 0; if (toJump) limit = icount + 1; break; }
            case Op.BEQ: if (x[rs1] === x[rs2]) npc = (pc + imm) >>> 0; if (toJump) limit = icount + 1; break;
            case Op.BNE: if (x[rs1] !== x[rs2]) npc = (pc + imm) >>> 0; if (toJump) limit = icount + 1; break;
            case Op.BLT: if (x[rs1] < x[rs2]) npc = (pc + imm) >>> 0; if (toJump) limit = icount + 1; break;
            case Op.BGE: if (x[rs1] >= x[rs2]) npc = (pc + imm) >>> 0; if (toJump) limit = icount + 1; break;
            case Op.BLTU: if ((x[rs1] >>> 0) < (x[rs2] >>> 0)) npc = (pc + imm) >>> 0; if (toJump) limit = icount + 1; break;
            case Op.BGEU: if ((x[rs1] >>> 0) >= (x[rs2] >>> 0)) npc = (pc + imm) >>> 0; if (toJump) limit = icount + 1; break;
            case Op.LB: {
              const a = (x[rs1] + imm) | 0; const o = (a - ramBase) >>> 0;
              if (o < ramSize) {
                x[rd] = (u8[o] << 24) >> 24;
                if (watchReading && watchRead[o >>> PAGE_SHIFT] !== 0 && this.noteRead(a, 1)) { exit = this.watchStop(pc, icount); limit = icount + 1; }
              } else {
                this.pc = pc; this.icount = icount; x[rd] = (this.loadSlow(a, 1) << 24) >> 24; exit = Exit.EVENT; limit = icount + 1;
                if (watchReading && this.noteRead(a, 1)) exit = this.watchStop(pc, icount);
              }
              break;
            }
            case Op.LBU: {
              const a = (x[rs1] + imm) | 0; const o = (a - ramBase) >>> 0;
              if (o < ramSize) {
                x[rd] = u8[o];
                if (watchReading && watchRead[o >>> PAGE_SHIFT] !== 0 && this.noteRead(a, 1)) { exit = this.watchStop(pc, icount); limit = icount + 1; }
              } else {
                this.pc = pc; this.icount = icount; x[rd] = this.loadSlow(a, 1); exit = Exit.EVENT; limit = icount + 1;
                if (watchReading && this.noteRead(a, 1)) exit = this.watchStop(pc, icount);
              }
              break;
            }
            case Op.LH: {
              const a = (x[rs1] + imm) | 0; const o = (a - ramBase) >>> 0;
              if (o < ramSize && (o & 1) === 0) {
                x[rd] = (u16[o >>> 1] << 16) >> 16;
                if (watchReading && watchRead[o >>> PAGE_SHIFT] !== 0 && this.noteRead(a, 2)) { exit = this.watchStop(pc, icount); limit = icount + 1; }
              } else {
                this.pc = pc; this.icount = icount; x[rd] = (this.loadSlow(a, 2) << 16) >> 16; exit = Exit.EVENT; limit = icount + 1;
                if (watchReading && this.noteRead(a, 2)) exit = this.watchStop(pc, icount);
              }
              break;
            }
            case Op.LHU: {
              const a = (x[rs1] + imm) | 0; const o = (a - ramBase) >>> 0;
              if (o < ramSize && (o & 1) === 0) {
                x[rd] = u16[o >>> 1];
                if (watchReading && watchRead[o >>> PAGE_SHIFT] !== 0 && this.noteRead(a, 2)) { exit = this.watchStop(pc, icount); limit = icount + 1; }
              } else {
                this.pc = pc; this.icount = icount; x[rd] = this.loadSlow(a, 2); exit = Exit.EVENT; limit = icount + 1;
                if (watchReading && this.noteRead(a, 2)) exit = this.watchStop(pc, icount);
              }
              break;
            }
            case Op.LW: {
              const a = (x[rs1] + imm) | 0; const o = (a - ramBase) >>> 0;
              if (o < ramSize && (o & 3) === 0) {
                x[rd] = i32[o >>> 2];
                if (watchReading && watchRead[o >>> PAGE_SHIFT] !== 0 && this.noteRead(a, 4)) { exit = this.watchStop(pc, icount); limit = icount + 1; }
              } else {
                this.pc = pc; this.icount = icount; x[rd] = this.loadSlow(a, 4); exit = Exit.EVENT; limit = icount + 1;
                if (watchReading && this.noteRead(a, 4)) exit = this.watchStop(pc, icount);
              }
              break;
            }
            case Op.SB: {
              const a = (x[rs1] + imm) | 0; const o = (a - ramBase) >>> 0;
              if (o < ramSize) {
                u8[o] = x[rs2];
                if (pageState[o >>> PAGE_SHIFT] !== PAGE_DIRTY) {
                  ram.touch(o, 1);
                  if (this.watchPending) { exit = this.watchStop(pc, icount); limit = icount + 1; }
                }
              } else {
                this.pc = pc; this.icount = icount; this.storeSlow(a, 1, x[rs2]); exit = Exit.EVENT; limit = icount + 1;
                if (this.watchPending) exit = this.watchStop(pc, icount);
              }
              break;
            }
            case Op.SH: {
              const a = (x[rs1] + imm) | 0; const o = (a - ramBase) >>> 0;
              if (o < ramSize && (o & 1) === 0) {
                u16[o >>> 1] = x[rs2];
                if (pageState[o >>> PAGE_SHIFT] !== PAGE_DIRTY) {
                  ram.touch(o, 2);
                  if (this.watchPending) { exit = this.watchStop(pc, icount); limit = icount + 1; }
                }
              } else {
                this.pc = pc; this.icount = icount; this.storeSlow(a, 2, x[rs2]); exit = Exit.EVENT; limit = icount + 1;
                if (this.watchPending) exit = this.watchStop(pc, icount);
              }
              break;
            }
            case Op.SW: {
              const a = (x[rs1] + imm) | 0; const o = (a - ramBase) >>> 0;
              if (o < ramSize && (o & 3) === 0) {
                i32[o >>> 2] = x[rs2];
                if (pageState[o >>> PAGE_SHIFT] !== PAGE_DIRTY) {
                  ram.touch(o, 4);
                  if (this.watchPending) { exit = this.watchStop(pc, icount); limit = icount + 1; }
                }
              } else {
                this.pc = pc; this.icount = icount; this.storeSlow(a, 4, x[rs2]); exit = Exit.EVENT; limit = icount + 1;
                if (this.watchPending) exit = this.watchStop(pc, icount);
              }
              break;
            }
            case Op.ADDI: x[rd] = x[rs1] + imm; break;
            case Op.SLTI: x[rd] = x[rs1] < imm ? 1 : 0; break;
            case Op.SLTIU: x[rd] = (x[rs1] >>> 0) < (imm >>> 0) ? 1 : 0; break;
            case Op.XORI: x[rd] = x[rs1] ^ imm; break;
            case Op.ORI: x[rd] = x[rs1] | imm; break;
            case Op.ANDI: x[rd] = x[rs1] & imm; break;
            case Op.SLLI: x[rd] = x[rs1] << imm; break;
            case Op.SRLI: x[rd] = x[rs1] >>> imm; break;
            case Op.SRAI: x[rd] = x[rs1] >> imm; break;
            case Op.ADD: x[rd] = x[rs1] + x[rs2]; break;
            case Op.SUB: x[rd] = x[rs1] - x[rs2]; break;
            case Op.SLL: x[rd] = x[rs1] << (x[rs2] & 31); break;
            case Op.SLT: x[rd] = x[rs1] < x[rs2] ? 1 : 0; break;
            case Op.SLTU: x[rd] = (x[rs1] >>> 0) < (x[rs2] >>> 0) ? 1 : 0; break;
            case Op.XOR: x[rd] = x[rs1] ^ x[rs2]; break;
            case Op.SRL: x[rd] = x[rs1] >>> (x[rs2] & 31); break;
            case Op.SRA: x[rd] = x[rs1] >> (x[rs2] & 31); break;
            case Op.OR: x[rd] = x[rs1] | x[rs2]; break;
            case Op.AND: x[rd] = x[rs1] & x[rs2]; break;
            case Op.MUL: x[rd] = Math.imul(x[rs1], x[rs2]); break;
            case Op.MULH: x[rd] = mulh(x[rs1], x[rs2]); break;
            case Op.MULHSU: x[rd] = mulhsu(x[rs1], x[rs2]); break;
            case Op.MULHU: x[rd] = mulhu(x[rs1], x[rs2]); break;
            case Op.DIV: {
              const a = x[rs1], b = x[rs2];
              x[rd] = b === 0 ? -1 : (a === -0x80000000 && b === -1) ? a : (a / b) | 0;
              break;
            }
            case Op.DIVU: {
              const a = x[rs1] >>> 0, b = x[rs2] >>> 0;
              x[rd] = b === 0 ? -1 : (a / b) >>> 0;
              break;
            }
            case Op.REM: {
              const a = x[rs1], b = x[rs2];
              x[rd] = b === 0 ? a : (a === -0x80000000 && b === -1) ? 0 : a % b;
              break;
            }
            case Op.REMU: {
              const a = x[rs1] >>> 0, b = x[rs2] >>> 0;
              x[rd] = b === 0 ? a : a % b;
              break;
            }
            case Op.FENCE: break;
            // Stores already drop decoded instructions of the pages they write, so fence.i has nothing left to do.
            case Op.FENCE_I: break;
            case Op.LR_W: case Op.SC_W: case Op.AMOSWAP_W: case Op.AMOADD_W: case Op.AMOXOR_W: case Op.AMOAND_W:
            case Op.AMOOR_W: case Op.AMOMIN_W: case Op.AMOMAX_W: case Op.AMOMINU_W: case Op.AMOMAXU_W:
              this.pc = pc; this.icount = icount;
              this.atomic(op, rd, x[rs1], x[rs2]);
              if (this.watchPending) { exit = this.watchStop(pc, icount); limit = icount + 1; }
              break;
            case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
              this.pc = pc; this.icount = icount;
              if (this.csrOp(op, rd, rs1, imm)) { exit = Exit.EVENT; limit = icount + 1; }
              break;
            case Op.ECALL: this.raise(Cause.ECALL_U + this.priv, 0); break;
            case Op.EBREAK: {
              this.pc = pc; this.icount = icount;
              if (len === 4 && this.platform.semihost !== undefined && this.isSemihostCall(pc)) {
                const r = this.platform.semihost(x[10], x[11]);
                if (r === SEMIHOST_WAIT) { exit = Exit.INPUT_WAIT; limit = icount; continue; }
                x[10] = r;
                exit = Exit.EVENT; limit = icount + 1;
                if (this.watchPending) exit = this.watchStop(pc, icount); // it wrote into a watched buffer
                break;
              }
              this.raise(Cause.BREAKPOINT, 0);
              break;
            }
            case Op.MRET: {
              if (this.priv !== PRIV_M) { this.pc = pc; this.illegalHere(); }
              const mpie = (this.mstatus & MSTATUS_MPIE) !== 0;
              const mpp = (this.mstatus & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
              // MIE <- MPIE, MPIE <- 1, MPP <- U (the least privileged mode); leaving M clears MPRV.
              this.mstatus = (this.mstatus & ~(MSTATUS_MIE | MSTATUS_MPP | (mpp !== PRIV_M ? MSTATUS_MPRV : 0))) | (mpie ? MSTATUS_MIE : 0) | MSTATUS_MPIE;
              this.priv = mpp;
              this.resAddr = -1;
              npc = this.mepc >>> 0;
              exit = Exit.EVENT; limit = icount + 1;
              break;
            }
            case Op.WFI:
              if (this.priv === PRIV_U && (this.mstatus & MSTATUS_TW)) { this.pc = pc; this.illegalHere(); }
              if ((this.irqLines & this.mie) === 0) { this.waiting = true; exit = Exit.WFI; limit = icount + 1; }
              break;
            default: // Op.ILLEGAL: imm holds the instruction bits
              this.raise(Cause.ILLEGAL_INSN, imm);
          }
          x[0] = 0;
          pc = npc;
          icount++;
        }
        break;
      } catch (e) {
        if (e !== TRAP) { this.pc = pc; this.icount = icount; throw e; }
        x[0] = 0;
        this.pc = pc;
        this.icount = icount;
        this.takeTrap(this.trapCause, this.trapTval, false);
        if (this.watchPending) {
          // It wrote watched bytes before faulting (a misaligned store running off RAM): stop at the handler.
          exit = this.watchStop(pc, icount);
          pc = this.pc;
          break;
        }
        pc = this.pc;
        if (icount === this.lastTrapIcount) {
          if (++this.trapStreak >= TRAP_LOOP_LIMIT) { exit = Exit.TRAP_LOOP; break; }
        } else {
          this.lastTrapIcount = icount;
          this.trapStreak = 1;
        }
        // Loads/stores that reached the slow path lowered the limit before faulting; a trap is
        // not an event the machine must see, but stopping here is harmless and keeps this simple.
      }
    }
    this.pc = pc;
    this.icount = icount;
    return exit;
  }

  /** Raw bits of the instruction at pc (for mtval of illegal CSR accesses). */
  private rawAt(pc: number): number {
    const lo = this.bus.read(pc, 2) ?? 0;
    if (!isLong(lo)) return lo;
    return (lo | ((this.bus.read(pc + 2, 2) ?? 0) << 16)) >>> 0;
  }

  private isSemihostCall(pc: number): boolean {
    // QEMU requires the three instructions to be uncompressed and reads them as words.
    return this.bus.read(pc - 4, 4) === SEMIHOST_PRE && this.bus.read(pc + 4, 4) === SEMIHOST_POST;
  }

  /** Executes a Zicsr instruction; returns true when it wrote a CSR (the machine must re-check interrupts). */
  private csrOp(op: number, rd: number, rs1: number, csr: number): boolean {
    const imm = op >= Op.CSRRWI;
    const src = imm ? rs1 : this.x[rs1];
    const kind = imm ? op - Op.CSRRWI : op - Op.CSRRW; // 0 write, 1 set, 2 clear
    const writes = kind === 0 || rs1 !== 0;
    if (writes && (csr >>> 10) === 3) this.illegalHere(); // read-only CSR
    // No CSR read has side effects here, so csrrw with rd=x0 may read too (it must still fault on a missing CSR).
    const old = this.csrRead(csr);
    if (writes) {
      const nv = kind === 0 ? src : kind === 1 ? old | src : old & ~src;
      this.csrWrite(csr, nv | 0);
    }
    if (rd !== 0) this.x[rd] = old;
    return writes;
  }

  /** Illegal instruction at this.pc, with its bits in mtval (read only now: traps are rare). */
  private illegalHere(): never {
    return this.raise(Cause.ILLEGAL_INSN, this.rawAt(this.pc));
  }

  private atomic(op: number, rd: number, addr: number, src: number): void {
    const x = this.x;
    const a = addr >>> 0;
    if (op === Op.SC_W) {
      // As QEMU: an SC whose address does not match the reservation fails without touching memory.
      if (this.resAddr !== a) { x[rd] = 1; this.resAddr = -1; return; }
      this.resAddr = -1;
      const cur = this.atomicLoad(a, Cause.STORE_MISALIGNED, Cause.STORE_ACCESS_FAULT);
      if (cur !== this.resValue) { x[rd] = 1; return; }
      this.atomicStore(a, src); // (its load above is not a read of the program's: no read hit)
      x[rd] = 0;
      return;
    }
    if (op === Op.LR_W) {
      const v = this.atomicLoad(a, Cause.LOAD_MISALIGNED, Cause.LOAD_ACCESS_FAULT);
      if (this.watchReading) this.noteRead(a, 4);
      this.resAddr = a;
      this.resValue = v;
      x[rd] = v;
      return;
    }
    const old = this.atomicLoad(a, Cause.STORE_MISALIGNED, Cause.STORE_ACCESS_FAULT);
    if (this.watchReading) this.noteRead(a, 4);
    let nv: number;
    switch (op) {
      case Op.AMOSWAP_W: nv = src; break;
      case Op.AMOADD_W: nv = (old + src) | 0; break;
      case Op.AMOXOR_W: nv = old ^ src; break;
      case Op.AMOAND_W: nv = old & src; break;
      case Op.AMOOR_W: nv = old | src; break;
      case Op.AMOMIN_W: nv = old < src ? old : src; break;
      case Op.AMOMAX_W: nv = old > src ? old : src; break;
      case Op.AMOMINU_W: nv = (old >>> 0) < (src >>> 0) ? old : src; break;
      default: nv = (old >>> 0) > (src >>> 0) ? old : src; break; // AMOMAXU_W
    }
    this.atomicStore(a, nv);
    x[rd] = old;
  }

  private atomicLoad(a: number, misaligned: number, fault: number): number {
    if (a & 3) this.raise(misaligned, a);
    const v = this.bus.read(a, 4);
    if (v === undefined) this.raise(fault, a);
    return v | 0;
  }

  private atomicStore(a: number, v: number): void {
    if (!this.bus.write(a, 4, v)) this.raise(Cause.STORE_ACCESS_FAULT, a);
    if (this.watchArmed) this.noteWriteOutside(a, 4);
  }

  // ---- state for snapshots and the debugger ------------------------------------------------

  save(): HartState {
    return {
      x: Array.from(this.x), pc: this.pc, priv: this.priv, icount: this.icount,
      mstatus: this.mstatus, mie: this.mie, mtvec: this.mtvec, mscratch: this.mscratch, mepc: this.mepc,
      mcause: this.mcause, mtval: this.mtval, mcounteren: this.mcounteren, mcountinhibit: this.mcountinhibit,
      cycleOffset: this.cycleOffset, instretOffset: this.instretOffset,
      pmpcfg: Array.from(this.pmpcfg), pmpaddr: Array.from(this.pmpaddr),
      resAddr: this.resAddr, resValue: this.resValue, waiting: this.waiting,
    };
  }

  restore(s: HartState): void {
    this.x.set(s.x); this.pc = s.pc; this.priv = s.priv; this.icount = s.icount;
    this.mstatus = s.mstatus; this.mie = s.mie; this.mtvec = s.mtvec; this.mscratch = s.mscratch; this.mepc = s.mepc;
    this.mcause = s.mcause; this.mtval = s.mtval; this.mcounteren = s.mcounteren; this.mcountinhibit = s.mcountinhibit;
    this.cycleOffset = s.cycleOffset; this.instretOffset = s.instretOffset;
    this.pmpcfg.set(s.pmpcfg); this.pmpaddr.set(s.pmpaddr);
    this.resAddr = s.resAddr; this.resValue = s.resValue; this.waiting = s.waiting;
  }
}

const TWO32 = 4294967296;
function lo32(v: number): number { return (v % TWO32) | 0; }
function hi32(v: number): number { return Math.floor(v / TWO32) | 0; }
function setLo(v: number, lo: number): number { return Math.floor(v / TWO32) * TWO32 + (lo >>> 0); }
function setHi(v: number, hi: number): number { return (hi >>> 0) * TWO32 + (v % TWO32); }
