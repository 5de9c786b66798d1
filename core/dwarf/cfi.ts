// Call-frame information from .debug_frame and .eh_frame: CIEs, FDEs, and the table of rules
// (how to find the CFA and each saved register) that their instructions describe, per address.
import { CFA, EH_PE } from './constants';
import { Reader, hex, printable } from './reader';
import type { Sections } from './sections';

export type RegRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  /** Saved at CFA + offset. */
  | { kind: 'offset'; offset: number }
  /** The value is CFA + offset. */
  | { kind: 'val_offset'; offset: number }
  | { kind: 'register'; reg: number }
  /** Saved at the address the expression computes (with the CFA pushed first). */
  | { kind: 'expression'; expr: Uint8Array }
  | { kind: 'val_expression'; expr: Uint8Array };

export type CfaRule = { kind: 'reg'; reg: number; offset: number } | { kind: 'expr'; expr: Uint8Array };

export interface CfiRow {
  /** First address the row applies to. */
  loc: number;
  /** One past the last address (the next row's loc, or the FDE's end). */
  end: number;
  cfa: CfaRule;
  /** Registers with a rule; a register not here is unspecified (treated as same-value). */
  regs: Map<number, RegRule>;
}

export interface Cie {
  section: '.debug_frame' | '.eh_frame';
  offset: number;
  version: number;
  augmentation: string;
  codeAlign: number;
  dataAlign: number;
  raReg: number;
  fdeEncoding: number;
  addrSize: number;
  signalFrame: boolean;
  instructions: Uint8Array;
  /** Section offset of instructions[0], for messages. */
  instructionsOffset: number;
}

export interface Fde {
  section: '.debug_frame' | '.eh_frame';
  offset: number;
  cie: Cie;
  start: number;
  end: number;
  instructions: Uint8Array;
  instructionsOffset: number;
}

export class CallFrameInfo {
  /** Every FDE of both sections, sorted by start address (.debug_frame first on ties). */
  readonly fdes: Fde[] = [];
  private readonly rowCache = new Map<Fde, CfiRow[]>();

  constructor(private readonly sections: Sections) {
    this.fdes.push(...parseFrameSection(sections, '.debug_frame'));
    this.fdes.push(...parseFrameSection(sections, '.eh_frame'));
    this.fdes.sort((a, b) => a.start - b.start || (a.section === b.section ? 0 : a.section === '.debug_frame' ? -1 : 1));
  }

  get empty(): boolean {
    return this.fdes.length === 0;
  }

  fdeFor(pc: number): Fde | undefined {
    // FDEs do not nest, but they may overlap in broken files; the latest start <= pc wins.
    let lo = 0;
    let hi = this.fdes.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.fdes[mid].start <= pc) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = best; i >= 0 && i > best - 4; i--) {
      const f = this.fdes[i];
      if (pc >= f.start && pc < f.end) return f;
    }
    return undefined;
  }

  rows(fde: Fde): CfiRow[] {
    let rows = this.rowCache.get(fde);
    if (rows === undefined) {
      rows = executeFde(this.sections, fde);
      this.rowCache.set(fde, rows);
    }
    return rows;
  }

  /** The rule row in effect at pc, or undefined when no FDE covers pc. */
  rowAt(pc: number): { fde: Fde; row: CfiRow } | undefined {
    const fde = this.fdeFor(pc);
    if (fde === undefined) return undefined;
    const rows = this.rows(fde);
    for (let i = rows.length - 1; i >= 0; i--) if (rows[i].loc <= pc) return { fde, row: rows[i] };
    return undefined;
  }
}

const MAX_RECORDS = 1 << 20;

function parseFrameSection(sections: Sections, name: '.debug_frame' | '.eh_frame'): Fde[] {
  const bytes = sections.get(name);
  if (bytes === undefined) return [];
  const isEh = name === '.eh_frame';
  const sectionAddr = sections.addr(name);
  const r: Reader = new Reader(sections.where(name), bytes);
  const cies = new Map<number, Cie>();
  const fdes: Fde[] = [];

  const readCie = (offset: number): Cie => {
    const known = cies.get(offset);
    if (known !== undefined) return known;
    const cr: Reader = new Reader(r.where, bytes, offset);
    if (offset >= bytes.length) cr.fail(`CIE pointer ${hex(offset)} is past the end of the section`, offset);
    const { end, is64 } = cr.unitLength();
    const body: Reader = cr.slice(0, end);
    body.pos = cr.pos;
    const id = is64 ? body.u64big() : BigInt(body.u32());
    const cieId = isEh ? 0n : is64 ? 0xffffffffffffffffn : 0xffffffffn;
    if (id !== cieId) body.fail('expected a CIE here (an FDE points at it)', offset);
    const version = body.u8();
    if (version !== 1 && version !== 3 && version !== 4) body.fail(`unsupported CIE version ${version}`, offset);
    const augmentation = body.cstr();
    let addrSize = 4;
    if (augmentation.includes('eh')) body.skip(addrSize); // old GCC's eh_data pointer
    if (version === 4) {
      addrSize = body.u8();
      body.u8(); // segment selector size
    }
    const codeAlign = body.uleb();
    const dataAlign = body.sleb();
    const raReg = version === 1 ? body.u8() : body.uleb();
    let fdeEncoding: number = EH_PE.absptr;
    let signalFrame = false;
    if (augmentation.startsWith('z')) {
      const augLen = body.uleb();
      const augEnd = body.pos + augLen;
      if (augEnd > body.length) body.fail(`augmentation data length ${augLen} runs past the CIE`);
      for (const c of augmentation.slice(1)) {
        if (c === 'R') fdeEncoding = body.u8();
        else if (c === 'L') body.u8();
        else if (c === 'P') readEncoded(body, body.u8(), sectionAddr, addrSize);
        else if (c === 'S') signalFrame = true;
        else break; // unknown letters: the length lets us skip the rest
      }
      body.pos = augEnd;
    } else if (augmentation !== '' && !augmentation.startsWith('eh')) {
      // Without 'z' there is no way to skip data we do not understand.
      body.fail(`unsupported CIE augmentation "${printable(augmentation)}"`, offset);
    }
    const cie: Cie = {
      section: name, offset, version, augmentation, codeAlign, dataAlign, raReg, fdeEncoding, addrSize, signalFrame,
      instructions: bytes.subarray(body.pos, end), instructionsOffset: body.pos,
    };
    cies.set(offset, cie);
    return cie;
  };

  for (let n = 0; r.pos < r.length && n < MAX_RECORDS; n++) {
    const offset = r.pos;
    if (r.length - r.pos < 4) r.fail('trailing bytes too short for a CIE or FDE');
    const { length, end, is64 } = r.unitLength();
    if (length === 0) {
      if (isEh) break; // the terminator
      continue;
    }
    const idAt = r.pos;
    const body: Reader = r.slice(0, end);
    body.pos = r.pos;
    let id: number;
    let isCie: boolean;
    if (is64) {
      const big = body.u64big();
      isCie = isEh ? big === 0n : big === 0xffffffffffffffffn;
      if (!isCie && big > BigInt(bytes.length + idAt)) body.fail(`CIE pointer ${hex(Number(big))} is outside the section`, idAt);
      id = Number(big);
    } else {
      id = body.u32();
      isCie = isEh ? id === 0 : id === 0xffffffff;
    }
    if (isCie) {
      readCie(offset);
    } else {
      const cieOffset = isEh ? idAt - id : id;
      if (cieOffset < 0) body.fail(`CIE pointer ${hex(id)} points before the start of the section`, idAt);
      const cie = readCie(cieOffset);
      let start: number;
      let range: number;
      if (isEh) {
        start = readEncoded(body, cie.fdeEncoding, sectionAddr, cie.addrSize);
        range = readEncoded(body, cie.fdeEncoding & 0x0f, sectionAddr, cie.addrSize);
      } else {
        start = body.addr(cie.addrSize);
        range = body.addr(cie.addrSize);
      }
      if (cie.augmentation.startsWith('z')) {
        const augLen = body.uleb();
        body.skip(augLen);
      }
      // Zero-length FDEs are what linkers leave for discarded functions.
      if (range > 0) {
        fdes.push({ section: name, offset, cie, start: start >>> 0, end: (start >>> 0) + range, instructions: bytes.subarray(body.pos, end), instructionsOffset: body.pos });
      }
    }
    r.pos = end;
  }
  return fdes;
}

/** Reads a DW_EH_PE-encoded pointer; `r` covers a whole section slice and knows its offset. */
function readEncoded(r: Reader, enc: number, sectionAddr: number, addrSize: number): number {
  if (enc === EH_PE.omit) return 0;
  const fieldOffset = r.offset;
  let v: number;
  switch (enc & 0x0f) {
    case EH_PE.absptr: v = r.addr(addrSize); break;
    case EH_PE.uleb128: v = r.uleb(); break;
    case EH_PE.udata2: v = r.u16(); break;
    case EH_PE.udata4: v = r.u32(); break;
    case EH_PE.udata8: v = r.u64(); break;
    case EH_PE.sleb128: v = r.sleb(); break;
    case EH_PE.sdata2: v = r.i16(); break;
    case EH_PE.sdata4: v = r.i32(); break;
    case EH_PE.sdata8: v = Number(BigInt.asIntN(64, r.u64big())); break;
    default: return r.fail(`unsupported pointer encoding ${hex(enc)}`);
  }
  switch (enc & 0x70) {
    case 0: break;
    case EH_PE.pcrel: v += sectionAddr + fieldOffset; break;
    case EH_PE.datarel: case EH_PE.textrel: case EH_PE.funcrel: case EH_PE.aligned:
      // Not produced for RISC-V bare-metal code; their bases are not in the ELF header.
      return r.fail(`unsupported pointer application ${hex(enc & 0x70)}`);
    default: return r.fail(`invalid pointer encoding ${hex(enc)}`);
  }
  // indirect (0x80) would need to read target memory; only personality pointers use it.
  return v >>> 0;
}

/** Upper bound on rows per FDE (each needs at least one instruction byte, so this is generous). */
const MAX_ROWS = 1 << 16;
const MAX_STATE_DEPTH = 64;

function executeFde(sections: Sections, fde: Fde): CfiRow[] {
  const cie = fde.cie;
  const where = sections.where(fde.section);
  const rows: CfiRow[] = [];
  let cfa: CfaRule = { kind: 'reg', reg: 2, offset: 0 };
  let regs = new Map<number, RegRule>();
  let loc = fde.start;

  const run = (bytes: Uint8Array, base: number, initial: Map<number, RegRule> | undefined): void => {
    const r: Reader = new Reader(where, bytes, 0, base);
    const stack: Array<{ cfa: CfaRule; regs: Map<number, RegRule> }> = [];
    const restore = (reg: number): void => {
      const rule = initial?.get(reg);
      if (rule === undefined) regs.delete(reg);
      else regs.set(reg, rule);
    };
    const advanceTo = (to: number): void => {
      if (initial === undefined) r.fail('CIE initial instructions advance the location', r.pos - 1);
      if (to < loc) r.fail(`location moves backwards to ${hex(to)}`, r.pos - 1);
      if (to !== loc) {
        pushRow();
        loc = to;
      }
    };
    const pushRow = (): void => {
      if (rows.length >= MAX_ROWS) r.fail('too many CFI rows');
      rows.push({ loc, end: 0, cfa, regs: new Map(regs) });
    };
    const setCfaReg = (reg: number): void => {
      const c = cfa;
      if (c.kind !== 'reg') return r.fail('DW_CFA_def_cfa_register after a CFA expression', r.pos - 1);
      cfa = { kind: 'reg', reg, offset: c.offset };
    };
    const setCfaOffset = (offset: number): void => {
      const c = cfa;
      if (c.kind !== 'reg') return r.fail('DW_CFA_def_cfa_offset after a CFA expression', r.pos - 1);
      cfa = { kind: 'reg', reg: c.reg, offset };
    };
    while (r.pos < r.length) {
      const at = r.pos;
      const b = r.u8();
      const hi = b & 0xc0;
      const lo = b & 0x3f;
      if (hi === CFA.advance_loc) { advanceTo(loc + lo * cie.codeAlign); continue; }
      if (hi === CFA.offset) { regs.set(lo, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); continue; }
      if (hi === CFA.restore) { restore(lo); continue; }
      switch (b) {
        case CFA.nop: break;
        case CFA.set_loc:
          advanceTo(fde.section === '.eh_frame' ? readEncoded(r, cie.fdeEncoding, sections.addr('.eh_frame'), cie.addrSize) : r.addr(cie.addrSize));
          break;
        case CFA.advance_loc1: advanceTo(loc + r.u8() * cie.codeAlign); break;
        case CFA.advance_loc2: advanceTo(loc + r.u16() * cie.codeAlign); break;
        case CFA.advance_loc4: advanceTo(loc + r.u32() * cie.codeAlign); break;
        case CFA.offset_extended: { const reg = r.uleb(); regs.set(reg, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); break; }
        case CFA.restore_extended: restore(r.uleb()); break;
        case CFA.undefined: regs.set(r.uleb(), { kind: 'undefined' }); break;
        case CFA.same_value: regs.set(r.uleb(), { kind: 'same' }); break;
        case CFA.register: { const reg = r.uleb(); regs.set(reg, { kind: 'register', reg: r.uleb() }); break; }
        case CFA.remember_state:
          if (stack.length >= MAX_STATE_DEPTH) r.fail('DW_CFA_remember_state nested too deeply', at);
          stack.push({ cfa, regs: new Map(regs) });
          break;
        case CFA.restore_state: {
          const s = stack.pop();
          if (s === undefined) r.fail('DW_CFA_restore_state without DW_CFA_remember_state', at);
          // The CFA rule is part of the remembered state (DWARF 5 6.4.2.4, and what GCC relies on).
          cfa = s.cfa;
          regs = s.regs;
          break;
        }
        case CFA.def_cfa: { const reg = r.uleb(); cfa = { kind: 'reg', reg, offset: r.uleb() }; break; }
        case CFA.def_cfa_register: setCfaReg(r.uleb()); break;
        case CFA.def_cfa_offset: setCfaOffset(r.uleb()); break;
        case CFA.def_cfa_expression: cfa = { kind: 'expr', expr: r.bytesN(r.uleb()) }; break;
        case CFA.expression: { const reg = r.uleb(); regs.set(reg, { kind: 'expression', expr: r.bytesN(r.uleb()) }); break; }
        case CFA.offset_extended_sf: { const reg = r.uleb(); regs.set(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign }); break; }
        case CFA.def_cfa_sf: { const reg = r.uleb(); cfa = { kind: 'reg', reg, offset: r.sleb() * cie.dataAlign }; break; }
        case CFA.def_cfa_offset_sf: setCfaOffset(r.sleb() * cie.dataAlign); break;
        case CFA.val_offset: { const reg = r.uleb(); regs.set(reg, { kind: 'val_offset', offset: r.uleb() * cie.dataAlign }); break; }
        case CFA.val_offset_sf: { const reg = r.uleb(); regs.set(reg, { kind: 'val_offset', offset: r.sleb() * cie.dataAlign }); break; }
        case CFA.val_expression: { const reg = r.uleb(); regs.set(reg, { kind: 'val_expression', expr: r.bytesN(r.uleb()) }); break; }
        case CFA.GNU_args_size: r.uleb(); break;
        case CFA.GNU_negative_offset_extended: { const reg = r.uleb(); regs.set(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign }); break; }
        default: r.fail(`unknown call frame instruction ${hex(b)}`, at);
      }
    }
  };

  run(cie.instructions, cie.instructionsOffset, undefined);
  const initial = new Map(regs);
  run(fde.instructions, fde.instructionsOffset, initial);
  rows.push({ loc, end: 0, cfa, regs: new Map(regs) });
  // Rows past the FDE's end (a stray advance) cannot apply to anything.
  const kept = rows.filter((row) => row.loc < fde.end);
  for (let i = 0; i < kept.length; i++) kept[i].end = i + 1 < kept.length ? kept[i + 1].loc : fde.end;
  return kept;
}
