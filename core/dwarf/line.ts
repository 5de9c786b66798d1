// .debug_line: the line-number program of one unit (DWARF 2-5), run into rows.
import { FORM, LNCT, LNE, LNS } from './constants';
import { Reader, hex } from './reader';
import type { Sections } from './sections';

export interface LineRow {
  address: number;
  /** Index into LineTable.paths (DWARF's file number). */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  basicBlock: boolean;
  endSequence: boolean;
  prologueEnd: boolean;
  epilogueBegin: boolean;
  discriminator: number;
}

export interface LineSequence {
  /** Address of the first row. */
  start: number;
  /** Address of the end_sequence row: one past the last instruction. */
  end: number;
  /** Rows in program order, the end_sequence row last. */
  rows: LineRow[];
}

export interface LineTable {
  offset: number;
  version: number;
  /** Absolute, normalized path of each file number; '' for numbers the table leaves unused. */
  paths: string[];
  sequences: LineSequence[];
}

/**
 * Runs the line program at `offset`. `compDir` and `cuName` come from the unit's root DIE: DWARF
 * 2-4 tables leave directory 0 (and so relative paths) to mean the compilation directory.
 */
export function parseLineTable(sections: Sections, offset: number, compDir: string | undefined, addrSizeHint: number): LineTable {
  const bytes = sections.get('.debug_line');
  const sec: Reader = new Reader(sections.where('.debug_line'), bytes ?? new Uint8Array(0));
  if (bytes === undefined) sec.fail(`a unit refers to a line table at ${hex(offset)}, but the section is missing`, 0);
  if (offset >= sec.length) sec.fail(`line table offset ${hex(offset)} is past the end of the section`, offset);
  sec.pos = offset;
  const { end, is64 } = sec.unitLength();
  const r: Reader = sec.slice(0, end);
  r.pos = sec.pos;
  const version = r.u16();
  if (version < 2 || version > 5) r.fail(`unsupported line table version ${version}`, offset);
  let addrSize = addrSizeHint;
  if (version >= 5) {
    addrSize = r.u8();
    r.u8(); // segment selector size
  }
  const headerLength = r.offsetOf(is64);
  const programStart = r.pos + headerLength;
  if (programStart > end) r.fail(`header length ${hex(headerLength)} runs past the end of the table`, r.pos);
  const minInsnLength = r.u8();
  const maxOps = version >= 4 ? r.u8() || 1 : 1;
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = r.i8();
  const lineRange = r.u8();
  if (lineRange === 0) r.fail('line_range is 0', r.pos - 1);
  const opcodeBase = r.u8();
  const stdLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(r.u8());

  const dirs: string[] = [];
  const files: Array<{ name: string; dir: number }> = [];
  if (version >= 5) {
    const readEntries = (what: string): Array<Map<number, string | number>> => {
      const formatCount = r.u8();
      const format: Array<[number, number]> = [];
      for (let i = 0; i < formatCount; i++) format.push([r.uleb(), r.uleb()]);
      const count = r.uleb();
      if (count > r.length) r.fail(`${what} count ${count} is impossible`);
      const out: Array<Map<number, string | number>> = [];
      for (let i = 0; i < count; i++) {
        const e = new Map<number, string | number>();
        for (const [type, form] of format) e.set(type, readEntryForm(sections, r, form, is64));
        out.push(e);
      }
      return out;
    };
    for (const e of readEntries('directory')) dirs.push(String(e.get(LNCT.path) ?? ''));
    for (const e of readEntries('file name')) {
      const dir = e.get(LNCT.directory_index);
      files.push({ name: String(e.get(LNCT.path) ?? ''), dir: typeof dir === 'number' ? dir : 0 });
    }
  } else {
    dirs.push(compDir ?? '');
    for (;;) {
      const d = r.cstr();
      if (d === '') break;
      dirs.push(d);
    }
    files.push({ name: '', dir: 0 }); // file numbers start at 1 before DWARF 5
    for (;;) {
      const name = r.cstr();
      if (name === '') break;
      const dir = r.uleb();
      r.uleb(); // mtime
      r.uleb(); // length
      files.push({ name, dir });
    }
  }
  if (r.pos > programStart) r.fail('line table header is longer than its header_length says', offset);

  const paths: string[] = [];
  const pathOf = (f: { name: string; dir: number }): string => {
    if (f.name === '') return '';
    let dir = dirs[f.dir] ?? '';
    if (!isAbsolute(dir) && compDir !== undefined) dir = joinPath(compDir, dir);
    return normalizePath(joinPath(dir, f.name));
  };
  for (const f of files) paths.push(pathOf(f));

  // --- The state machine --------------------------------------------------------------------
  r.pos = programStart;
  const sequences: LineSequence[] = [];
  const mask = addrSize >= 8 ? Number.MAX_SAFE_INTEGER : 2 ** (addrSize * 8) - 1;
  let rows: LineRow[] = [];
  let address = 0;
  let opIndex = 0;
  let file = 1;
  let line = 1;
  let column = 0;
  let isStmt = defaultIsStmt;
  let basicBlock = false;
  let prologueEnd = false;
  let epilogueBegin = false;
  let discriminator = 0;
  const reset = (): void => {
    address = 0; opIndex = 0; file = 1; line = 1; column = 0; isStmt = defaultIsStmt;
    basicBlock = false; prologueEnd = false; epilogueBegin = false; discriminator = 0;
  };
  const emit = (endSequence: boolean): void => {
    rows.push({ address, file, line, column, isStmt, basicBlock, endSequence, prologueEnd, epilogueBegin, discriminator });
    basicBlock = false; prologueEnd = false; epilogueBegin = false; discriminator = 0;
  };
  const advance = (opAdvance: number): void => {
    if (maxOps === 1) {
      address = (address + minInsnLength * opAdvance) % (mask + 1);
    } else {
      address = (address + minInsnLength * Math.floor((opIndex + opAdvance) / maxOps)) % (mask + 1);
      opIndex = (opIndex + opAdvance) % maxOps;
    }
  };
  while (r.pos < end) {
    const opAt = r.pos;
    const op = r.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      advance(Math.floor(adj / lineRange));
      line += lineBase + (adj % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        if (len === 0) r.fail('extended opcode with length 0', opAt);
        const next = r.pos + len;
        if (next > end) r.fail(`extended opcode length ${len} runs past the end of the table`, opAt);
        const sub = r.u8();
        switch (sub) {
          case LNE.end_sequence:
            emit(true);
            if (rows.length > 0) {
              sequences.push({ start: rows[0].address, end: address, rows });
            }
            rows = [];
            reset();
            break;
          case LNE.set_address:
            address = len - 1 === 8 ? r.u64() : r.addr(len - 1);
            opIndex = 0;
            break;
          case LNE.define_file: {
            const name = r.cstr();
            const dir = r.uleb();
            r.uleb();
            r.uleb();
            paths.push(pathOf({ name, dir }));
            break;
          }
          case LNE.set_discriminator:
            discriminator = r.uleb();
            break;
          default:
            break; // vendor extensions: skipped by length
        }
        r.pos = next;
        break;
      }
      case LNS.copy:
        emit(false);
        break;
      case LNS.advance_pc:
        advance(r.uleb());
        break;
      case LNS.advance_line:
        line += r.sleb();
        break;
      case LNS.set_file:
        file = r.uleb();
        break;
      case LNS.set_column:
        column = r.uleb();
        break;
      case LNS.negate_stmt:
        isStmt = !isStmt;
        break;
      case LNS.set_basic_block:
        basicBlock = true;
        break;
      case LNS.const_add_pc:
        advance(Math.floor((255 - opcodeBase) / lineRange));
        break;
      case LNS.fixed_advance_pc:
        address = (address + r.u16()) % (mask + 1);
        opIndex = 0;
        break;
      case LNS.set_prologue_end:
        prologueEnd = true;
        break;
      case LNS.set_epilogue_begin:
        epilogueBegin = true;
        break;
      case LNS.set_isa:
        r.uleb();
        break;
      default:
        // An opcode this reader does not know, but whose operand count the header gives.
        for (let i = 0; i < (stdLengths[op] ?? 0); i++) r.uleb();
        break;
    }
  }
  // A table that ends without end_sequence: keep its rows (objdump does), ending at the last row.
  if (rows.length > 0) sequences.push({ start: rows[0].address, end: rows[rows.length - 1].address, rows });
  return { offset, version, paths, sequences };
}

function readEntryForm(sections: Sections, r: Reader, form: number, is64: boolean): string | number {
  const strAt = (name: '.debug_str' | '.debug_line_str', off: number): string => {
    const bytes = sections.get(name);
    const sr: Reader = new Reader(sections.where(name), bytes ?? new Uint8Array(0), off);
    if (bytes === undefined || off >= bytes.length) sr.fail(`string offset ${hex(off)} (from .debug_line ${hex(r.offset)}) is outside the section`, off);
    return sr.cstr();
  };
  switch (form) {
    case FORM.string: return r.cstr();
    case FORM.line_strp: return strAt('.debug_line_str', r.offsetOf(is64));
    case FORM.strp: return strAt('.debug_str', r.offsetOf(is64));
    case FORM.udata: return r.uleb();
    case FORM.data1: return r.u8();
    case FORM.data2: return r.u16();
    case FORM.data4: return r.u32();
    case FORM.data8: r.skip(8); return 0;
    case FORM.data16: r.skip(16); return 0;
    case FORM.block: r.skip(r.uleb()); return 0;
    case FORM.strx: case FORM.strx1: case FORM.strx2: case FORM.strx3: case FORM.strx4:
      // Index forms need the unit's str_offsets_base, which a line table does not have.
      return r.fail(`file entry uses string index form ${hex(form)}, which is only valid in split units`);
    default:
      return r.fail(`unsupported form ${hex(form)} in a file entry`);
  }
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

export function joinPath(dir: string, name: string): string {
  if (dir === '' || isAbsolute(name)) return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** Resolves "." and ".." lexically, as editors name files (gdb does too when it prints fullnames). */
export function normalizePath(p: string): string {
  if (p === '') return p;
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined === '' ? '.' : joined;
}
