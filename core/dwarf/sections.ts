// Finds the debug sections of an ELF image, decompressing SHF_COMPRESSED ones (ld's
// --compress-debug-sections=zlib), so the rest of the layer sees plain bytes.
import { inflateSync } from 'node:zlib';
import type { ElfImage } from '../elf/elf';
import { DwarfError, hex, printable } from './reader';

const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const SHT_NOBITS = 8;

export const DEBUG_SECTIONS = [
  '.debug_info', '.debug_abbrev', '.debug_str', '.debug_line', '.debug_line_str', '.debug_str_offsets',
  '.debug_addr', '.debug_ranges', '.debug_rnglists', '.debug_loc', '.debug_loclists', '.debug_frame',
  '.debug_types', '.debug_aranges', '.eh_frame',
] as const;

export type SectionName = (typeof DEBUG_SECTIONS)[number];

export interface Sections {
  /** The file name, for messages. */
  file: string;
  get(name: SectionName): Uint8Array | undefined;
  /** Load address of a section (needed for .eh_frame's pc-relative pointers). */
  addr(name: SectionName): number;
  /** "prog.elf: .debug_info", the prefix of every DwarfError about that section. */
  where(name: SectionName): string;
}

export function findSections(elf: ElfImage): Sections {
  const file = printable(elf.name);
  const byName = new Map<string, { data: () => Uint8Array; addr: number }>();
  for (const s of elf.sections) {
    if (!(DEBUG_SECTIONS as readonly string[]).includes(s.name) || byName.has(s.name) || s.type === SHT_NOBITS) continue;
    let cached: Uint8Array | undefined;
    const compressed = (s.flags & SHF_COMPRESSED) !== 0;
    byName.set(s.name, {
      addr: s.addr,
      data: () => (cached ??= compressed ? decompress(file, s.name, s.data()) : s.data()),
    });
  }
  return {
    file,
    get: (name) => byName.get(name)?.data(),
    addr: (name) => byName.get(name)?.addr ?? 0,
    where: (name) => `${file}: ${name}`,
  };
}

function decompress(file: string, name: string, raw: Uint8Array): Uint8Array {
  const where = `${file}: ${name}`;
  // Elf32_Chdr: ch_type, ch_size, ch_addralign.
  if (raw.length < 12) throw new DwarfError(`${where} offset 0x0: compressed section shorter than its 12-byte header`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const type = dv.getUint32(0, true);
  const size = dv.getUint32(4, true);
  if (type !== ELFCOMPRESS_ZLIB) throw new DwarfError(`${where} offset 0x0: unsupported compression type ${type} (only zlib)`);
  let out: Buffer;
  try {
    out = inflateSync(raw.subarray(12), { maxOutputLength: Math.max(size, 1) });
  } catch (e) {
    throw new DwarfError(`${where} offset 0xc: zlib data is corrupt (${printable(String((e as Error).message))})`);
  }
  if (out.length !== size) throw new DwarfError(`${where} offset 0x4: decompressed to ${hex(out.length)} bytes, header says ${hex(size)}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
