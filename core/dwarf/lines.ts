// Source-line queries over every unit's line table: pc → line, line → breakpoint addresses, and
// the address range a "line step" runs in. Where gdb has a rule for an ambiguous case (several
// rows at one address, a line without code, a for-loop line with code in three places) this
// follows gdb's, so breakpoints land where C programmers expect.
import type { LineRow, LineSequence, LineTable } from './line';

export interface LineInfo {
  /** Absolute path as DWARF gives it (comp_dir + dir + name, normalized). */
  file: string;
  line: number;
  column: number;
  isStmt: boolean;
  /** Address of the row that covers the pc (where this line-table entry starts). */
  address: number;
}

export interface LineRange {
  /** [start, end): the addresses whose row belongs to the same source line as the pc's. */
  start: number;
  end: number;
  file: string;
  line: number;
}

interface Seq {
  table: LineTable;
  seq: LineSequence;
  /** Rows without the end_sequence row, in address order (program order within a sequence). */
  rows: LineRow[];
}

export class LineIndex {
  private readonly seqs: Seq[] = [];

  constructor(readonly tables: LineTable[]) {
    for (const table of tables) {
      for (const seq of table.sequences) {
        const rows = dedupeDiscriminated(seq.rows.filter((r) => !r.endSequence));
        // Sequences the linker discarded (gc-sections) keep address 0; they are not code.
        if (rows.length === 0 || seq.end <= seq.start) continue;
        this.seqs.push({ table, seq, rows });
      }
    }
    this.seqs.sort((a, b) => a.seq.start - b.seq.start);
  }

  /** Every source file named by a line table (deduplicated, sorted). */
  files(): string[] {
    const out = new Set<string>();
    for (const t of this.tables) {
      for (const s of t.sequences) for (const r of s.rows) if (t.paths[r.file]) out.add(t.paths[r.file]);
    }
    return [...out].sort();
  }

  private seqAt(pc: number): Seq | undefined {
    let lo = 0;
    let hi = this.seqs.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqs[mid].seq.start <= pc) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = best; i >= 0 && i > best - 8; i--) {
      const s = this.seqs[i];
      if (pc >= s.seq.start && pc < s.seq.end) return s;
    }
    return undefined;
  }

  /**
   * The index of the row covering pc: the last row at the greatest address <= pc, but an is_stmt
   * row at that same address beats a later non-statement one (gdb's choice).
   */
  private rowIndex(s: Seq, pc: number): number {
    const rows = s.rows;
    let lo = 0;
    let hi = rows.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid].address <= pc) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best < 0) return best;
    if (!rows[best].isStmt) {
      let k = best;
      while (k > 0 && rows[k - 1].address === rows[best].address && !rows[k].isStmt) k--;
      if (rows[k].isStmt) best = k;
    }
    return best;
  }

  lineFor(pc: number): LineInfo | undefined {
    const s = this.seqAt(pc);
    if (s === undefined) return undefined;
    const i = this.rowIndex(s, pc);
    if (i < 0) return undefined;
    const r = s.rows[i];
    if (r.line === 0) return undefined;
    return { file: s.table.paths[r.file] ?? '', line: r.line, column: r.column, isStmt: r.isStmt, address: r.address };
  }

  /**
   * Where the line-table entry covering pc ends: the next row at a higher address, skipping
   * non-statement rows that continue the same line (gdb's "sal.end").
   */
  entryEnd(pc: number): number | undefined {
    const s = this.seqAt(pc);
    if (s === undefined) return undefined;
    const i = this.rowIndex(s, pc);
    if (i < 0) return undefined;
    const r = s.rows[i];
    for (let k = i + 1; k < s.rows.length; k++) {
      const n = s.rows[k];
      if (n.address === r.address) continue;
      if (n.file === r.file && n.line === r.line && !n.isStmt) continue;
      return n.address;
    }
    return s.seq.end;
  }

  /**
   * The range a line step runs in: the contiguous addresses around pc whose rows are for the same
   * file and line (rows that are not statements do not end it). A stepper runs until the pc leaves
   * this range, then stops if the new pc starts a statement of another line (see isStmtStart),
   * and otherwise takes the new pc's range and keeps going.
   */
  lineRange(pc: number): LineRange | undefined {
    const s = this.seqAt(pc);
    if (s === undefined) return undefined;
    const i = this.rowIndex(s, pc);
    if (i < 0) return undefined;
    const rows = s.rows;
    const r = rows[i];
    const same = (n: LineRow): boolean => (n.file === r.file && n.line === r.line) || !n.isStmt || n.address === r.address;
    let a = i;
    while (a > 0 && same(rows[a - 1])) a--;
    let b = i + 1;
    while (b < rows.length && same(rows[b])) b++;
    const end = b < rows.length ? rows[b].address : s.seq.end;
    return { start: rows[a].address, end, file: s.table.paths[r.file] ?? '', line: r.line };
  }

  /** True when pc is the address of an is_stmt row (the start of a statement). */
  isStmtStart(pc: number): boolean {
    const s = this.seqAt(pc);
    if (s === undefined) return false;
    const i = this.rowIndex(s, pc);
    if (i < 0) return false;
    for (let k = i; k >= 0 && s.rows[k].address === pc; k--) if (s.rows[k].isStmt && s.rows[k].line !== 0) return true;
    return false;
  }

  /** True when pc has several rows at its address (the compiler's "views"; gdb then skips no prologue). */
  hasMultipleRowsAt(pc: number): boolean {
    const s = this.seqAt(pc);
    if (s === undefined) return false;
    const i = this.rowIndex(s, pc);
    if (i < 0 || s.rows[i].address !== pc) return false;
    let n = 0;
    for (const r of s.rows) if (r.address === pc && r.file === s.rows[i].file) n++;
    return n > 1;
  }

  /** The files of the index that `path` names: exact match, else the longest common path suffix. */
  resolveFile(path: string): string[] {
    const all = this.files();
    const norm = path.replace(/\\/g, '/');
    if (all.includes(norm)) return [norm];
    const parts = norm.split('/').filter((p) => p !== '');
    let bestLen = 0;
    let best: string[] = [];
    for (const f of all) {
      const fp = f.split('/').filter((p) => p !== '');
      let n = 0;
      while (n < parts.length && n < fp.length && parts[parts.length - 1 - n] === fp[fp.length - 1 - n]) n++;
      if (n === 0) continue;
      if (n > bestLen) {
        bestLen = n;
        best = [f];
      } else if (n === bestLen) {
        best.push(f);
      }
    }
    return best;
  }

  /**
   * Addresses of every statement row for `line` of `file` (already resolved), ascending; when the
   * line has no code, those of the nearest following line that does (as gdb moves breakpoints).
   * Returns the line actually used. The caller still keeps one address per innermost block (a
   * for loop's line has code in several places) and skips prologues: that needs the DIEs.
   */
  rowsForLine(file: string, line: number): { line: number; addresses: number[] } {
    const exact: number[] = [];
    let bestLine = Infinity;
    for (const s of this.seqs) {
      const fileIdx = new Set<number>();
      s.table.paths.forEach((p, i) => {
        if (p === file) fileIdx.add(i);
      });
      if (fileIdx.size === 0) continue;
      for (const r of gdbRows([...s.rows, s.seq.rows[s.seq.rows.length - 1]], fileIdx)) {
        if (!r.isStmt) continue;
        if (r.line === line) exact.push(r.address);
        else if (r.line > line && r.line < bestLine) bestLine = r.line;
      }
    }
    if (exact.length > 0) return { line, addresses: [...exact].sort((x, y) => x - y) };
    if (bestLine !== Infinity) return this.rowsForLine(file, bestLine);
    return { line, addresses: [] };
  }
}

/**
 * The rows of the files in `want` that gdb keeps: when the file changes at an unchanged address,
 * gdb ends the previous file's entries there, dropping its rows at that address (the code belongs
 * to the new file's line), and ignores a non-statement row of the new file at that address.
 * Breakpoint placement follows this so `break file:line` lands where gdb puts it.
 */
function gdbRows(rows: LineRow[], want: Set<number>): LineRow[] {
  const kept: LineRow[] = [];
  let lastFile: number | undefined;
  let lastAddr: number | undefined;
  const endAt = (file: number | undefined, addr: number): void => {
    if (file === undefined || !want.has(file)) return;
    while (kept.length > 0 && kept[kept.length - 1].address === addr && kept[kept.length - 1].file === file) kept.pop();
  };
  for (const r of rows) {
    if (r.endSequence) {
      endAt(lastFile, r.address);
      lastFile = undefined;
      lastAddr = undefined;
      continue;
    }
    const changed = lastFile !== undefined && r.file !== lastFile;
    const ignore = (changed && r.address === lastAddr && !r.isStmt) || r.line === 0;
    if (changed && !ignore) endAt(lastFile, r.address);
    if (!ignore) {
      if (want.has(r.file)) kept.push(r);
      lastFile = r.file;
    }
    lastAddr = r.address;
  }
  return kept;
}

/**
 * Drops the rows gdb does not record: a row repeating the previous row's file and line when that
 * line has had a non-zero discriminator (GCC marks loop iterations and branches of one line so).
 * Without this, a non-statement repeat would override the statement row before it.
 */
function dedupeDiscriminated(rows: LineRow[]): LineRow[] {
  const out: LineRow[] = [];
  let lastFile = -1;
  let lastLine = -1;
  let hasDisc = false;
  for (const r of rows) {
    hasDisc = r.line !== lastLine ? r.discriminator !== 0 : hasDisc || r.discriminator !== 0;
    const repeat = r.file === lastFile && r.line === lastLine;
    if (!repeat || !hasDisc) out.push(r);
    lastFile = r.file;
    lastLine = r.line;
  }
  return out;
}
