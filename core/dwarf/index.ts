// The DWARF layer's entry point: loadDebugInfo(elf) gives the debug adapter everything it needs
// for source-level debugging (lines, functions, frames, variables). Everything is read lazily on
// first use and cached.
//
// Errors: loadDebugInfo throws only DwarfError (unit headers unusable). After that, queries never
// throw on bad DWARF: a broken unit, line table or FDE is skipped and its one-line DwarfError
// message is added to `problems` (the adapter can show them once); a variable whose location
// cannot be evaluated shows as `<error: ...>`. Bugs (anything not a DwarfError) still throw.
import type { ElfImage, ElfSymbol } from '../elf/elf';
import { CallFrameInfo, type CfiRow, type Fde } from './cfi';
import { AT, TAG } from './constants';
import { FunctionIndex, scopeChildren, type FunctionInfo, type Scope, type Variable } from './functions';
import { InfoSection, type Die, type Unit } from './info';
import { parseLineTable, type LineTable } from './line';
import { LineIndex, type LineInfo, type LineRange } from './lines';
import { scanPrologue } from './prologue';
import { dieRanges, inRanges } from './ranges';
import { DwarfError } from './reader';
import { findSections, type Sections } from './sections';
import { TypeTable, typeName, type Type } from './types';
import { unwind, type Frame, type UnwindOptions } from './unwind';
import { formatVal, children, childCount, hasChildren, type Child, type FormatOptions, type Value } from './values';
import { VariableReader, type FrameState, type MemReader } from './variables';

export { DwarfError } from './reader';
export type { LineInfo, LineRange } from './lines';
export type { FunctionInfo, Scope, Variable } from './functions';
export type { Frame, UnwindMethod, UnwindOptions } from './unwind';
export type { FrameState, MemReader } from './variables';
export type { Type, Member, Enumerator, ArrayDim } from './types';
export type { Value, Child, FormatOptions } from './values';
export type { CfiRow, RegRule, CfaRule, Fde, Cie } from './cfi';
export { typeName, strip, sizeOf } from './types';
export { formatValue, formatVal, children, childCount, hasChildren } from './values';

export interface BreakpointLocation {
  /** The file the breakpoint resolved to (the DWARF path). */
  file: string;
  /** The line actually used: the next line with code when the requested one has none. */
  line: number;
  addresses: number[];
}

const DW_LANG_Mips_Assembler = 0x8001;
const PF_X = 1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;
const SHT_NOBITS_ = 8;

export class DebugInfo {
  /** One-line messages about debug info that was skipped because it is malformed. */
  readonly problems: string[] = [];
  private readonly info: InfoSection | undefined;
  private readonly types = new TypeTable((tag, name) => this.completeType(tag, name));
  private typeDefs: Map<string, Die> | undefined;
  private tablesByUnit: Map<Unit, LineTable> | undefined;
  private lineIndex: LineIndex | undefined;
  private funcIndex: FunctionIndex | undefined;
  private cfiCache: CallFrameInfo | undefined;
  private varReader: VariableReader | undefined;
  private readonly bpCache = new Map<FunctionInfo, number>();

  constructor(readonly elf: ElfImage, private readonly sections: Sections) {
    this.info = sections.get('.debug_info') === undefined ? undefined : new InfoSection(sections);
  }

  /** True when the file has DWARF (.debug_info); without it the adapter shows disassembly only. */
  get hasDebugInfo(): boolean {
    return this.info !== undefined && this.info.compileUnits().length > 0;
  }

  /**
   * Builds the line, function and call-frame indexes now instead of at their first use, so the
   * first stop that needs them (a step back, a stack trace) does not pay their parse.
   */
  prepare(): void {
    this.lines();
    this.functions();
    this.cfi();
  }

  /** Runs `f`, turning a DwarfError into a recorded problem and `fallback`. */
  private guard<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      if (!this.problems.includes(e.message)) this.problems.push(e.message);
      return fallback;
    }
  }

  /** A complete (non-declaration) type with this tag and name in any unit, for opaque types. */
  private completeType(tag: number, name: string): Die | undefined {
    if (this.typeDefs === undefined) {
      const defs = new Map<string, Die>();
      for (const u of this.info?.units ?? []) {
        this.guard(() => {
          for (const d of u.dies()) {
            if (d.tag !== tag && d.tag !== TAG.structure_type && d.tag !== TAG.union_type && d.tag !== TAG.class_type && d.tag !== TAG.enumeration_type) continue;
            if (d.flag(AT.declaration) || d.has(AT.signature)) continue;
            const n = d.str(AT.name);
            if (n !== undefined && !defs.has(`${d.tag}:${n}`)) defs.set(`${d.tag}:${n}`, d);
          }
        }, undefined);
      }
      this.typeDefs = defs;
    }
    return this.typeDefs.get(`${tag}:${name}`);
  }

  private units(): Unit[] {
    return this.info === undefined ? [] : this.info.compileUnits();
  }

  /** Every parsed line table, in .debug_line order. */
  lineTables(): LineTable[] {
    return [...this.lines().tables].sort((a, b) => a.offset - b.offset);
  }

  /** The unit's line table (undefined when it has none or it is malformed). */
  lineTable(unit: Unit): LineTable | undefined {
    this.lines();
    return this.tablesByUnit?.get(unit);
  }

  private lines(): LineIndex {
    if (this.lineIndex === undefined) {
      const tables = new Map<Unit, LineTable>();
      const byOffset = new Map<number, LineTable>();
      for (const u of this.units()) {
        this.guard(() => {
          const off = u.stmtList;
          if (off === undefined) return;
          let t = byOffset.get(off);
          if (t === undefined) {
            t = parseLineTable(this.sections, off, u.compDir, u.addrSize);
            byOffset.set(off, t);
          }
          tables.set(u, t);
        }, undefined);
      }
      this.tablesByUnit = tables;
      this.lineIndex = new LineIndex([...byOffset.values()]);
    }
    return this.lineIndex;
  }

  private functions(): FunctionIndex {
    if (this.funcIndex === undefined) {
      // A unit whose DIEs do not parse is left out (and reported) instead of losing all of them.
      this.funcIndex = new FunctionIndex(this.units(), (unit, n) => this.filePath(unit, n), this.types, (f) => this.guard(f, undefined));
    }
    return this.funcIndex;
  }

  private filePath(unit: Unit, n: number | undefined): string | undefined {
    if (n === undefined) return undefined;
    const t = this.lineTable(unit);
    const p = t?.paths[n];
    return p === undefined || p === '' ? undefined : p;
  }

  private cfi(): CallFrameInfo {
    if (this.cfiCache === undefined) {
      this.cfiCache = this.guard(() => new CallFrameInfo(this.sections), undefined);
      if (this.cfiCache === undefined) {
        // A malformed section: fall back to an empty one so unwinding uses the other methods.
        this.cfiCache = new CallFrameInfo({ ...this.sections, get: () => undefined });
      }
    }
    return this.cfiCache;
  }

  private variables(): VariableReader {
    this.varReader ??= new VariableReader(this.functions(), this.sections.file);
    return this.varReader;
  }

  // --- Lines --------------------------------------------------------------------------------

  /** The addresses where the source line (file and line) changes from the row before, ascending. */
  lineChangeAddresses(): number[] {
    const out: number[] = [];
    for (const t of this.lines().tables) {
      for (const seq of t.sequences) {
        let prev = '';
        for (const row of seq.rows) {
          if (row.endSequence) continue;
          const key = `${row.file}:${row.line}`;
          if (key !== prev) out.push(row.address >>> 0);
          prev = key;
        }
      }
    }
    return out.sort((a, b) => a - b);
  }

  /** Every source file the line tables name (absolute paths as DWARF gives them). */
  sourceFiles(): string[] {
    return this.lines().files();
  }

  lineFor(pc: number): LineInfo | undefined {
    return this.lines().lineFor(pc >>> 0);
  }

  /** The address range of pc's source line, for line stepping (see LineIndex.lineRange). */
  lineRange(pc: number): LineRange | undefined {
    return this.lines().lineRange(pc >>> 0);
  }

  /** True when pc starts a statement (an is_stmt row): where a line step may stop. */
  isStmtStart(pc: number): boolean {
    return this.lines().isStmtStart(pc >>> 0);
  }

  /** Breakpoint addresses for a source line (see resolveBreakpoint). */
  addressesFor(file: string, line: number): number[] {
    return this.resolveBreakpoint(file, line)?.addresses ?? [];
  }

  /**
   * Where a breakpoint on file:line goes, as gdb places it: the start of each statement run of
   * that line (one per block, so a for-loop's line gets one address), moved past the prologue
   * when it falls inside one; a line without code moves to the next line that has some.
   * `file` may be any path ending in the DWARF path's trailing components.
   */
  resolveBreakpoint(file: string, line: number): BreakpointLocation | undefined {
    return this.guard(() => this.resolve(file, line), undefined);
  }

  private resolve(file: string, line: number): BreakpointLocation | undefined {
    const lines = this.lines();
    let best: BreakpointLocation | undefined;
    for (const f of lines.resolveFile(file)) {
      const r = lines.rowsForLine(f, line);
      if (r.addresses.length === 0) continue;
      const placed = this.placeBreakpoints(r.addresses);
      // A breakpoint moved past a prologue reports the line it landed on, as gdb does.
      const used = placed.moved ? this.lineFor(placed.addresses[0])?.line ?? r.line : r.line;
      const cand: BreakpointLocation = { file: f, line: used, addresses: placed.addresses };
      if (best === undefined || cand.line < best.line) best = cand;
    }
    return best;
  }

  private placeBreakpoints(addrs: number[]): { addresses: number[]; moved: boolean } {
    const seenBlocks = new Set<Die | number>();
    const out: number[] = [];
    let moved = false;
    for (const a of addrs) {
      // One location per innermost block: the lowest address of the line in it.
      const key = this.innermostBlock(a) ?? a;
      if (seenBlocks.has(key)) continue;
      seenBlocks.add(key);
      const fn = this.functionAt(a);
      let pc = a;
      // In assembly a line is taken literally: the user sees instructions anyway (gdb does so).
      if (fn !== undefined && a >= fn.lowPc && a < fn.highPc && !this.isAsm(fn)) {
        const bp = this.prologueEnd(fn);
        if (a < bp) {
          pc = bp;
          moved = true;
        }
      }
      if (!out.includes(pc)) out.push(pc);
    }
    return { addresses: out.sort((x, y) => x - y), moved };
  }

  /** The innermost lexical block, inlined subroutine or function DIE containing pc. */
  private innermostBlock(pc: number): Die | undefined {
    const fn = this.functionAt(pc);
    if (fn === undefined) return undefined;
    let node: Die = fn.die;
    for (let depth = 0; depth < 64; depth++) {
      const next = scopeChildren(node).find((c) => (c.tag === TAG.lexical_block || c.tag === TAG.inlined_subroutine) && inRanges(dieRanges(c), pc));
      if (next === undefined) break;
      node = next;
    }
    return node;
  }

  // --- Functions ----------------------------------------------------------------------------

  /** The concrete function whose code contains pc (inlined code reports its host function). */
  functionAt(pc: number): FunctionInfo | undefined {
    return this.functions().functionAt(pc >>> 0);
  }

  /** The innermost function at pc, counting inlined subroutines. */
  innermostFunctionAt(pc: number): FunctionInfo | undefined {
    return this.scopesAt(pc)[0]?.fn;
  }

  /** A function by name for function breakpoints; a global one beats file-static ones. */
  functionByName(name: string): FunctionInfo | undefined {
    const list = this.functions().functionsByName(name);
    return list.find((f) => f.external) ?? list[0];
  }

  functionsByName(name: string): FunctionInfo[] {
    return this.functions().functionsByName(name);
  }

  /**
   * Where a function breakpoint on `name` goes, as gdb sets it: past the prologue of each
   * out-of-line copy (see breakpointAddress), and at the entry of every inlined instance; for a
   * name only the ELF symbol table knows, at that symbol.
   */
  functionBreakpointAddresses(name: string): number[] {
    const f = this.functions();
    const out = new Set<number>();
    for (const fn of f.functionsByName(name)) out.add(this.breakpointAddress(fn));
    for (const fn of f.inlinedInstances(name)) out.add(fn.lowPc);
    if (out.size === 0) {
      // An ELF symbol only (an alias such as picolibc's __d_vfprintf, or code without DWARF):
      // the function at its address, if DWARF has one there, else the address itself.
      const sym = this.elf.symbol(name);
      if (sym !== undefined && sym.type === 'func' && sym.shndx !== 0) {
        const fn = this.functionAt(sym.value);
        out.add(fn !== undefined && fn.lowPc === sym.value ? this.breakpointAddress(fn) : sym.value);
      }
    }
    return [...out].sort((a, b) => a - b);
  }

  /** Every concrete function, sorted by entry address. */
  allFunctions(): FunctionInfo[] {
    return this.functions().functions;
  }

  /**
   * Where `break fn` stops, as gdb computes it: at the entry for assembly and for optimized code
   * (a unit with location lists: GCC's variable locations are valid there), else past the
   * prologue (see prologueEnd).
   */
  breakpointAddress(fn: FunctionInfo): number {
    return this.isAsm(fn) ? fn.lowPc : this.prologueEnd(fn);
  }

  private isAsm(fn: FunctionInfo): boolean {
    return this.guard(() => fn.die.unit.root().num(AT.language) === DW_LANG_Mips_Assembler, false);
  }

  /**
   * Where gdb considers the prologue over, for moving breakpoints out of it: the entry in
   * optimized code (see breakpointAddress); else the second line-table entry of the function
   * (unless several rows share the entry, or rows with earlier line numbers follow); without
   * usable line info, after the instructions a prologue consists of.
   */
  prologueEnd(fn: FunctionInfo): number {
    const known = this.bpCache.get(fn);
    if (known !== undefined) return known;
    const pc = this.guard(() => this.computeBreakpointAddress(fn), fn.lowPc);
    this.bpCache.set(fn, pc);
    return pc;
  }

  private computeBreakpointAddress(fn: FunctionInfo): number {
    const start = fn.lowPc;
    // gdb trusts GCC's variable locations at the entry of optimized code (a unit with location
    // lists): it does not skip the prologue there at all.
    if (this.locationsValid(fn.die.unit)) return start;
    const lines = this.lines();
    const sal = lines.lineFor(start);
    const isAsm = fn.die.unit.root().num(AT.language) === DW_LANG_Mips_Assembler;
    if (sal === undefined) return this.scanEnd(fn);
    if (!isAsm && lines.hasMultipleRowsAt(start)) return start;
    let end = lines.entryEnd(start);
    if (end === undefined || end >= fn.highPc) return this.scanEnd(fn);
    let line = sal.line;
    // Instructions the scheduler moved into the prologue carry earlier line numbers: skip them.
    while (end < fn.highPc) {
      const next = lines.lineFor(end);
      if (next === undefined || next.line === 0 || next.line >= line) break;
      line = next.line;
      const e = lines.entryEnd(end);
      if (e === undefined || e <= end) break;
      end = e;
    }
    return Math.max(start, end);
  }

  private readonly validCache = new Map<Unit, boolean>();

  /** gdb's "locations_valid": GCC >= 4.5 and some variable of the unit has a location list. */
  private locationsValid(unit: Unit): boolean {
    let v = this.validCache.get(unit);
    if (v === undefined) {
      const producer = unit.producer ?? '';
      const m = /^GNU \S+ (\d+)\.(\d+)/.exec(producer);
      const gcc = m !== null && (Number(m[1]) > 4 || (Number(m[1]) === 4 && Number(m[2]) >= 5));
      v = gcc && unit.dies().some((d) => {
        if (d.tag !== TAG.variable && d.tag !== TAG.formal_parameter) return false;
        const loc = d.attr(AT.location);
        return loc !== undefined && (loc.kind === 'sec' || loc.kind === 'loclistx' || (unit.version <= 3 && loc.kind === 'const'));
      });
      this.validCache.set(unit, v);
    }
    return v;
  }

  private scanEnd(fn: FunctionInfo): number {
    return scanPrologue((a) => this.code16(a), fn.lowPc, fn.highPc).end;
  }

  // --- Frames -------------------------------------------------------------------------------

  /**
   * Unwinds the stack from the hart's registers (x0..x31) and pc. `readMem32` reads a word of
   * target memory (undefined when unreadable). Frame 0 is always present.
   */
  unwind(regs: ArrayLike<number>, pc: number, readMem32: (addr: number) => number | undefined, opts?: UnwindOptions): Frame[] {
    const target = {
      cfi: this.cfi(),
      functionStart: (p: number): number | undefined => {
        const fn = this.functionAt(p);
        if (fn !== undefined) return inRanges([[fn.lowPc, fn.highPc]], p) ? fn.lowPc : fn.ranges.find(([s, e]) => p >= s && p < e)?.[0];
        const sym = this.elf.symbolAt(p);
        return sym !== undefined && (sym.type === 'func' || sym.type === 'notype') ? sym.value : undefined;
      },
      code16: (a: number) => this.code16(a),
      isCode: (a: number) => this.isCode(a),
      where: this.sections.file,
    };
    return this.guardUnwind(() => unwind(target, regs, pc, readMem32, opts), regs, pc);
  }

  private guardUnwind(f: () => Frame[], regs: ArrayLike<number>, pc: number): Frame[] {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      if (!this.problems.includes(e.message)) this.problems.push(e.message);
      const r = Int32Array.from({ length: 32 }, (_, i) => (i === 0 ? 0 : regs[i] ?? 0));
      return [{ level: 0, pc: pc >>> 0, regs: r, known: -1, cfa: undefined, unwoundBy: undefined, innermost: true }];
    }
  }

  /** The CFI rule row in effect at pc (for tools and tests), or undefined. */
  cfiRowAt(pc: number): { fde: Fde; row: CfiRow } | undefined {
    const cfi = this.cfi();
    return this.guard(() => cfi.rowAt(pc >>> 0), undefined);
  }

  /** Every FDE (from .debug_frame and .eh_frame) with its rule rows. */
  cfiTable(): Array<{ fde: Fde; rows: CfiRow[] }> {
    const cfi = this.cfi();
    const out: Array<{ fde: Fde; rows: CfiRow[] }> = [];
    for (const fde of cfi.fdes) {
      const rows = this.guard(() => cfi.rows(fde), undefined);
      if (rows !== undefined) out.push({ fde, rows });
    }
    return out;
  }

  // --- Scopes and variables -----------------------------------------------------------------

  /**
   * The source-level frames at a (physical) frame's pc, innermost first: inlined subroutines,
   * then the function itself, each with its parameters and the locals of the blocks containing
   * the pc. For a caller frame pass its lookup pc (return address - 1): see FrameState.
   */
  scopesAt(pc: number): Scope[] {
    const f = this.functions();
    return this.guard(() => f.scopesAt(pc >>> 0), []);
  }

  /** Scopes for a frame from unwind(): uses pc - 1 for callers so the call's own scope is used. */
  scopesFor(frame: FrameState): Scope[] {
    return this.scopesAt(frame.innermost ? frame.pc : frame.pc - 1);
  }

  /** Global and file-static variables, of every unit or of the units compiled from `file`. */
  globals(file?: string): Variable[] {
    const f = this.functions();
    const out: Variable[] = [];
    for (const u of this.units()) {
      if (file !== undefined && this.unitPath(u) !== file) continue;
      out.push(...this.guard(() => f.globalsOf(u), []));
    }
    return out;
  }

  /**
   * A variable by name as C scoping sees it from a frame (for hovers and watch expressions):
   * the frame's innermost scope first (locals, then parameters), then the globals and file
   * statics of the frame's unit, then any global. Without a frame, globals only.
   */
  findVariable(name: string, frame?: FrameState): Variable | undefined {
    if (frame !== undefined) {
      for (const s of this.scopesFor(frame)) {
        const v = s.locals.find((x) => x.name === name) ?? s.params.find((x) => x.name === name);
        if (v !== undefined) return v;
      }
      const fn = this.functionAt(frame.innermost ? frame.pc : frame.pc - 1);
      if (fn !== undefined) {
        const own = this.guard(() => this.functions().globalsOf(fn.die.unit), []).find((x) => x.name === name);
        if (own !== undefined) return own;
      }
    }
    return this.globalByName(name);
  }

  /** Function-scope statics are locals; this finds a global or file static by name. */
  globalByName(name: string): Variable | undefined {
    const all = this.globals().filter((v) => v.name === name);
    return all.find((v) => v.external) ?? all[0];
  }

  private unitPath(u: Unit): string | undefined {
    const t = this.lineTable(u);
    if (t !== undefined && t.version >= 5 && t.paths[0]) return t.paths[0];
    const name = u.name;
    if (name === undefined) return undefined;
    const dir = u.compDir ?? '';
    return name.startsWith('/') ? name : `${dir}/${name}`.replace(/\/\.\//g, '/');
  }

  /**
   * Reads a variable in a frame (from unwind(); undefined for globals without a frame). `mem`
   * reads target memory. The result can be formatted with formatVal and expanded with children.
   */
  readVariable(v: Variable, frame: FrameState | undefined, mem: MemReader): Value {
    const reader = this.variables();
    try {
      return reader.read(v, frame, mem);
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      return { type: v.type, bytes: new Uint8Array(0), unavailable: `error: ${e.message}` };
    }
  }

  /** Formats a value with this program's symbols for pointers (`0x80001234 <g_counter>`). */
  format(v: Value, mem?: MemReader, opts: FormatOptions = {}): string {
    return formatVal(v, { readMem: mem, symbolize: (a) => this.symbolize(a), ...opts });
  }

  /** Children of a structured value (members, elements, pointer target). */
  children(v: Value, mem?: MemReader, start?: number, count?: number): Child[] {
    return children(v, { readMem: mem }, start, count);
  }

  childCount(v: Value): number {
    return childCount(v);
  }

  hasChildren(v: Value): boolean {
    return hasChildren(v);
  }

  typeName(t: Type): string {
    return typeName(t);
  }

  /** "g_nodes+8" for an address inside a symbol, as gdb annotates pointers. */
  symbolize(addr: number): string | undefined {
    addr >>>= 0;
    const secIdx = this.elf.sections.findIndex((sec) => (sec.flags & SHF_ALLOC) !== 0 && sec.type !== SHT_NOBITS_ && addr >= sec.addr && addr < sec.addr + sec.size);
    const bssIdx = secIdx >= 0 ? secIdx : this.elf.sections.findIndex((sec) => (sec.flags & SHF_ALLOC) !== 0 && addr >= sec.addr && addr < sec.addr + sec.size);
    if (bssIdx < 0) return undefined;
    const text = (this.elf.sections[bssIdx].flags & SHF_EXECINSTR) !== 0;
    // gdb's minimal-symbol rule: the nearest symbol at or below addr in the address's section;
    // one with a size must contain addr; a zero-size one counts only in code sections.
    let best: ElfSymbol | undefined;
    for (const sym of this.elf.symbols) {
      if (sym.shndx !== bssIdx || sym.value > addr || sym.name === '' || sym.name.startsWith('$') || sym.name.startsWith('.L')) continue;
      if (sym.type !== 'func' && sym.type !== 'object' && sym.type !== 'notype') continue;
      if (sym.size > 0 ? addr >= sym.value + sym.size : !text) continue;
      if (best === undefined || sym.value > best.value || (sym.value === best.value && sym.size > best.size)) best = sym;
    }
    if (best === undefined) return undefined;
    const off = addr - best.value;
    return off === 0 ? best.name : `${best.name}+${off}`;
  }

  // --- Program image ------------------------------------------------------------------------

  private code16(addr: number): number | undefined {
    for (const seg of this.elf.segments) {
      const off = addr - seg.vaddr;
      if (off >= 0 && off + 2 <= seg.data.length) return seg.data[off] | (seg.data[off + 1] << 8);
    }
    return undefined;
  }

  private isCode(addr: number): boolean {
    const segs = this.elf.segments;
    const exec = segs.filter((s) => (s.flags & PF_X) !== 0);
    return (exec.length > 0 ? exec : segs).some((s) => addr >= s.vaddr && addr < s.vaddr + s.memsz);
  }

  /** Forces every lazy part to load; returns `problems` (for tests and diagnostics). */
  loadAll(): string[] {
    this.lines();
    this.functions();
    this.cfiTable();
    for (const u of this.units()) this.globals(this.unitPath(u));
    return this.problems;
  }
}

/**
 * Loads the debug info of an ELF image. Without DWARF the result is empty (hasDebugInfo false)
 * and every query answers "nothing"; CFI from .eh_frame/.debug_frame is still used for unwinding.
 */
export function loadDebugInfo(elf: ElfImage): DebugInfo {
  return new DebugInfo(elf, findSections(elf));
}
