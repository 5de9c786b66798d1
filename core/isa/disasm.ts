// Disassembler for RV32IMAC + Zicsr + Zifencei, built on decode(). Its output matches GNU objdump
// (binutils 2.40, `objdump -d`, aliases on) instruction for instruction; test/disasm.test.ts checks
// that against objdump on every guest ELF, on all 16-bit encodings and on random 32-bit words.
//
// objdump quirks reproduced here (they come from the order of binutils' opcode table, where the
// first matching entry wins, aliases included):
//  - OP-IMM prints with the register mnemonic: `addi` → `add sp,sp,-16`, `andi` → `and`, `ori` →
//    `or`, `xori` → `xor`, `slli/srli/srai` → `sll/srl/sra` with a hex shift amount (`0x1f`);
//    `slti`/`sltiu` keep their names. Aliases first: `nop`, `li`, `mv`, `not`, `seqz`, `zext.b`.
//  - Compressed forms print their own aliases: c.addi → `add a0,a0,0` even with a zero immediate
//    (never `mv`), c.mv → `mv` (a 32-bit `add rd,zero,rs2` stays `add`), and the HINT encodings
//    (rd = zero, or shift by 0) print as `c.nop 5`, `c.li zero,3`, `c.lui zero,0x1`,
//    `c.slli zero,0x3`, `c.slli64 a0`, `c.srli64 s0`, `c.srai64 s0`, `c.mv zero,a0`, `c.add zero,a0`.
//  - Branches: `beqz`/`bnez` (rs2 = zero), `blez` (bge zero,rs) before `bgez` (bge rs,zero), `bltz`
//    before `bgtz`; never `bgt`/`ble`/`bgtu`/`bleu` (those are assembler-only).
//  - `sltz` before `sgtz`, `snez` (sltu rd,zero,rs), `neg` (sub rd,zero,rs).
//  - `jal target` when rd = ra, `j` when rd = zero; `jalr rs` / `jalr 8(rs)` when rd = ra,
//    `jr rs` / `jr 8(rs)` / `ret` when rd = zero, `jalr a0,rs` when imm = 0.
//  - CSRs: `csrr`, `csrw`, `csrs`, `csrc` (also for the immediate forms: `csrw mtvec,1`),
//    `csrrs a0,mstatus,8` for csrrsi (the `i` is dropped), `rdcycle`/`rdtime`/`rdinstret` (+`h`),
//    `unimp` for csrrw zero,cycle,zero (0xc0001073). CSR names follow objdump's table for the
//    privileged spec in use (GCC 12 stamps 1.11 into its ELFs; 1.12 renames/adds a few); unknown
//    CSRs print as hex (`0x7c0`).
//  - `fence` (iorw,iorw), `fence.tso`, `fence w,unknown` (an empty set prints `unknown`; objdump
//    prints `pause` only when the ELF declares Zihintpause, which ours don't: option `pause`).
//  - `lui a0,0x12345` / `auipc`: the 20-bit immediate in hex; other immediates in decimal.
//  - AMOs: `amoadd.w.aqrl a0,a1,(a2)`, `lr.w.aq a0,(a1)`.
//  - Branch/jump targets are absolute hex without 0x (`j 80000018`), as objdump prints them for an
//    ELF with symbols; `symbolize` may add the ` <main+0x10>` suffix.
//
// Encodings that decode() rejects print as objdump prints undecodable bits: `.2byte 0x4`,
// `.4byte 0x2265b18f` (minimal hex digits); the all-zero halfword prints as `unimp`, like objdump.
// Where objdump is stricter than our decoder (FENCE/FENCE.I with nonzero reserved fields, which the
// spec says to execute as a plain fence) we print `.4byte` like objdump, so the text never claims
// more than objdump would. Where objdump is laxer (RV32-reserved shifts by 32..63, c.addi16sp 0,
// sret/uret/dret/sfence.vma, which this M-mode-only core traps on) we print `.2byte`/`.4byte`
// because the instruction traps here; test/decode.test.ts lists those differences.
import { decode, type Decoded } from './decode';
import { Op, OP_NAMES } from './opcodes';

export interface Disassembly {
  text: string;
  len: 2 | 4;
}

/** Privileged-spec version, which selects the CSR names (as objdump's Tag_RISCV_priv_spec does). */
export type PrivSpec = '1.10' | '1.11' | '1.12';

export interface DisasmOptions {
  /** CSR name table to use; default '1.11' (what GCC 12 writes into its ELFs). */
  privSpec?: PrivSpec;
  /** Print `fence w,0` as `pause`, as objdump does when the ELF's arch string has Zihintpause. */
  pause?: boolean;
}

/** ABI register names as objdump prints them (s0, not fp). */
export const REG_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1',
  'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

// objdump 2.40's CSR names. A leading '-' marks names dropped in priv spec 1.12, '+' names added in
// 1.12, '~' a name added in 1.11. Numbered families are added below.
const CSR_LIST = `
-ustatus:000 fflags:001 frm:002 fcsr:003 -uie:004 -utvec:005 vstart:008 vxsat:009 vxrm:00a vcsr:00f seed:015
-uscratch:040 -uepc:041 -ucause:042 -utval:043 -uip:044 sstatus:100 -sedeleg:102 -sideleg:103 sie:104
stvec:105 scounteren:106 +senvcfg:10a sstateen0:10c sstateen1:10d sstateen2:10e sstateen3:10f sieh:114
sscratch:140 sepc:141 scause:142 stval:143 sip:144 stimecmp:14d siselect:150 sireg:151 siph:154 stopei:15c
stimecmph:15d satp:180 vsstatus:200 vsie:204 vstvec:205 vsieh:214 vsscratch:240 vsepc:241 vscause:242
vstval:243 vsip:244 vstimecmp:24d vsiselect:250 vsireg:251 vsiph:254 vstopei:25c vstimecmph:25d vsatp:280
mstatus:300 misa:301 medeleg:302 mideleg:303 mie:304 mtvec:305 mcounteren:306 mvien:308 mvip:309 +menvcfg:30a
mstateen0:30c mstateen1:30d mstateen2:30e mstateen3:30f +mstatush:310 midelegh:313 mieh:314 mvienh:318
mviph:319 +menvcfgh:31a mstateen0h:31c mstateen1h:31d mstateen2h:31e mstateen3h:31f ~mcountinhibit:320
mscratch:340 mepc:341 mcause:342 mtval:343 mip:344 +mtinst:34a +mtval2:34b miselect:350 mireg:351 miph:354
mtopei:35c scontext:5a8 hstatus:600 hedeleg:602 hideleg:603 hie:604 htimedelta:605 hcounteren:606 hgeie:607
hvien:608 hvictl:609 henvcfg:60a hstateen0:60c hstateen1:60d hstateen2:60e hstateen3:60f hidelegh:613
htimedeltah:615 hvienh:618 henvcfgh:61a hstateen0h:61c hstateen1h:61d hstateen2h:61e hstateen3h:61f htval:643
hip:644 hvip:645 hviprio1:646 hviprio2:647 htinst:64a hviph:655 hviprio1h:656 hviprio2h:657 hgatp:680
hcontext:6a8 +mseccfg:747 +mseccfgh:757 tselect:7a0 tdata1:7a1 tdata2:7a2 tdata3:7a3 tinfo:7a4 tcontrol:7a5
mcontext:7a8 mscontext:7aa dcsr:7b0 dpc:7b1 dscratch0:7b2 dscratch1:7b3 mcycle:b00 minstret:b02 mcycleh:b80
minstreth:b82 cycle:c00 time:c01 instret:c02 vl:c20 vtype:c21 vlenb:c22 cycleh:c80 timeh:c81 instreth:c82
scountovf:da0 stopi:db0 hgeip:e12 vstopi:eb0 mvendorid:f11 marchid:f12 mimpid:f13 mhartid:f14 +mconfigptr:f15
mtopi:fb0`;

function buildCsrTable(spec: PrivSpec): Map<number, string> {
  const t = new Map<number, string>();
  for (const entry of CSR_LIST.split(/\s+/)) {
    if (!entry) continue;
    const [tagged, hex] = entry.split(':');
    const tag = tagged[0];
    const name = '-+~'.includes(tag) ? tagged.slice(1) : tagged;
    if (tag === '-' && spec === '1.12') continue;
    if (tag === '+' && spec !== '1.12') continue;
    if (tag === '~' && spec === '1.10') continue;
    t.set(parseInt(hex, 16), name);
  }
  for (let n = 3; n <= 31; n++) {
    t.set(0x320 + n, `mhpmevent${n}`);
    t.set(0x720 + n, `mhpmevent${n}h`);
    t.set(0xb00 + n, `mhpmcounter${n}`);
    t.set(0xb80 + n, `mhpmcounter${n}h`);
    t.set(0xc00 + n, `hpmcounter${n}`);
    t.set(0xc80 + n, `hpmcounter${n}h`);
  }
  const pmp = spec === '1.12' ? { cfg: 16, addr: 64 } : { cfg: 4, addr: 16 };
  for (let n = 0; n < pmp.cfg; n++) t.set(0x3a0 + n, `pmpcfg${n}`);
  for (let n = 0; n < pmp.addr; n++) t.set(0x3b0 + n, `pmpaddr${n}`);
  return t;
}

const csrTables = new Map<PrivSpec, Map<number, string>>();

/** The CSR's name as objdump prints it, or `0x…` hex for a CSR objdump has no name for. */
export function csrName(csr: number, spec: PrivSpec = '1.11'): string {
  let t = csrTables.get(spec);
  if (!t) {
    t = buildCsrTable(spec);
    csrTables.set(spec, t);
  }
  return t.get(csr) ?? hex(csr);
}

const R = REG_NAMES;
const hex = (v: number): string => '0x' + (v >>> 0).toString(16);
const AQRL = ['', '.rl', '.aq', '.aqrl'];
/** rdcycle & co.: `csrrs rd,<counter>,zero`. */
const RD_COUNTER = new Map<number, string>([
  [0xc00, 'rdcycle'], [0xc01, 'rdtime'], [0xc02, 'rdinstret'],
  [0xc80, 'rdcycleh'], [0xc81, 'rdtimeh'], [0xc82, 'rdinstreth'],
]);
const FENCE_SET = (bits: number): string =>
  (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '') || 'unknown';

function undecodable(raw: number, len: 2 | 4): string {
  if (len === 2 && raw === 0) return 'unimp';
  return `.${len}byte ${hex(raw)}`;
}

/**
 * Disassembles the instruction whose low 16 bits (or 32 bits) are in `raw` at address `pc` (for
 * branch/jal targets). `symbolize` optionally turns a target address into a `<main+0x10>` suffix.
 */
export function disassemble(
  raw: number,
  pc: number,
  symbolize?: (addr: number) => string | undefined,
  opts: DisasmOptions = {},
): Disassembly {
  const d = decode((raw & 3) === 3 ? raw >>> 0 : raw & 0xffff);
  return { text: format(d, pc >>> 0, symbolize, opts), len: d.len };
}

function format(d: Decoded, pc: number, symbolize: ((addr: number) => string | undefined) | undefined, opts: DisasmOptions): string {
  if (d.op === Op.ILLEGAL) return undecodable(d.raw, d.len);
  const name = OP_NAMES[d.op];
  const rd = R[d.rd], rs1 = R[d.rs1], rs2 = R[d.rs2];
  const imm = d.imm;
  const target = (): string => {
    const a = (pc + imm) >>> 0;
    const s = symbolize?.(a);
    return a.toString(16) + (s ? ' ' + s : '');
  };

  if (d.len === 2) {
    const c = formatCompressedOnly(d);
    if (c !== undefined) return c;
  }

  switch (d.op) {
    case Op.LUI: case Op.AUIPC:
      return `${name} ${rd},${hex(imm >>> 12)}`;
    case Op.JAL:
      if (d.rd === 0) return `j ${target()}`;
      if (d.rd === 1) return `jal ${target()}`;
      return `jal ${rd},${target()}`;
    case Op.JALR: {
      const where = imm === 0 ? rs1 : `${imm}(${rs1})`;
      if (d.rd === 0) return d.rs1 === 1 && imm === 0 ? 'ret' : `jr ${where}`;
      if (d.rd === 1) return `jalr ${where}`;
      return `jalr ${rd},${where}`;
    }
    case Op.BEQ: case Op.BNE:
      if (d.rs2 === 0) return `${name}z ${rs1},${target()}`;
      return `${name} ${rs1},${rs2},${target()}`;
    case Op.BGE:
      if (d.rs1 === 0) return `blez ${rs2},${target()}`;
      if (d.rs2 === 0) return `bgez ${rs1},${target()}`;
      return `${name} ${rs1},${rs2},${target()}`;
    case Op.BLT:
      if (d.rs2 === 0) return `bltz ${rs1},${target()}`;
      if (d.rs1 === 0) return `bgtz ${rs2},${target()}`;
      return `${name} ${rs1},${rs2},${target()}`;
    case Op.BLTU: case Op.BGEU:
      return `${name} ${rs1},${rs2},${target()}`;
    case Op.LB: case Op.LH: case Op.LW: case Op.LBU: case Op.LHU:
      return `${name} ${rd},${imm}(${rs1})`;
    case Op.SB: case Op.SH: case Op.SW:
      return `${name} ${rs2},${imm}(${rs1})`;
    case Op.ADDI:
      if (d.rd === 0 && d.rs1 === 0 && imm === 0) return 'nop';
      if (d.rs1 === 0) return `li ${rd},${imm}`;
      if (imm === 0) return `mv ${rd},${rs1}`;
      return `add ${rd},${rs1},${imm}`;
    case Op.SLTI:
      return `slti ${rd},${rs1},${imm}`;
    case Op.SLTIU:
      return imm === 1 ? `seqz ${rd},${rs1}` : `sltiu ${rd},${rs1},${imm}`;
    case Op.XORI:
      return imm === -1 ? `not ${rd},${rs1}` : `xor ${rd},${rs1},${imm}`;
    case Op.ORI:
      return `or ${rd},${rs1},${imm}`;
    case Op.ANDI:
      return imm === 255 ? `zext.b ${rd},${rs1}` : `and ${rd},${rs1},${imm}`;
    case Op.SLLI: case Op.SRLI: case Op.SRAI:
      return `${name.slice(0, 3)} ${rd},${rs1},${hex(imm)}`;
    case Op.SUB:
      return d.rs1 === 0 ? `neg ${rd},${rs2}` : `sub ${rd},${rs1},${rs2}`;
    case Op.SLT:
      if (d.rs2 === 0) return `sltz ${rd},${rs1}`;
      if (d.rs1 === 0) return `sgtz ${rd},${rs2}`;
      return `slt ${rd},${rs1},${rs2}`;
    case Op.SLTU:
      return d.rs1 === 0 ? `snez ${rd},${rs2}` : `sltu ${rd},${rs1},${rs2}`;
    case Op.ADD: case Op.SLL: case Op.XOR: case Op.SRL: case Op.SRA: case Op.OR: case Op.AND:
    case Op.MUL: case Op.MULH: case Op.MULHSU: case Op.MULHU: case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU:
      return `${name} ${rd},${rs1},${rs2}`;
    case Op.FENCE: {
      if (d.raw === 0x8330000f) return 'fence.tso';
      if (d.raw === 0x0100000f && opts.pause) return 'pause';
      // objdump only knows fm = 0 with rd = rs1 = 0; we execute the rest as a fence (see top).
      if ((d.raw & 0xf00f8f80) !== 0) return undecodable(d.raw, 4);
      const pred = (imm >>> 4) & 15, succ = imm & 15;
      if (pred === 15 && succ === 15) return 'fence';
      return `fence ${FENCE_SET(pred)},${FENCE_SET(succ)}`;
    }
    case Op.FENCE_I:
      return d.raw === 0x0000100f ? 'fence.i' : undecodable(d.raw, 4);
    case Op.ECALL: case Op.EBREAK: case Op.MRET: case Op.WFI:
      return name;
    case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI: {
      if (d.raw === 0xc0001073) return 'unimp';
      const csr = csrName(imm, opts.privSpec);
      const isImm = d.op >= Op.CSRRWI;
      const src = isImm ? String(d.rs1) : rs1;
      const base = name.slice(0, 5); // csrrw / csrrs / csrrc
      if (d.op === Op.CSRRS && d.rs1 === 0) {
        const counter = RD_COUNTER.get(imm);
        return counter ? `${counter} ${rd}` : `csrr ${rd},${csr}`;
      }
      if (d.rd === 0) return `csr${base[4]} ${csr},${src}`;
      return `${base} ${rd},${csr},${src}`;
    }
    case Op.LR_W:
      return `${name}${AQRL[d.aqrl]} ${rd},(${rs1})`;
    case Op.SC_W: case Op.AMOSWAP_W: case Op.AMOADD_W: case Op.AMOXOR_W: case Op.AMOAND_W: case Op.AMOOR_W:
    case Op.AMOMIN_W: case Op.AMOMAX_W: case Op.AMOMINU_W: case Op.AMOMAXU_W:
      return `${name}${AQRL[d.aqrl]} ${rd},${rs2},(${rs1})`;
    default:
      return undecodable(d.raw, d.len);
  }
}

/**
 * The compressed forms objdump prints differently from their 32-bit expansion (HINTs, c.addi,
 * c.mv). Classifies by quadrant and funct3 of the raw bits; operands come from decode().
 */
function formatCompressedOnly(d: Decoded): string | undefined {
  const c = d.raw;
  const q = c & 3, f3 = c >>> 13;
  const rd = R[d.rd];
  if (q === 1) {
    if (f3 === 0) { // c.addi / c.nop
      if (d.rd !== 0) return `add ${rd},${rd},${d.imm}`;
      return d.imm === 0 ? 'nop' : `c.nop ${d.imm}`;
    }
    if (f3 === 2 && d.rd === 0) return `c.li zero,${d.imm}`;
    if (f3 === 3 && d.rd === 0) return `c.lui zero,${hex(d.imm >>> 12)}`;
    if (f3 === 4 && (d.op === Op.SRLI || d.op === Op.SRAI) && d.imm === 0) {
      return `c.${d.op === Op.SRLI ? 'srli' : 'srai'}64 ${rd}`;
    }
    return undefined;
  }
  if (q === 2) {
    if (f3 === 0) { // c.slli
      if (d.imm === 0) return `c.slli64 ${rd}`;
      if (d.rd === 0) return `c.slli zero,${hex(d.imm)}`;
      return undefined;
    }
    if (f3 === 4 && d.op === Op.ADD) {
      const rs2 = R[d.rs2];
      if (((c >>> 12) & 1) === 0) return d.rd === 0 ? `c.mv zero,${rs2}` : `mv ${rd},${rs2}`;
      return d.rd === 0 ? `c.add zero,${rs2}` : undefined;
    }
  }
  return undefined;
}

/** Disassembles `count` instructions (default: all that fit) from `bytes`, which start at address `base`. */
export function disassembleBytes(
  bytes: Uint8Array,
  base: number,
  count = Infinity,
  symbolize?: (addr: number) => string | undefined,
  opts: DisasmOptions = {},
): { addr: number; raw: number; len: 2 | 4; text: string }[] {
  const out: { addr: number; raw: number; len: 2 | 4; text: string }[] = [];
  let off = 0;
  while (out.length < count && off + 2 <= bytes.length) {
    const addr = (base + off) >>> 0;
    const lo = bytes[off] | (bytes[off + 1] << 8);
    if ((lo & 3) === 3) {
      if (off + 4 > bytes.length) { // a 32-bit instruction cut off at the end of the buffer
        out.push({ addr, raw: lo, len: 2, text: `.2byte ${hex(lo)}` });
        break;
      }
      const raw = (lo | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0;
      out.push({ addr, raw, len: 4, text: disassemble(raw, addr, symbolize, opts).text });
      off += 4;
    } else {
      out.push({ addr, raw: lo, len: 2, text: disassemble(lo, addr, symbolize, opts).text });
      off += 2;
    }
  }
  return out;
}
