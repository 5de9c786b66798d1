// The block JIT: translates guest code in RAM into JavaScript functions, one per *region*.
//
// A region is the code reachable from one entry pc by direct control flow (branches, jal, the
// return points after calls, the instruction after a CSR access...), up to MAX_REGION_INSNS
// instructions, cut into basic blocks. It compiles to one function whose guest registers live in
// JS locals and whose blocks are the cases of a `switch` inside a loop, so a guest loop runs as a
// JS loop without leaving the function. Every entry into a block is guarded by the instruction
// budget (`budget < n`: leave before the block), which is how execute(limit) stops at exactly
// `limit` retired instructions: the rest is single-stepped by the interpreter.
//
// What the JIT does not do, it hands to the interpreter, which is the reference: an instruction
// that can trap or that the machine must see (CSR, ecall, ebreak, mret, wfi, fence.i, atomics,
// illegal) ends its block and is run by the interpreter; a load or store that misses the RAM fast
// path (MMIO, misaligned, unmapped, or bytes a read watchpoint may cover) leaves the region
// *before* the access, with pc and icount at that instruction, and the interpreter runs it (and
// checks the watchpoints). So the JIT never raises a trap or talks to a device. A store into a
// page holding a write watchpoint is seen by Ram.touch (such a page is never PAGE_DIRTY), and
// the region leaves right after it.
//
// Security: the generated source contains only numbers (decoded fields, pcs, offsets, labels)
// and fixed text; guest bytes never become source text. `num()` checks every interpolated value.
import { Op } from '../isa/opcodes';
import { decode, isLong, type Decoded } from '../isa/decode';
import { type Ram, PAGE_SHIFT, PAGE_DIRTY } from '../mem/ram';
import { mulh, mulhu, mulhsu } from './arith';

/** Most instructions in one region (bounds the generated function's size). */
const MAX_REGION_INSNS = 512;
/** Most instructions in one basic block. */
const MAX_BLOCK_INSNS = 64;
/** Flags for runs that do not stop at breakpoints (all clear; longer than any region's labels). */
export const NO_FLAGS = new Uint8Array(1 << 16);
/** A pc is translated once the dispatcher has come to it this often (cold code stays interpreted). */
const HOT = 16;
/**
 * Compiled region functions kept by their source text: a region translated again with the same
 * source (a breakpoint set and lifted again while stepping, code dropped and restored) reuses the
 * function V8 has already optimized instead of warming a new one up from its interpreter.
 */
const COMPILED_KEEP = 1024;
/** A page whose translations were dropped this often by stores is left to the interpreter. */
const SMC_PAGE_LIMIT = 256;
const HALVES_PER_PAGE = 1 << (PAGE_SHIFT - 1);

/** What generated code needs of the hart. */
export interface JitHart {
  readonly x: Int32Array;
  pc: number;
  /**
   * Set when a store dropped translated code or hit a watchpoint; a region checks it after its
   * stores into pages not PAGE_DIRTY, and leaves after the store, setting storePc to its pc.
   */
  jitStale: boolean;
  storePc: number;
}

/**
 * A compiled region: runs from label `b` with `budget` instructions to spare (the entry's own
 * `need` already taken out); writes h.pc and returns the unused budget, or -1 - budget when it
 * stopped at a load or store the interpreter must run (at h.pc, not executed yet).
 */
/**
 * A translated region: runs from label `b` with `budget` instructions; `flags[label]` non-zero
 * makes it leave before that block (a breakpoint there, while the hart stops at breakpoints).
 */
export type RegionFn = (b: number, budget: number, flags: Uint8Array) => number;

export interface JitEntry {
  /** null: the instruction here is always run by the interpreter. */
  readonly fn: RegionFn | null;
  readonly label: number;
  /** Instructions from here to the end of the basic block: entering needs this much budget. */
  readonly need: number;
  readonly region: Region;
}

export class Region {
  dead = false;
  fn: RegionFn | null = null;
  /** RAM offsets of the entries this region registered. */
  readonly entryOffs: number[] = [];
  /** RAM offset and length of every instruction it covers (pairs). */
  readonly spans: number[] = [];
  /** The halfwords of those instructions when translated, in span order. */
  halves: Uint16Array = new Uint16Array(0);
  /** Pages its instructions touch. */
  readonly pages: number[] = [];
  /** It has translated loads, compiled for these read-watched bytes ("lo-hi", see Jit.setReadWatch). */
  loads: string | undefined;
  /** By label: a breakpoint at the start of that block (the region leaves before it; see RegionFn). */
  flags: Uint8Array = NO_FLAGS;
  /** How many flags are set. */
  flagged = 0;
  /** By label: 1 where the block starts with the flag test (its start was in splitOffs). */
  tested: Uint8Array = NO_FLAGS;
  /** The label of each block start (RAM offset); -1: an instruction the interpreter runs. */
  readonly blockAt = new Map<number, number>();
  constructor(readonly entryOff: number) {}
}

interface Insn { off: number; pc: number; d: Decoded }

interface Block {
  start: number;
  end: number;
  insns: Insn[];
  /** A single instruction the interpreter runs. */
  interp: boolean;
  terminated: boolean;
  label: number;
}

const enum Kind { PLAIN, BRANCH, JAL, JALR, INTERP }

function kindOf(op: Op): Kind {
  switch (op) {
    case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU: return Kind.BRANCH;
    case Op.JAL: return Kind.JAL;
    case Op.JALR: return Kind.JALR;
    case Op.ILLEGAL: case Op.FENCE_I: case Op.ECALL: case Op.EBREAK: case Op.MRET: case Op.WFI:
    case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
    case Op.LR_W: case Op.SC_W: case Op.AMOSWAP_W: case Op.AMOADD_W: case Op.AMOXOR_W: case Op.AMOAND_W:
    case Op.AMOOR_W: case Op.AMOMIN_W: case Op.AMOMAX_W: case Op.AMOMINU_W: case Op.AMOMAXU_W:
      return Kind.INTERP;
    default: return Kind.PLAIN;
  }
}

const isLoad = (op: Op): boolean => op === Op.LB || op === Op.LH || op === Op.LW || op === Op.LBU || op === Op.LHU;
const isStore = (op: Op): boolean => op === Op.SB || op === Op.SH || op === Op.SW;

/** A number for generated source: must be a safe integer (the only values spliced into code). */
function num(v: number): string {
  if (!Number.isSafeInteger(v)) throw new Error(`jit: not an integer: ${v}`);
  return String(v);
}
const reg = (r: number): string => (r === 0 ? '0' : `r${num(r & 31)}`);

export class Jit {
  private readonly ram: Ram;
  private readonly ramBase: number;
  private readonly ramSize: number;
  private readonly pages: number;
  /** Entries per RAM page, indexed by halfword. */
  private tables: (JitEntry[] | undefined)[];
  /** How often the dispatcher came to each halfword (untranslated), per page. */
  private heat: (Uint8Array | undefined)[];
  /** How many live regions cover each halfword, per page. */
  private cover: (Uint16Array | undefined)[];
  /** Live regions touching each page. */
  private regionsOn: (Set<Region> | undefined)[];
  /** Pages the JIT must not translate (Hart.setPageNoJit), or that self-modify too often. */
  readonly noJit: Uint8Array;
  /**
   * RAM offsets of breakpoints (the hart's, see Hart.setBreakpoints). Each starts a basic block
   * that begins with a test of its flag (Region.flags): set, translated code leaves the region
   * before the block, and the dispatcher has the interpreter run that instruction, which checks
   * the breakpoint. Setting or lifting one flips a flag: the code V8 has optimized keeps running.
   */
  private readonly breakOffs = new Set<number>();
  /**
   * Every RAM offset that has had a breakpoint, and (under a debugger) every pc where the source
   * line changes: block starts with the flag test, so that a breakpoint set there (stepping sets
   * and lifts the same ones over and over) needs no translation. Code with none (any program run
   * without a debugger, a hot loop within one line) has no test at all.
   */
  private readonly splitOffs = new Set<number>();
  /**
   * RAM bytes [readLo, readHi) span every read watchpoint (the hart's, see Hart.setWatchpoints;
   * empty when readLo >= readHi): translated loads that touch them leave the region before the
   * access. (A store into a page holding a write watchpoint goes through Ram.touch, which records
   * the hit, and the region leaves after it, as after a store into its own code.)
   */
  private readLo = 0;
  private readHi = 0;
  private readonly smcCount: Uint16Array;
  /** The dispatcher translates a pc once it came there this often (tests lower it to 1). */
  hotAfter = HOT;
  /** Translate everything reachable from an entry, not only code that has run (tests). */
  exploreAll = false;
  /** Counters for tests and docs/performance.md. */
  stats = {
    /** Regions compiled, and the instructions in them. */
    regions: 0, insns: 0,
    /** Regions dropped (stores into their code, flagged pages). */
    invalidated: 0,
    /** Region calls, and how many stopped at a load or store for the interpreter. */
    runs: 0, bails: 0,
    /** Regions that reused a function compiled before from the same source (see COMPILED_KEEP). */
    reused: 0,
  };
  /** Region functions by source text (oldest first; see COMPILED_KEEP). */
  private compiled = new Map<string, RegionFn>();

  constructor(private readonly h: JitHart, ram: Ram) {
    this.ram = ram;
    this.ramBase = ram.base;
    this.ramSize = ram.size;
    this.pages = ram.size >>> PAGE_SHIFT;
    this.tables = new Array(this.pages);
    this.heat = new Array(this.pages);
    this.cover = new Array(this.pages);
    this.regionsOn = new Array(this.pages);
    this.noJit = new Uint8Array(this.pages);
    this.smcCount = new Uint16Array(this.pages);
  }

  /**
   * The entry for `pc`, compiling a region there once it is hot; undefined: interpret from this
   * pc. `arrived` false: a run starts here. A run that starts inside a translated block (a
   * position a debugger seeks or single-steps to) is not counted as a visit: counting those
   * would translate a new region at each such pc a time-travel walk often starts from, code V8
   * then runs cold (slowly, for milliseconds) while the region already there is hot. The
   * interpreter runs to the end of the block instead.
   */
  entry(pc: number, arrived = true): JitEntry | undefined {
    const off = (pc - this.ramBase) >>> 0;
    if (off >= this.ramSize) return undefined;
    const page = off >>> PAGE_SHIFT;
    const slot = (off >>> 1) & (HALVES_PER_PAGE - 1);
    const t = this.tables[page];
    if (t !== undefined) {
      const e = t[slot];
      if (e !== undefined) return e;
    }
    if (!arrived && (this.cover[page]?.[slot] ?? 0) > 0) return undefined;
    let h = this.heat[page];
    if (h === undefined) { h = new Uint8Array(HALVES_PER_PAGE); this.heat[page] = h; }
    if (h[slot] < 255) h[slot]++;
    if (h[slot] < this.hotAfter) return undefined;
    return this.compile(off);
  }

  /** Drops everything (RAM replaced wholesale). */
  flush(): void {
    this.tables = new Array(this.pages);
    this.heat = new Array(this.pages);
    this.cover = new Array(this.pages);
    this.regionsOn = new Array(this.pages);
    this.smcCount.fill(0);
    this.compiled = new Map(); // they close over RAM's arrays
    this.h.jitStale = true;
  }

  /** Marks a page as never to be translated (or lifts that), dropping its translations. */
  setNoJit(page: number, on: boolean): void {
    this.noJit[page] = on ? 1 : 0;
    if (on) this.dropPage(page);
  }

  /**
   * Sets the RAM bytes [lo, hi) that translated loads must not touch (the span of the read
   * watchpoints; lo >= hi: none). The bounds are compiled into the code as constants: a load
   * costs one more subtract and compare while some are set, nothing when none are (a test of a
   * per-page flag array instead made a load-heavy loop 1.5x slower, even with no watchpoint).
   * Regions with loads translated for other bounds are dropped (retranslated when next run).
   */
  setReadWatch(lo: number, hi: number): void {
    if (lo >= hi) lo = hi = 0;
    if (lo === this.readLo && hi === this.readHi) return;
    this.readLo = lo;
    this.readHi = hi;
    const key = `${lo}-${hi}`;
    for (const set of this.regionsOn) {
      if (set === undefined) continue;
      for (const r of [...set]) if (r.loads !== undefined && r.loads !== key) this.drop(r);
    }
  }

  /**
   * Sets or lifts a breakpoint at RAM offset `off`. A region where it starts a block gets that
   * block's flag changed; a region holding it mid-block is dropped when it is set (translated
   * again, the instruction starts a block).
   */
  setBreakOff(off: number, on: boolean): void {
    if (on) { this.breakOffs.add(off); this.splitOffs.add(off); } else this.breakOffs.delete(off);
    const set = this.regionsOn[off >>> PAGE_SHIFT];
    if (set === undefined) return;
    for (const r of [...set]) {
      const label = r.blockAt.get(off);
      if (label === undefined || label < 0) continue;
      if (r.tested[label] === 0) {
        if (on) this.drop(r); // translated again, the block starts with the test
      } else if (r.flags[label] !== (on ? 1 : 0)) {
        r.flags[label] = on ? 1 : 0;
        r.flagged += on ? 1 : -1;
      }
    }
    if (on) this.dropMidBlock(off);
  }

  /**
   * Makes these RAM offsets block starts, like those of breakpoints (see splitOffs): a debugger
   * gives the addresses where the source line changes, where its stepping sets breakpoints.
   * Regions holding one mid-block are dropped.
   */
  addBlockStarts(offs: Iterable<number>): void {
    for (const off of offs) {
      if (off < 0 || off >= this.ramSize || this.splitOffs.has(off)) continue;
      this.splitOffs.add(off);
      this.dropMidBlock(off);
    }
  }

  /** Drops the regions that hold the instruction at `off` inside a block (not at a block start). */
  private dropMidBlock(off: number): void {
    const set = this.regionsOn[off >>> PAGE_SHIFT];
    if (set === undefined) return;
    for (const r of [...set]) {
      if (r.blockAt.has(off)) continue;
      const sp = r.spans;
      for (let i = 0; i < sp.length; i += 2) {
        if (off >= sp[i] && off < sp[i] + sp[i + 1]) { this.drop(r); break; }
      }
    }
  }

  /** The region function for a source text: the one compiled before, or a new one. */
  private functionFor(src: string): RegionFn {
    let fn = this.compiled.get(src);
    if (fn === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const factory = new Function('h', 'x', 'u8', 'u16', 'i32', 'ps', 'ram', 'mulh', 'mulhu', 'mulhsu', src) as (...a: unknown[]) => RegionFn;
      const ram = this.ram;
      fn = factory(this.h, this.h.x, ram.u8, ram.u16, ram.i32, ram.pageState, ram, mulh, mulhu, mulhsu);
      if (this.compiled.size >= COMPILED_KEEP) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(src, fn);
    } else {
      this.stats.reused++;
    }
    return fn;
  }

  /**
   * Drops every region with an instruction in RAM bytes [off, off+size) that changed. (Stores
   * of the same bytes, and snapshot restores of pages whose code is the same, keep them: V8
   * would have to warm new ones up again.)
   */
  invalidate(off: number, size: number): void {
    const end = off + size;
    let hit = false;
    for (let s = off & ~1; s < end; s += 2) {
      const c = this.cover[s >>> PAGE_SHIFT];
      if (c !== undefined && c[(s >>> 1) & (HALVES_PER_PAGE - 1)] !== 0) { hit = true; break; }
    }
    if (!hit) return;
    const u16 = this.ram.u16;
    const first = off >>> PAGE_SHIFT, last = (end - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) {
      const set = this.regionsOn[p];
      if (set === undefined) continue;
      let dropped = false;
      for (const r of [...set]) {
        const sp = r.spans, hv = r.halves;
        let changed = false;
        for (let i = 0, h = 0; i < sp.length && !changed; h += sp[i + 1] >>> 1, i += 2) {
          if (sp[i] >= end || off >= sp[i] + sp[i + 1]) continue;
          for (let k = 0; k < sp[i + 1] >>> 1; k++) {
            if (u16[(sp[i] >>> 1) + k] !== hv[h + k]) { changed = true; break; }
          }
        }
        if (changed) { this.drop(r); dropped = true; }
      }
      if (dropped && ++this.smcCount[p] >= SMC_PAGE_LIMIT) this.setNoJit(p, true);
    }
  }

  private dropPage(page: number): void {
    const set = this.regionsOn[page];
    if (set !== undefined) for (const r of [...set]) this.drop(r);
  }

  private drop(r: Region): void {
    if (r.dead) return;
    r.dead = true;
    this.stats.invalidated++;
    this.h.jitStale = true;
    for (const off of r.entryOffs) {
      const t = this.tables[off >>> PAGE_SHIFT]!;
      const i = (off >>> 1) & (HALVES_PER_PAGE - 1);
      if (t[i] !== undefined && t[i].region === r) t[i] = undefined as unknown as JitEntry;
    }
    const sp = r.spans;
    for (let i = 0; i < sp.length; i += 2) {
      for (let s = sp[i]; s < sp[i] + sp[i + 1]; s += 2) this.cover[s >>> PAGE_SHIFT]![(s >>> 1) & (HALVES_PER_PAGE - 1)]--;
    }
    for (const p of r.pages) this.regionsOn[p]?.delete(r);
  }

  // ---- translation -------------------------------------------------------------------------

  /** Decodes the instruction at RAM offset `off`, or undefined when it must be interpreted (page flagged, end of RAM). */
  private decodeAt(off: number): Decoded | undefined {
    if (off >= this.ramSize || this.noJit[off >>> PAGE_SHIFT]) return undefined;
    const u16 = this.ram.u16;
    const lo = u16[off >>> 1];
    if (!isLong(lo)) return decode(lo);
    if (off + 4 > this.ramSize || this.noJit[(off + 2) >>> PAGE_SHIFT]) return undefined;
    return decode((lo | (u16[(off + 2) >>> 1] << 16)) >>> 0);
  }

  private compile(entryOff: number): JitEntry | undefined {
    if (this.decodeAt(entryOff) === undefined) return undefined;
    const ramBase = this.ramBase, ramSize = this.ramSize;
    // 1. Explore: decode what direct control flow reaches from the entry.
    const insns = new Map<number, Insn>();
    const leaders = new Set<number>();
    const work = [entryOff];
    // Only into code that has run (the dispatcher came there): code that has not run would be
    // compiled by V8 without type feedback and deoptimize when it first runs.
    const heat = this.heat;
    const ran = (o: number): boolean => this.exploreAll || (heat[o >>> PAGE_SHIFT]?.[(o >>> 1) & (HALVES_PER_PAGE - 1)] ?? 0) > 0;
    const push = (pc: number): void => {
      const o = (pc - ramBase) >>> 0;
      if (o < ramSize && ran(o)) work.push(o);
    };
    while (work.length > 0 && insns.size < MAX_REGION_INSNS) {
      let off = work.pop()!;
      leaders.add(off);
      while (insns.size < MAX_REGION_INSNS && !insns.has(off)) {
        const d = this.decodeAt(off);
        if (d === undefined) break;
        const pc = (ramBase + off) >>> 0;
        insns.set(off, { off, pc, d });
        const next = off + d.len;
        const kind = kindOf(d.op);
        if (kind === Kind.PLAIN) { off = next; continue; }
        if (kind === Kind.BRANCH) {
          push(pc + d.imm);
          if (!ran(next)) break;
          leaders.add(next); off = next; continue;
        }
        if (kind === Kind.JAL) push(pc + d.imm);
        // Return points after calls, and the instruction after one the interpreter runs.
        if ((kind !== Kind.INTERP && d.rd !== 0) || (kind === Kind.INTERP && d.op !== Op.MRET && d.op !== Op.ILLEGAL)) {
          if (next < ramSize && ran(next)) work.push(next);
        }
        break;
      }
    }
    // 2. Cut into basic blocks, in address order.
    const offs = [...insns.keys()].sort((a, b) => a - b);
    const blocks: Block[] = [];
    let cur: Block | undefined;
    for (const off of offs) {
      const ins = insns.get(off)!;
      const interp = kindOf(ins.d.op) === Kind.INTERP;
      if (cur === undefined || interp || cur.interp || cur.terminated || cur.end !== off || leaders.has(off) || this.splitOffs.has(off) || cur.insns.length >= MAX_BLOCK_INSNS) {
        cur = { start: off, end: off, insns: [], interp, terminated: false, label: -1 };
        blocks.push(cur);
      }
      cur.insns.push(ins);
      cur.end = off + ins.d.len;
      cur.terminated = kindOf(ins.d.op) !== Kind.PLAIN;
    }
    const byStart = new Map<number, Block>();
    for (const b of blocks) byStart.set(b.start, b);
    // Labels: block tops and resume points (after loads/stores that may leave the region).
    let nextLabel = 0;
    const region = new Region(entryOff);
    const entries: { off: number; label: number; need: number }[] = [];
    for (const b of blocks) {
      if (b.interp) { entries.push({ off: b.start, label: -1, need: 1 }); continue; }
      b.label = nextLabel++;
      entries.push({ off: b.start, label: b.label, need: b.insns.length });
    }
    // Return points (and the entry) are where an indirect jump may land inside the region.
    const returnPoints: Block[] = [];
    const entryBlock = byStart.get(entryOff);
    if (entryBlock && !entryBlock.interp) returnPoints.push(entryBlock);
    for (const ins of insns.values()) {
      const k = kindOf(ins.d.op);
      if ((k === Kind.JAL || k === Kind.JALR) && ins.d.rd !== 0) {
        const rb = byStart.get(ins.off + ins.d.len);
        if (rb && !rb.interp && !returnPoints.includes(rb)) returnPoints.push(rb);
      }
    }
    // 3. Generate.
    const gen = new Gen(ramBase, ramSize, byStart, returnPoints, this.readLo, this.readHi);
    const body: string[] = [];
    const jitBlocks = blocks.filter((b) => !b.interp);
    const tested: number[] = []; // labels of the blocks that start with their flag test
    // Where the interpreter hands back after a load or store a region left it: a label in the
    // middle of the block. Not in a loop block (isSelfLoop): its JS loop cannot be entered in
    // the middle, and a copy of its tail would be code that V8 optimizes without ever having
    // run it (no type feedback), which deoptimizes the whole region the first time it runs;
    // that cost milliseconds each time a time-travel walk started a run right after a loop's
    // store. There every position after the first is an entry the interpreter runs (label -1):
    // at most 31 instructions, then the loop is entered at its top.
    const resume = (b: Block, k: number, n: number, into: string[]): boolean => {
      const ins = b.insns[k];
      if (!(isLoad(ins.d.op) || isStore(ins.d.op)) || k >= n - 1) return false;
      const label = nextLabel++;
      into.push(`case ${num(label)}:`);
      entries.push({ off: ins.off + ins.d.len, label, need: n - k - 1 });
      return true;
    };
    jitBlocks.forEach((b, i) => {
      body.push(`case ${num(b.label)}:`);
      const n = b.insns.length;
      // A block that may get a breakpoint (see splitOffs) starts with its flag test (see
      // RegionFn): leave before the block, its budget (taken on the way in) given back on the way
      // out. Only constants in there: V8 has no type feedback for this path until a flag is set,
      // and an operation without feedback would deoptimize the region.
      const flagged = this.splitOffs.has(b.start) ? `if (f[${num(b.label)}] !== 0) { fx = ${num(n)}; pc = ${num(b.insns[0].pc | 0)}; break L; }` : '';
      if (flagged !== '') { tested.push(b.label); body.push(flagged); }
      const next = jitBlocks[i + 1];
      if (gen.isSelfLoop(b)) {
        // A block that branches to itself becomes a JS loop: no trip through the switch.
        body.push('for (;;) {');
        if (flagged !== '') body.push(flagged);
        for (let k = 0; k < n; k++) body.push(gen.insn(b, k, next, true));
        body.push('}');
        body.push(gen.fallEdge(b, next));
        for (let k = 1; k < n; k++) entries.push({ off: b.insns[k].off, label: -1, need: 1 });
        return;
      }
      for (let k = 0; k < n; k++) {
        body.push(gen.insn(b, k, next, false));
        resume(b, k, n, body);
      }
    });
    let fn: RegionFn | null = null;
    if (jitBlocks.length > 0) {
      const used = [...gen.used].sort((a, b) => a - b);
      const written = [...gen.written].sort((a, b) => a - b);
      const source = (lines: string[]): string => [
        '"use strict";',
        'return function region(b, budget, f) {',
        used.length > 0 ? `let ${used.map((r) => `r${num(r)} = x[${num(r)}]`).join(', ')};` : '',
        'let o = 0, t = 0, pc = 0, bail = 0, fx = 0;',
        'L: for (;;) {',
        'switch (b) {',
        ...lines,
        'default: throw new Error("jit: bad label " + b);',
        '}',
        '}',
        ...written.map((r) => `x[${num(r)}] = r${num(r)};`),
        'h.pc = pc >>> 0;',
        'return bail === 0 ? budget + fx : -1 - budget;',
        '};',
      ].join('\n');
      fn = this.functionFor(source(body));
    }
    region.fn = fn;
    region.flags = new Uint8Array(Math.max(nextLabel, 1));
    region.tested = new Uint8Array(Math.max(nextLabel, 1));
    for (const l of tested) region.tested[l] = 1;
    for (const b of blocks) {
      region.blockAt.set(b.start, b.interp ? -1 : b.label);
      if (!b.interp && region.tested[b.label] !== 0 && this.breakOffs.has(b.start)) { region.flags[b.label] = 1; region.flagged++; }
    }
    if (gen.hasLoads) region.loads = `${this.readLo}-${this.readHi}`;
    // 4. Register: entries, coverage, code pages.
    const pages = new Set<number>();
    const halves: number[] = [];
    for (const ins of insns.values()) {
      region.spans.push(ins.off, ins.d.len);
      for (let s = ins.off; s < ins.off + ins.d.len; s += 2) halves.push(this.ram.u16[s >>> 1]);
      for (let s = ins.off; s < ins.off + ins.d.len; s += 2) {
        const p = s >>> PAGE_SHIFT;
        let c = this.cover[p];
        if (c === undefined) { c = new Uint16Array(HALVES_PER_PAGE); this.cover[p] = c; }
        c[(s >>> 1) & (HALVES_PER_PAGE - 1)]++;
        pages.add(p);
      }
    }
    region.halves = Uint16Array.from(halves);
    for (const p of pages) {
      region.pages.push(p);
      let set = this.regionsOn[p];
      if (set === undefined) { set = new Set(); this.regionsOn[p] = set; }
      set.add(region);
      this.ram.markCode(p); // stores into these pages now reach invalidate()
    }
    let result: JitEntry | undefined;
    for (const en of entries) {
      const e: JitEntry = { fn: en.label < 0 ? null : fn, label: en.label < 0 ? 0 : en.label, need: en.need, region };
      const p = en.off >>> PAGE_SHIFT;
      let t = this.tables[p];
      if (t === undefined) { t = new Array(HALVES_PER_PAGE); this.tables[p] = t; }
      t[(en.off >>> 1) & (HALVES_PER_PAGE - 1)] = e;
      region.entryOffs.push(en.off);
      if (en.off === entryOff) result = e;
    }
    this.stats.regions++;
    this.stats.insns += insns.size;
    return result;
  }
}

/** Source text for single instructions and edges of one region. */
class Gen {
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  /** It emitted a load (see Region.loads). */
  hasLoads = false;
  private readonly pow2: boolean;

  constructor(private readonly ramBase: number, private readonly ramSize: number,
    private readonly byStart: Map<number, Block>, private readonly returnPoints: Block[],
    private readonly readLo: number, private readonly readHi: number) {
    this.pow2 = (ramSize & (ramSize - 1)) === 0;
  }

  private r(i: number): string {
    if (i !== 0) this.used.add(i);
    return reg(i);
  }

  private w(i: number, expr: string): string {
    if (i === 0) return '';
    this.used.add(i);
    this.written.add(i);
    return `r${num(i)} = ${expr};`;
  }

  /**
   * Control passes to guest address `target`: the budget check and a jump to its block, or leave
   * the region. `next` is the block emitted after this one (fall into it); `loop` is the block
   * whose JS loop we are in (jump to it with `continue`).
   */
  private edge(target: number, next: Block | undefined, loop?: Block): string {
    const t = target | 0;
    const off = (target - this.ramBase) >>> 0;
    const b = off < this.ramSize ? this.byStart.get(off) : undefined;
    if (b === undefined || b.interp) return `pc = ${num(t)}; break L;`;
    const n = b.insns.length;
    const check = `if (budget < ${num(n)}) { pc = ${num(t)}; break L; } budget -= ${num(n)};`;
    if (b === loop) return `${check} continue;`;
    return b === next ? check : `${check} b = ${num(b.label)}; continue L;`;
  }

  /** The block ends in a branch or jump to itself (and is short: the interpreter runs the rest of it when entered mid-way). */
  isSelfLoop(b: Block): boolean {
    const last = b.insns[b.insns.length - 1];
    const k = kindOf(last.d.op);
    return b.insns.length <= 32 && (k === Kind.BRANCH || k === Kind.JAL) && ((last.pc + last.d.imm) >>> 0) === ((this.ramBase + b.start) >>> 0);
  }

  /** After a self-loop block's JS loop: the branch not taken. */
  fallEdge(b: Block, next: Block | undefined): string {
    const last = b.insns[b.insns.length - 1];
    return kindOf(last.d.op) === Kind.BRANCH ? this.edge((last.pc + last.d.len) >>> 0, next) : '';
  }

  /** The RAM-offset test for an access of `size` bytes: true when it must go to the interpreter. */
  private miss(size: number): string {
    if (this.pow2) return `(o & ${num((~(this.ramSize - 1) | (size - 1)) | 0)}) !== 0`;
    return size === 1 ? `(o >>> 0) >= ${num(this.ramSize)}` : `(o >>> 0) >= ${num(this.ramSize)} || (o & ${num(size - 1)}) !== 0`;
  }

  /**
   * Instruction k of block `blk`, with the block's outgoing edges after the last one. `inLoop`:
   * inside the block's own JS loop (see isSelfLoop), where the edge to itself is `continue` and
   * the branch not taken leaves the loop.
   */
  insn(blk: Block, k: number, next: Block | undefined, inLoop: boolean): string {
    const ins = blk.insns[k];
    const n = blk.insns.length;
    const loop = inLoop ? blk : undefined;
    const { d, pc } = ins;
    const { rd, rs1, rs2, imm } = d;
    const npc = (pc + d.len) >>> 0;
    const R1 = (): string => this.r(rs1);
    const R2 = (): string => this.r(rs2);
    const bail = `{ budget += ${num(n - k)}; pc = ${num(pc | 0)}; bail = 1; break L; }`;
    const addr = (): string => `o = (${R1()} + ${num((imm - this.ramBase) | 0)}) | 0;`;
    const last = k === n - 1;
    // A plain instruction that ends its block (maximum length, or the next one starts another block).
    const fall = (): string => (last ? this.edge(npc, next) : '');
    switch (d.op) {
      case Op.LUI: return this.w(rd, num(imm | 0)) + fall();
      case Op.AUIPC: return this.w(rd, num((pc + imm) | 0)) + fall();
      case Op.JAL: return this.w(rd, num(npc | 0)) + this.edge((pc + imm) >>> 0, next, loop);
      case Op.JALR: {
        let s = `t = (${R1()} + ${num(imm)}) & -2;` + this.w(rd, num(npc | 0));
        if (this.returnPoints.length > 0) {
          s += 'switch (t) {';
          for (const b of this.returnPoints) s += `case ${num((this.ramBase + b.start) | 0)}: ${this.edge((this.ramBase + b.start) >>> 0, undefined)}`;
          s += '}';
        }
        return s + 'pc = t; break L;';
      }
      case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU: {
        const a = R1(), b = R2();
        const cond = d.op === Op.BEQ ? `${a} === ${b}` : d.op === Op.BNE ? `${a} !== ${b}` : d.op === Op.BLT ? `${a} < ${b}`
          : d.op === Op.BGE ? `${a} >= ${b}` : d.op === Op.BLTU ? `(${a} >>> 0) < (${b} >>> 0)` : `(${a} >>> 0) >= (${b} >>> 0)`;
        if (inLoop) return `if (${cond}) { ${this.edge((pc + imm) >>> 0, undefined, loop)} } break;`;
        return `if (${cond}) { ${this.edge((pc + imm) >>> 0, undefined)} }` + this.edge(npc, next);
      }
      case Op.LB: case Op.LBU: case Op.LH: case Op.LHU: case Op.LW: {
        const size = d.op === Op.LW ? 4 : d.op === Op.LH || d.op === Op.LHU ? 2 : 1;
        const read = d.op === Op.LB ? '(u8[o] << 24) >> 24' : d.op === Op.LBU ? 'u8[o]' : d.op === Op.LH ? '(u16[o >> 1] << 16) >> 16'
          : d.op === Op.LHU ? 'u16[o >> 1]' : 'i32[o >> 2]';
        // Bytes a read watchpoint may cover (see Jit.setReadWatch): the interpreter does the load
        // (and the check). [o, o+size) meets [lo, hi) iff lo-size < o < hi, one unsigned compare.
        this.hasLoads = true;
        const from = this.readLo - size + 1;
        const watched = this.readLo < this.readHi ? ` || ((o - (${num(from)})) >>> 0) < ${num(this.readHi - from)}` : '';
        return `${addr()} if (${this.miss(size)}${watched}) ${bail} ${this.w(rd, read)}` + fall();
      }
      case Op.SB: case Op.SH: case Op.SW: {
        const size = d.op === Op.SW ? 4 : d.op === Op.SH ? 2 : 1;
        const target = d.op === Op.SW ? 'i32[o >> 2]' : d.op === Op.SH ? 'u16[o >> 1]' : 'u8[o]';
        // As the interpreter: store, then the page-state check (dirty tracking, code invalidation).
        // If that dropped translated code (maybe this very region), or hit a watchpoint (a page
        // holding one is never PAGE_DIRTY, see Ram.setWriteWatch), leave after the store.
        return `${addr()} if (${this.miss(size)}) ${bail} ${target} = ${R2()};`
          + `if (ps[o >> ${num(PAGE_SHIFT)}] !== ${num(PAGE_DIRTY)}) { ram.touch(o, ${num(size)}); if (h.jitStale) { h.jitStale = false; h.storePc = ${num(pc | 0)}; budget += ${num(n - k - 1)}; pc = ${num(npc | 0)}; break L; } }`
          + fall();
      }
      case Op.ADDI: return this.w(rd, rs1 === 0 ? num(imm | 0) : `(${R1()} + ${num(imm)}) | 0`) + fall();
      case Op.SLTI: return this.w(rd, `${R1()} < ${num(imm)} ? 1 : 0`) + fall();
      case Op.SLTIU: return this.w(rd, `(${R1()} >>> 0) < ${num(imm >>> 0)} ? 1 : 0`) + fall();
      case Op.XORI: return this.w(rd, `${R1()} ^ ${num(imm)}`) + fall();
      case Op.ORI: return this.w(rd, `${R1()} | ${num(imm)}`) + fall();
      case Op.ANDI: return this.w(rd, `${R1()} & ${num(imm)}`) + fall();
      case Op.SLLI: return this.w(rd, `${R1()} << ${num(imm & 31)}`) + fall();
      case Op.SRLI: return this.w(rd, `(${R1()} >>> ${num(imm & 31)}) | 0`) + fall();
      case Op.SRAI: return this.w(rd, `${R1()} >> ${num(imm & 31)}`) + fall();
      case Op.ADD: return this.w(rd, `(${R1()} + ${R2()}) | 0`) + fall();
      case Op.SUB: return this.w(rd, `(${R1()} - ${R2()}) | 0`) + fall();
      case Op.SLL: return this.w(rd, `${R1()} << ${R2()}`) + fall();
      case Op.SLT: return this.w(rd, `${R1()} < ${R2()} ? 1 : 0`) + fall();
      case Op.SLTU: return this.w(rd, `(${R1()} >>> 0) < (${R2()} >>> 0) ? 1 : 0`) + fall();
      case Op.XOR: return this.w(rd, `${R1()} ^ ${R2()}`) + fall();
      case Op.SRL: return this.w(rd, `(${R1()} >>> ${R2()}) | 0`) + fall();
      case Op.SRA: return this.w(rd, `${R1()} >> ${R2()}`) + fall();
      case Op.OR: return this.w(rd, `${R1()} | ${R2()}`) + fall();
      case Op.AND: return this.w(rd, `${R1()} & ${R2()}`) + fall();
      case Op.MUL: return this.w(rd, `Math.imul(${R1()}, ${R2()})`) + fall();
      case Op.MULH: return this.w(rd, `mulh(${R1()}, ${R2()})`) + fall();
      case Op.MULHSU: return this.w(rd, `mulhsu(${R1()}, ${R2()})`) + fall();
      case Op.MULHU: return this.w(rd, `mulhu(${R1()}, ${R2()})`) + fall();
      case Op.DIV: {
        if (rd === 0) return fall();
        const a = R1(), b = R2();
        return `o = ${a}; t = ${b};` + this.w(rd, 't === 0 ? -1 : (o === -2147483648 && t === -1) ? o : (o / t) | 0') + fall();
      }
      case Op.DIVU: {
        if (rd === 0) return fall();
        const a = R1(), b = R2();
        return `o = ${a}; t = ${b};` + this.w(rd, 't === 0 ? -1 : ((o >>> 0) / (t >>> 0)) | 0') + fall();
      }
      case Op.REM: {
        if (rd === 0) return fall();
        const a = R1(), b = R2();
        return `o = ${a}; t = ${b};` + this.w(rd, 't === 0 ? o : (o === -2147483648 && t === -1) ? 0 : (o % t) | 0') + fall();
      }
      case Op.REMU: {
        if (rd === 0) return fall();
        const a = R1(), b = R2();
        return `o = ${a}; t = ${b};` + this.w(rd, 't === 0 ? o : ((o >>> 0) % (t >>> 0)) | 0') + fall();
      }
      case Op.FENCE: return fall();
      default:
        throw new Error(`jit: op ${d.op} must be interpreted`);
    }
  }
}
