// Functions (DW_TAG_subprogram with code), the inlined subroutines inside them, and the variables
// in scope at a pc: parameters and locals of each (lexical) block, innermost first, and globals.
import { AT, TAG } from './constants';
import type { Die, Unit } from './info';
import { DwarfError } from './reader';
import { locationDesc, type LocationDesc } from './loc';
import { dieRanges, inRanges, type Range } from './ranges';
import type { Type, TypeTable } from './types';

export interface FunctionInfo {
  name: string;
  /** Entry address (DW_AT_entry_pc, else low_pc, else the first range's start). */
  lowPc: number;
  /** End (exclusive) of the range that contains lowPc. */
  highPc: number;
  /** Every address range of the function (GCC splits hot/cold parts at -O2). */
  ranges: Range[];
  declFile: string | undefined;
  declLine: number | undefined;
  /** DW_AT_frame_base: GCC uses DW_OP_call_frame_cfa. Undefined for inlined instances. */
  frameBase: LocationDesc | undefined;
  external: boolean;
  /** For an inlined instance: the call site in the function it was inlined into. */
  call: { file: string | undefined; line: number | undefined; column: number | undefined } | undefined;
  /** The DIE (an opaque handle for the other DebugInfo methods). */
  readonly die: Die;
}

export interface Variable {
  name: string;
  type: Type;
  kind: 'parameter' | 'local' | 'global';
  /** A function-scope or file-scope `static` (or any variable living at a fixed address). */
  isStatic: boolean;
  external: boolean;
  declFile: string | undefined;
  declLine: number | undefined;
  /** Where it lives: an expression or a location list. Undefined: optimized out everywhere. */
  location: LocationDesc | undefined;
  /** Set when the location attribute is malformed: the DwarfError's message. */
  locationError?: string;
  /** DW_AT_const_value: the value itself (block bytes or a constant). */
  constValue: Uint8Array | bigint | undefined;
  /** The concrete subprogram whose frame the location is relative to (fbreg, entry values). */
  frameDie: Die | undefined;
  readonly die: Die;
}

/** One level of source frames at a pc: the real function or one inlined into it. */
export interface Scope {
  fn: FunctionInfo;
  /** Parameters in declaration order. */
  params: Variable[];
  /** Locals of the blocks containing the pc, innermost block first (as gdb's `info locals`). */
  locals: Variable[];
}

/** Resolves a DWARF file number of a unit to a path (through the unit's line table). */
export type FileResolver = (unit: Unit, fileNo: number | undefined) => string | undefined;

const OP_ADDR = 0x03;

export class FunctionIndex {
  /** Concrete functions sorted by entry; `spans` maps each range to its function for lookups. */
  readonly functions: FunctionInfo[] = [];
  private readonly spans: Array<{ start: number; end: number; fn: FunctionInfo }> = [];
  private readonly byName = new Map<string, FunctionInfo[]>();
  private readonly inlinedByName = new Map<string, FunctionInfo[]>();
  private readonly infoOf = new Map<Die, FunctionInfo>();

  /**
   * `guard` runs a unit's indexing and turns a DwarfError into a recorded problem, so one broken
   * unit does not hide the functions of the others.
   */
  constructor(units: Unit[], private readonly files: FileResolver, private readonly types: TypeTable, guard: (f: () => void) => void = (f) => f()) {
    for (const unit of units) {
      guard(() => {
        const found: FunctionInfo[] = [];
        const inlined: FunctionInfo[] = [];
        for (const d of unit.dies()) {
          if (d.tag !== TAG.subprogram && d.tag !== TAG.inlined_subroutine) continue;
          const ranges = dieRanges(d);
          if (ranges.length === 0) continue;
          (d.tag === TAG.subprogram ? found : inlined).push(this.info(d, ranges));
        }
        for (const fn of inlined) {
          const list = this.inlinedByName.get(fn.name) ?? [];
          list.push(fn);
          this.inlinedByName.set(fn.name, list);
        }
        for (const fn of found) {
          this.functions.push(fn);
          for (const [start, end] of fn.ranges) this.spans.push({ start, end, fn });
          const list = this.byName.get(fn.name) ?? [];
          list.push(fn);
          this.byName.set(fn.name, list);
        }
      });
    }
    this.functions.sort((a, b) => a.lowPc - b.lowPc);
    this.spans.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  /** FunctionInfo for a subprogram or inlined_subroutine DIE (cached). */
  info(d: Die, ranges = dieRanges(d)): FunctionInfo {
    const known = this.infoOf.get(d);
    if (known !== undefined) return known;
    const origin = d.origin();
    const entry = d.addr(AT.entry_pc) ?? d.addr(AT.low_pc) ?? ranges[0]?.[0] ?? 0;
    const home = ranges.find(([s, e]) => entry >= s && entry < e) ?? ranges[0];
    const fb = d.attr(AT.frame_base);
    const inlined = d.tag === TAG.inlined_subroutine;
    const fn: FunctionInfo = {
      name: d.name ?? '??',
      lowPc: entry,
      highPc: home?.[1] ?? entry,
      ranges,
      declFile: this.files(origin.unit, origin.num(AT.decl_file)),
      declLine: origin.num(AT.decl_line),
      frameBase: fb === undefined ? undefined : locationDesc(d.unit, fb),
      external: origin.flag(AT.external) || d.flag(AT.external),
      call: inlined ? { file: this.files(d.unit, d.num(AT.call_file)), line: d.num(AT.call_line), column: d.num(AT.call_column) } : undefined,
      die: d,
    };
    this.infoOf.set(d, fn);
    return fn;
  }

  /** The concrete (out-of-line) function whose code contains pc. */
  functionAt(pc: number): FunctionInfo | undefined {
    let lo = 0;
    let hi = this.spans.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[mid].start <= pc) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // Spans do not nest for C, but a few overlapping ones (broken or unusual DWARF) are possible.
    for (let i = best; i >= 0 && i > best - 16; i--) {
      const s = this.spans[i];
      if (pc >= s.start && pc < s.end) return s.fn;
    }
    return undefined;
  }

  /** Every function with that name (static functions of different files can share one). */
  functionsByName(name: string): FunctionInfo[] {
    return this.byName.get(name) ?? [];
  }

  /** Every inlined instance of the function with that name. */
  inlinedInstances(name: string): FunctionInfo[] {
    return this.inlinedByName.get(name) ?? [];
  }

  /**
   * The source-level frames at pc, innermost first: inlined subroutines containing pc, then the
   * concrete function. Empty when no function contains pc.
   */
  scopesAt(pc: number): Scope[] {
    const fn = this.functionAt(pc);
    if (fn === undefined) return [];
    const frameDie = fn.die;
    const scopes: Scope[] = [];
    // Walk down from the function, collecting blocks; an inlined subroutine starts a new scope.
    let current: Scope = { fn, params: [], locals: [] };
    let blocks: Die[] = [fn.die];
    const finish = (): void => {
      current.params = this.variablesOf(blocks[0], 'parameter', frameDie);
      const locals: Variable[] = [];
      for (let i = blocks.length - 1; i >= 0; i--) locals.push(...this.variablesOf(blocks[i], 'local', frameDie));
      current.locals = locals;
      scopes.push(current);
    };
    let node: Die | undefined = fn.die;
    for (let depth = 0; node !== undefined && depth < 64; depth++) {
      let next: Die | undefined;
      for (const c of scopeChildren(node)) {
        if (c.tag !== TAG.lexical_block && c.tag !== TAG.inlined_subroutine) continue;
        if (!inRanges(dieRanges(c), pc)) continue;
        next = c;
        break;
      }
      if (next === undefined) break;
      if (next.tag === TAG.inlined_subroutine) {
        finish();
        current = { fn: this.info(next), params: [], locals: [] };
        blocks = [next];
      } else {
        blocks.push(next);
      }
      node = next;
    }
    finish();
    return scopes.reverse();
  }

  /**
   * Parameters or locals declared directly in a function or block DIE. For a concrete instance of
   * an abstract function (inlined or out-of-line copy), what the abstract origin declares and no
   * concrete child refers to is added too, as gdb does: variables (optimized out, or statics)
   * and the contents of abstract blocks that have no concrete counterpart.
   */
  variablesOf(block: Die, want: 'parameter' | 'local', frameDie: Die | undefined): Variable[] {
    const tag = want === 'parameter' ? TAG.formal_parameter : TAG.variable;
    const out: Variable[] = [];
    for (const c of scopeChildren(block)) {
      if (c.tag !== tag) continue;
      const v = this.variable(c, want, frameDie);
      if (v !== undefined) out.push(v);
    }
    const origin = block.ref(AT.abstract_origin);
    if (origin === undefined || origin === block) return out;
    const seen = new Set<Die>();
    for (const c of block.children) {
      if (c.tag === TAG.call_site || c.tag === TAG.GNU_call_site) continue;
      const o = c.origin();
      if (o !== c) seen.add(o);
    }
    const inherit = (abstract: Die, depth: number): void => {
      for (const c of abstract.children) {
        if (seen.has(c)) continue;
        if (c.tag === tag) {
          // The abstract DIE has a location only for statics, which are valid in every instance.
          const v = this.variable(c, want, frameDie);
          if (v !== undefined) out.push(v);
        } else if (c.tag === TAG.lexical_block && depth < 32) {
          inherit(c, depth + 1);
        }
      }
    };
    inherit(origin, 0);
    return out;
  }

  variable(d: Die, kind: Variable['kind'], frameDie: Die | undefined): Variable | undefined {
    const name = d.name;
    if (name === undefined) return undefined;
    // Declarations (extern) carry no storage; their definition (DW_AT_specification) does.
    if (d.flag(AT.declaration) && !d.has(AT.location) && !d.has(AT.const_value)) return undefined;
    const origin = d.origin();
    const typeDie = d.has(AT.type) ? d : origin;
    const locAttr = d.attr(AT.location);
    let location: LocationDesc | undefined;
    let locationError: string | undefined;
    try {
      location = locAttr === undefined ? undefined : locationDesc(d.unit, locAttr);
    } catch (e) {
      // A broken location list spoils this variable only; the error is what the UI shows for it.
      if (!(e instanceof DwarfError)) throw e;
      locationError = e.message;
    }
    const cv = d.attr(AT.const_value);
    let constValue: Uint8Array | bigint | undefined;
    if (cv !== undefined) {
      if (cv.kind === 'block' || cv.kind === 'exprloc') constValue = cv.b;
      else if (cv.kind === 'big') constValue = cv.big;
      else if (cv.kind === 'sconst') constValue = BigInt(cv.n);
      else if (cv.kind === 'const') constValue = BigInt(cv.n);
      else if (cv.kind === 'str' || cv.kind === 'strp' || cv.kind === 'line_strp' || cv.kind === 'strx') {
        const s = d.unit.string(cv);
        constValue = s === undefined ? undefined : new TextEncoder().encode(`${s}\0`);
      }
    }
    const isStatic = location?.kind === 'expr' && location.expr.length === 5 && location.expr[0] === OP_ADDR;
    return {
      name,
      type: this.types.typeOf(typeDie),
      kind,
      isStatic,
      external: origin.flag(AT.external) || d.flag(AT.external),
      declFile: this.files(origin.unit, origin.num(AT.decl_file)),
      declLine: origin.num(AT.decl_line),
      location,
      locationError,
      constValue,
      frameDie,
      die: d,
    };
  }

  /** File-scope variables of a unit (globals and file statics), definitions only. */
  globalsOf(unit: Unit): Variable[] {
    const out: Variable[] = [];
    const walk = (parent: Die, depth: number): void => {
      for (const c of parent.children) {
        if (c.tag === TAG.namespace && depth < 8) walk(c, depth + 1);
        if (c.tag !== TAG.variable) continue;
        if (!c.has(AT.location) && !c.has(AT.const_value)) continue;
        const v = this.variable(c, 'global', undefined);
        if (v !== undefined) out.push({ ...v, isStatic: !v.external });
      }
    };
    walk(unit.root(), 0);
    return out;
  }
}

/** True when a DIE has any pc attribute (low_pc with high_pc, or ranges). */
function hasPcRange(d: Die): boolean {
  return d.has(AT.ranges) || (d.has(AT.low_pc) && d.has(AT.high_pc));
}

/**
 * A scope's children as gdb sees them: a lexical block without pc attributes is no block (its
 * children belong to the enclosing scope, as old GCCs meant), and one whose ranges are empty or
 * invalid is dropped with everything in it.
 */
export function scopeChildren(d: Die, depth = 0): Die[] {
  const out: Die[] = [];
  for (const c of d.children) {
    if (c.tag === TAG.lexical_block) {
      if (!hasPcRange(c)) {
        if (depth < 32) out.push(...scopeChildren(c, depth + 1));
        continue;
      }
      // Blocks of abstract instances have no code; they stay so the concrete ones can refer to them.
      if (dieRanges(c).length === 0 && !isAbstract(d)) continue;
    }
    out.push(c);
  }
  return out;
}

function isAbstract(d: Die): boolean {
  for (let p: Die | undefined = d, i = 0; p !== undefined && i < 64; p = p.parent, i++) {
    if (p.tag === TAG.subprogram) return p.has(AT.inline);
  }
  return false;
}
