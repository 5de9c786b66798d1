// ELF32 executables for the RV32 machine: the PT_LOAD segments it copies into RAM, plus the
// symbols and sections the debugger uses for "main+0x12" labels and DWARF.
//
// The input is whatever file the user points us at (or a fuzzer), so every offset and size read
// from it is checked against the file length before anything is read there. Bad input only ever
// raises ElfError, whose message is a single line naming the file, the structure and its byte
// offset, because it ends up verbatim in a VS Code notification or a CLI error.
//
// The returned image keeps views into `bytes` (no copies: debug sections can be large), so the
// caller must not modify `bytes` while the image is in use.

export class ElfError extends Error {
  override name = 'ElfError';
}

export interface ElfSegment {
  vaddr: number;
  paddr: number;
  memsz: number;
  /** The filesz bytes stored in the file; the rest of memsz is zero-filled by the loader. */
  data: Uint8Array;
  flags: number;
  fileOffset: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: 'func' | 'object' | 'notype' | 'section' | 'file' | 'other';
  bind: 'local' | 'global' | 'weak' | 'other';
  shndx: number;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  /** The section's bytes in the file; empty for SHT_NOBITS (.bss) and SHT_NULL. */
  data(): Uint8Array;
}

export interface ElfImage {
  /** The file name given, for messages. */
  name: string;
  /** Unsigned 32-bit. */
  entry: number;
  /** PT_LOAD only, in file order. */
  segments: ElfSegment[];
  /** From .symtab, without the null symbol 0; empty if stripped. */
  symbols: ElfSymbol[];
  /** Every section header, index i at position i, named from .shstrtab; empty if there are none. */
  sections: ElfSection[];
  /**
   * The symbol whose [value, value+size) contains addr (func/object preferred). Failing that,
   * the nearest zero-size code label at or below addr in the same section (assembly entry points
   * such as `_start` and `trap_entry` have no size), unless a sized function lies in between.
   */
  symbolAt(addr: number): ElfSymbol | undefined;
  /** Symbol by exact name; global beats weak beats local when a name occurs more than once. */
  symbol(name: string): ElfSymbol | undefined;
}

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;

const ET_EXEC = 2;
const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_NULL = 0;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
const SHF_ALLOC = 0x2;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;
const PN_XNUM = 0xffff;

// Only for naming the machine in the "wrong machine" error: people mostly hand us host binaries.
const MACHINES: Record<number, string> = {
  0: 'none',
  2: 'SPARC',
  3: 'x86 (i386)',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'S/390',
  40: 'ARM',
  42: 'SuperH',
  43: 'SPARC V9',
  50: 'IA-64',
  62: 'x86-64',
  83: 'AVR',
  94: 'Xtensa',
  105: 'MSP430',
  183: 'AArch64',
  243: 'RISC-V',
  247: 'BPF',
  258: 'LoongArch',
};

const E_TYPES: Record<number, string> = {
  0: 'no file type',
  1: 'a relocatable object; link it into an executable',
  3: 'a shared object or PIE; link with -static -no-pie',
  4: 'a core dump',
};

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function addr8(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Keeps names taken from the file (which may be garbage) from breaking the one-line rule:
 * C0/C1 controls (C1 includes NEL) and the Unicode line and paragraph separators.
 */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, '?');
}

const utf8 = new TextDecoder('utf-8');

export function parseElf(bytes: Uint8Array, name: string): ElfImage {
  const label = printable(name);
  const fail = (what: string): never => {
    throw new ElfError(`${label}: ${what}`);
  };
  const len = bytes.length;
  // The view must honour byteOffset: Node Buffers are often slices of a shared pool.
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (off: number): number => dv.getUint16(off, true);
  const u32 = (off: number): number => dv.getUint32(off, true);
  const pastEof = (start: number, size: number): boolean => start + size > len;
  const eofMsg = (start: number, size: number): string =>
    `[${hex(start)}, ${hex(start + size)}) extends past end of file (size ${hex(len)})`;

  // --- ELF header --------------------------------------------------------------------------
  const magicOk = (n: number): boolean =>
    (n < 1 || bytes[0] === 0x7f) && (n < 2 || bytes[1] === 0x45) && (n < 3 || bytes[2] === 0x4c) && (n < 4 || bytes[3] === 0x46);
  if (len === 0) fail('empty file (0 bytes), not an ELF executable');
  const shownMagic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (!magicOk(Math.min(len, 4))) fail(`not an ELF file (magic ${shownMagic}, expected 7f 45 4c 46)`);
  if (len < EHDR_SIZE) fail(`truncated: ${len} bytes, shorter than the ${EHDR_SIZE}-byte ELF32 header`);

  const cls = bytes[4];
  if (cls === 2) fail('64-bit ELF; rvreplay runs RV32 (rv32imac) programs');
  if (cls !== 1) fail(`invalid ELF class ${cls} at offset 0x4, expected 1 (ELF32)`);
  const data = bytes[5];
  if (data === 2) fail('big-endian ELF; rvreplay runs little-endian RISC-V programs');
  if (data !== 1) fail(`invalid ELF data encoding ${data} at offset 0x5, expected 1 (little-endian)`);
  if (bytes[6] !== 1) fail(`unsupported ELF version ${bytes[6]} at offset 0x6 (e_ident[EI_VERSION]), expected 1`);

  const eType = u16(0x10);
  if (eType !== ET_EXEC) {
    const why = E_TYPES[eType] ?? 'unknown type';
    fail(`not an executable (e_type ${eType}: ${why})`);
  }
  const machine = u16(0x12);
  if (machine !== EM_RISCV) fail(`machine is ${MACHINES[machine] ?? 'unknown'} (${machine}), expected RISC-V (${EM_RISCV})`);
  const version = u32(0x14);
  if (version !== 1) fail(`unsupported ELF version ${version} at offset 0x14 (e_version), expected 1`);

  const entry = u32(0x18) >>> 0;
  const phoff = u32(0x1c);
  const shoff = u32(0x20);
  const phentsize = u16(0x2a);
  let phnum = u16(0x2c);
  const shentsize = u16(0x2e);
  let shnum = u16(0x30);
  let shstrndx = u16(0x32);

  // --- Section header 0 carries the real counts when they overflow 16 bits --------------------
  if (shoff !== 0) {
    if (shentsize !== SHDR_SIZE) fail(`section header entry size ${shentsize} at offset 0x2e, expected ${SHDR_SIZE} for ELF32`);
    if (pastEof(shoff, SHDR_SIZE)) fail(`section header table at offset ${hex(shoff)}: ${eofMsg(shoff, SHDR_SIZE)}`);
    if (shnum === 0) shnum = u32(shoff + 20);
    if (shstrndx === SHN_XINDEX) shstrndx = u32(shoff + 24);
    if (phnum === PN_XNUM) phnum = u32(shoff + 28);
  } else {
    shnum = 0;
  }

  // --- Program headers -----------------------------------------------------------------------
  if (phnum === 0) fail('no loadable (PT_LOAD) segments: the file has no program headers (e_phnum 0)');
  if (phentsize !== PHDR_SIZE) fail(`program header entry size ${phentsize} at offset 0x2a, expected ${PHDR_SIZE} for ELF32`);
  if (pastEof(phoff, phnum * PHDR_SIZE)) {
    fail(`program header table at offset ${hex(phoff)} (${phnum} entries): ${eofMsg(phoff, phnum * PHDR_SIZE)}`);
  }

  const segments: ElfSegment[] = [];
  const segHeader: number[] = []; // program header index of each segment, for messages
  const where = (i: number): string => `program header ${i} at offset ${hex(phoff + i * PHDR_SIZE)}`;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * PHDR_SIZE;
    if (u32(ph) !== PT_LOAD) continue;
    const offset = u32(ph + 4);
    const vaddr = u32(ph + 8) >>> 0;
    const paddr = u32(ph + 12) >>> 0;
    const filesz = u32(ph + 16);
    const memsz = u32(ph + 20);
    const flags = u32(ph + 24);
    if (filesz > memsz) fail(`${where(i)}: file size ${hex(filesz)} exceeds memory size ${hex(memsz)}`);
    if (pastEof(offset, filesz)) fail(`${where(i)}: segment data ${eofMsg(offset, filesz)}`);
    // Plain number arithmetic (not >>> 0) so an end of exactly 2^32 is representable.
    if (paddr + memsz > 0x1_0000_0000) fail(`${where(i)}: segment at paddr ${addr8(paddr)} (memory size ${hex(memsz)}) wraps past the end of the 32-bit address space`);
    if (vaddr + memsz > 0x1_0000_0000) fail(`${where(i)}: segment at vaddr ${addr8(vaddr)} (memory size ${hex(memsz)}) wraps past the end of the 32-bit address space`);
    segments.push({ vaddr, paddr, memsz, data: bytes.subarray(offset, offset + filesz), flags, fileOffset: offset });
    segHeader.push(i);
  }
  if (segments.length === 0) fail(`no loadable (PT_LOAD) segments among ${phnum} program header(s)`);

  // Loading one segment over another would silently depend on load order; QEMU refuses too.
  // Compared by paddr because that is where the loader puts them.
  const order = segments.map((_, k) => k).filter((k) => segments[k].memsz > 0);
  order.sort((a, b) => segments[a].paddr - segments[b].paddr || a - b);
  for (let n = 1; n < order.length; n++) {
    const prev = segments[order[n - 1]];
    const cur = segments[order[n]];
    if (cur.paddr < prev.paddr + prev.memsz) {
      const [first, second] = order[n - 1] < order[n] ? [order[n - 1], order[n]] : [order[n], order[n - 1]];
      const a = segments[first];
      const b = segments[second];
      fail(`${where(segHeader[second])}: segment [${addr8(b.paddr)}, ${addr8(b.paddr + b.memsz)}) overlaps program header ${segHeader[first]}'s [${addr8(a.paddr)}, ${addr8(a.paddr + a.memsz)})`);
    }
  }

  // --- Section headers -----------------------------------------------------------------------
  // Sections are optional for running (a stripped file has none), but when the file has a table
  // we read all of it: a table cut short almost always means a truncated copy of the file, and
  // silently dropping the symbols would only surface later as a baffling debugger.
  const sections: ElfSection[] = [];
  const symbols: ElfSymbol[] = [];
  if (shnum > 0) {
    if (pastEof(shoff, shnum * SHDR_SIZE)) {
      fail(`section header table at offset ${hex(shoff)} (${shnum} entries): ${eofMsg(shoff, shnum * SHDR_SIZE)}`);
    }
    const shWhere = (i: number): string => `section header ${i} at offset ${hex(shoff + i * SHDR_SIZE)}`;
    interface RawSection { nameOff: number; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number }
    const raw: RawSection[] = [];
    for (let i = 0; i < shnum; i++) {
      const sh = shoff + i * SHDR_SIZE;
      raw.push({
        nameOff: u32(sh),
        type: u32(sh + 4),
        flags: u32(sh + 8),
        addr: u32(sh + 12) >>> 0,
        offset: u32(sh + 16),
        size: u32(sh + 20),
        link: u32(sh + 24),
        entsize: u32(sh + 36),
      });
    }
    const hasData = (s: RawSection): boolean => s.type !== SHT_NOBITS && s.type !== SHT_NULL;
    const checkData = (i: number, secName: string): void => {
      const s = raw[i];
      const named = secName === '' ? '' : ` (${printable(secName)})`;
      if (hasData(s) && pastEof(s.offset, s.size)) fail(`${shWhere(i)}${named}: section data ${eofMsg(s.offset, s.size)}`);
    };

    // Reads a NUL-terminated string from a string table section that is already bounds-checked.
    const strAt = (tab: RawSection, tabName: string, off: number, who: string): string => {
      if (off >= tab.size) {
        if (off === 0) return ''; // an empty string table still names everything ""
        fail(`${who}: name offset ${hex(off)} is past the end of ${tabName} (size ${hex(tab.size)})`);
      }
      const start = tab.offset + off;
      const end = tab.offset + tab.size;
      let p = start;
      while (p < end && bytes[p] !== 0) p++;
      if (p === end) fail(`${who}: name at offset ${hex(off)} in ${tabName} is not NUL-terminated`);
      return utf8.decode(bytes.subarray(start, p));
    };

    let shstr: RawSection | undefined;
    if (shstrndx !== SHN_UNDEF) {
      if (shstrndx >= shnum) fail(`section name table index ${shstrndx} (e_shstrndx, offset 0x32) is out of range (${shnum} sections)`);
      shstr = raw[shstrndx];
      if (shstr.type !== SHT_STRTAB) fail(`${shWhere(shstrndx)}: section name table (e_shstrndx ${shstrndx}) has type ${shstr.type}, expected ${SHT_STRTAB} (SHT_STRTAB)`);
      checkData(shstrndx, '');
    }
    for (let i = 0; i < shnum; i++) {
      const s = raw[i];
      const secName = shstr === undefined ? '' : strAt(shstr, 'the section name table', s.nameOff, shWhere(i));
      checkData(i, secName);
      const view = hasData(s) ? bytes.subarray(s.offset, s.offset + s.size) : new Uint8Array(0);
      sections.push({ name: secName, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size, data: () => view });
    }

    const symIdx = raw.findIndex((s) => s.type === SHT_SYMTAB);
    if (symIdx >= 0) {
      const st = raw[symIdx];
      const stName = printable(sections[symIdx].name || 'symbol table');
      const stWhere = `${shWhere(symIdx)} (${stName})`;
      if (st.entsize !== SYM_SIZE) fail(`${stWhere}: symbol entry size ${st.entsize}, expected ${SYM_SIZE}`);
      if (st.link === 0 || st.link >= shnum) fail(`${stWhere}: string table index ${st.link} (sh_link) is out of range (${shnum} sections)`);
      const strtab = raw[st.link];
      if (strtab.type !== SHT_STRTAB) fail(`${stWhere}: its string table, section ${st.link}, has type ${strtab.type}, expected ${SHT_STRTAB} (SHT_STRTAB)`);
      const strName = printable(sections[st.link].name || `section ${st.link}`);
      const count = Math.floor(st.size / SYM_SIZE);
      for (let k = 1; k < count; k++) {
        const o = st.offset + k * SYM_SIZE;
        const info = bytes[o + 12];
        const shndx = u16(o + 14);
        const typeCode = info & 0xf;
        const type = typeCode === 0 ? 'notype' : typeCode === 1 ? 'object' : typeCode === 2 ? 'func' : typeCode === 3 ? 'section' : typeCode === 4 ? 'file' : 'other';
        const bindCode = info >>> 4;
        const bind = bindCode === 0 ? 'local' : bindCode === 1 ? 'global' : bindCode === 2 ? 'weak' : 'other';
        let symName = strAt(strtab, strName, u32(o), `symbol ${k} at offset ${hex(o)}`);
        // Section symbols are unnamed in .strtab; readelf and gdb show the section's name.
        if (symName === '' && type === 'section' && shndx < shnum) symName = sections[shndx].name;
        symbols.push({ name: symName, value: u32(o + 4) >>> 0, size: u32(o + 8), type, bind, shndx });
      }
    }
  }

  return makeImage(name, entry, segments, symbols, sections);
}

const BIND_RANK: Record<ElfSymbol['bind'], number> = { global: 3, weak: 2, local: 1, other: 0 };

function makeImage(name: string, entry: number, segments: ElfSegment[], symbols: ElfSymbol[], sections: ElfSection[]): ElfImage {
  const defined = (s: ElfSymbol): boolean => s.shndx !== SHN_UNDEF;
  // Mapping symbols ($x, $d) and assembler locals (.L*) mark spots, not things worth naming.
  const isLabelName = (n: string): boolean => n !== '' && !n.startsWith('$') && !n.startsWith('.L');
  const sizedPreferred = symbols.filter((s) => defined(s) && s.size > 0 && (s.type === 'func' || s.type === 'object'));
  const sizedOther = symbols.filter((s) => defined(s) && s.size > 0 && (s.type === 'notype' || s.type === 'other'));
  const labels = symbols.filter((s) => defined(s) && s.size === 0 && (s.type === 'func' || s.type === 'notype') && s.shndx < SHN_LORESERVE && s.shndx < sections.length && isLabelName(s.name));

  const byName = new Map<string, ElfSymbol>();
  for (const s of symbols) {
    const had = byName.get(s.name);
    if (had === undefined || BIND_RANK[s.bind] > BIND_RANK[had.bind]) byName.set(s.name, s);
  }

  // The innermost (highest-starting) match wins, then the more visible binding.
  const better = (a: ElfSymbol, b: ElfSymbol | undefined): boolean =>
    b === undefined || a.value > b.value || (a.value === b.value && BIND_RANK[a.bind] > BIND_RANK[b.bind]);
  const containing = (list: ElfSymbol[], addr: number): ElfSymbol | undefined => {
    let best: ElfSymbol | undefined;
    for (const s of list) if (addr - s.value >>> 0 < s.size && better(s, best)) best = s;
    return best;
  };

  return {
    name,
    entry,
    segments,
    symbols,
    sections,
    symbolAt(addr: number): ElfSymbol | undefined {
      addr >>>= 0;
      const hit = containing(sizedPreferred, addr) ?? containing(sizedOther, addr);
      if (hit !== undefined) return hit;
      let label: ElfSymbol | undefined;
      for (const s of labels) {
        if (s.value > addr || !better(s, label)) continue;
        const sec = sections[s.shndx];
        if ((sec.flags & SHF_ALLOC) !== 0 && addr - sec.addr >>> 0 < sec.size) label = s;
      }
      if (label === undefined) return undefined;
      // A sized function starting after the label and ending before addr means addr is not the
      // label's code any more, just something unnamed further on.
      for (const s of sizedPreferred) if (s.value > label.value && s.value <= addr) return undefined;
      return label;
    },
    symbol(symName: string): ElfSymbol | undefined {
      return byName.get(symName);
    },
  };
}

/**
 * Checks every PT_LOAD segment lies inside [ramBase, ramBase+ramSize), by paddr as QEMU's
 * -kernel ELF loader places them. Empty segments load nothing and are not checked.
 */
export function checkSegmentsFit(img: ElfImage, ramBase: number, ramSize: number): void {
  const base = ramBase >>> 0;
  const end = base + ramSize; // may be exactly 2^32 for RAM at the top of the address space
  const ram = `RAM [${addr8(base)}, ${addr8(end)})`;
  img.segments.forEach((seg, k) => {
    if (seg.memsz === 0) return;
    const start = seg.paddr >>> 0;
    const stop = start + seg.memsz;
    if (start >= base && stop <= end) return;
    const range = `[${addr8(start)}, ${addr8(stop)})`;
    let why: string;
    if (start >= base && start < end) why = `extends ${hex(stop - end)} bytes past the end of ${ram}`;
    else why = `is outside ${ram}`;
    throw new ElfError(`${printable(img.name)}: PT_LOAD segment ${k} (file offset ${hex(seg.fileOffset)}) at paddr ${range} ${why}`);
  });
}
