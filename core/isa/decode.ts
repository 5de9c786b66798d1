// Instruction decoder for RV32IMAC + Zicsr + Zifencei (machine mode). Pure: bits in, fields out.
// Compressed (RVC) instructions are expanded to the base operation they stand for, so everything
// downstream (interpreter, disassembler, later the JIT) handles one form of each operation.
import { Op } from './opcodes';

export interface Decoded {
  op: Op;
  rd: number;
  rs1: number;
  rs2: number;
  /** Immediate, sign-extended; for CSR ops the CSR number; for FENCE the pred/succ byte (imm & 0xff). */
  imm: number;
  /** Instruction length in bytes: 2 for compressed, 4 otherwise. */
  len: 2 | 4;
  /** The raw instruction bits (16 or 32), e.g. for mtval on illegal instruction. */
  raw: number;
  /** Atomics: aq (bit 1) and rl (bit 0). */
  aqrl: number;
}

/** True when the low 16 bits start a 32-bit instruction. */
export function isLong(lo16: number): boolean {
  return (lo16 & 3) === 3;
}

function d(op: Op, rd: number, rs1: number, rs2: number, imm: number, len: 2 | 4, raw: number, aqrl = 0): Decoded {
  return { op, rd, rs1, rs2, imm, len, raw, aqrl };
}

const illegal = (raw: number, len: 2 | 4): Decoded => d(Op.ILLEGAL, 0, 0, 0, 0, len, raw);

/** Decodes one instruction. `raw` holds 32 bits for a long instruction, or 16 bits for a compressed one. */
export function decode(raw: number): Decoded {
  if ((raw & 3) !== 3) return decodeCompressed(raw & 0xffff);
  return decode32(raw >>> 0);
}

function decode32(i: number): Decoded {
  const opcode = i & 0x7f;
  const rd = (i >>> 7) & 31;
  const f3 = (i >>> 12) & 7;
  const rs1 = (i >>> 15) & 31;
  const rs2 = (i >>> 20) & 31;
  const f7 = i >>> 25;
  const immI = i >> 20;
  switch (opcode) {
    case 0x37: return d(Op.LUI, rd, 0, 0, i & 0xfffff000, 4, i);
    case 0x17: return d(Op.AUIPC, rd, 0, 0, i & 0xfffff000, 4, i);
    case 0x6f: {
      const imm = (((i >> 31) << 20) | (((i >>> 12) & 0xff) << 12) | (((i >>> 20) & 1) << 11) | (((i >>> 21) & 0x3ff) << 1));
      return d(Op.JAL, rd, 0, 0, imm, 4, i);
    }
    case 0x67: return f3 === 0 ? d(Op.JALR, rd, rs1, 0, immI, 4, i) : illegal(i, 4);
    case 0x63: {
      const imm = ((i >> 31) << 12) | (((i >>> 7) & 1) << 11) | (((i >>> 25) & 0x3f) << 5) | (((i >>> 8) & 0xf) << 1);
      const ops = [Op.BEQ, Op.BNE, Op.ILLEGAL, Op.ILLEGAL, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
      return ops[f3] === Op.ILLEGAL ? illegal(i, 4) : d(ops[f3], 0, rs1, rs2, imm, 4, i);
    }
    case 0x03: {
      const ops = [Op.LB, Op.LH, Op.LW, Op.ILLEGAL, Op.LBU, Op.LHU, Op.ILLEGAL, Op.ILLEGAL];
      return ops[f3] === Op.ILLEGAL ? illegal(i, 4) : d(ops[f3], rd, rs1, 0, immI, 4, i);
    }
    case 0x23: {
      const imm = ((i >> 25) << 5) | ((i >>> 7) & 31);
      const ops = [Op.SB, Op.SH, Op.SW];
      return f3 < 3 ? d(ops[f3], 0, rs1, rs2, imm, 4, i) : illegal(i, 4);
    }
    case 0x13:
      switch (f3) {
        case 0: return d(Op.ADDI, rd, rs1, 0, immI, 4, i);
        case 2: return d(Op.SLTI, rd, rs1, 0, immI, 4, i);
        case 3: return d(Op.SLTIU, rd, rs1, 0, immI, 4, i);
        case 4: return d(Op.XORI, rd, rs1, 0, immI, 4, i);
        case 6: return d(Op.ORI, rd, rs1, 0, immI, 4, i);
        case 7: return d(Op.ANDI, rd, rs1, 0, immI, 4, i);
        case 1: return f7 === 0 ? d(Op.SLLI, rd, rs1, 0, rs2, 4, i) : illegal(i, 4);
        default: // 5
          if (f7 === 0) return d(Op.SRLI, rd, rs1, 0, rs2, 4, i);
          if (f7 === 0x20) return d(Op.SRAI, rd, rs1, 0, rs2, 4, i);
          return illegal(i, 4);
      }
    case 0x33: {
      if (f7 === 0) {
        const ops = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND];
        return d(ops[f3], rd, rs1, rs2, 0, 4, i);
      }
      if (f7 === 0x20) {
        if (f3 === 0) return d(Op.SUB, rd, rs1, rs2, 0, 4, i);
        if (f3 === 5) return d(Op.SRA, rd, rs1, rs2, 0, 4, i);
        return illegal(i, 4);
      }
      if (f7 === 1) {
        const ops = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU];
        return d(ops[f3], rd, rs1, rs2, 0, 4, i);
      }
      return illegal(i, 4);
    }
    case 0x0f:
      // FENCE ignores rd/rs1/fm per the spec's "reserved for future use, execute as fence".
      if (f3 === 0) return d(Op.FENCE, rd, rs1, 0, (i >>> 20) & 0xfff, 4, i);
      if (f3 === 1) return d(Op.FENCE_I, rd, rs1, 0, immI, 4, i);
      return illegal(i, 4);
    case 0x73: {
      const csr = (i >>> 20) & 0xfff;
      switch (f3) {
        case 0:
          if (rd !== 0) return illegal(i, 4);
          if (i === 0x00000073) return d(Op.ECALL, 0, 0, 0, 0, 4, i);
          if (i === 0x00100073) return d(Op.EBREAK, 0, 0, 0, 0, 4, i);
          if (i === 0x30200073) return d(Op.MRET, 0, 0, 0, 0, 4, i);
          if (i === 0x10500073) return d(Op.WFI, 0, 0, 0, 0, 4, i);
          return illegal(i, 4);
        case 1: return d(Op.CSRRW, rd, rs1, 0, csr, 4, i);
        case 2: return d(Op.CSRRS, rd, rs1, 0, csr, 4, i);
        case 3: return d(Op.CSRRC, rd, rs1, 0, csr, 4, i);
        case 5: return d(Op.CSRRWI, rd, rs1, 0, csr, 4, i);
        case 6: return d(Op.CSRRSI, rd, rs1, 0, csr, 4, i);
        case 7: return d(Op.CSRRCI, rd, rs1, 0, csr, 4, i);
        default: return illegal(i, 4);
      }
    }
    case 0x2f: {
      if (f3 !== 2) return illegal(i, 4);
      const f5 = i >>> 27;
      const aqrl = (i >>> 25) & 3;
      switch (f5) {
        case 0x02: return rs2 === 0 ? d(Op.LR_W, rd, rs1, 0, 0, 4, i, aqrl) : illegal(i, 4);
        case 0x03: return d(Op.SC_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x01: return d(Op.AMOSWAP_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x00: return d(Op.AMOADD_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x04: return d(Op.AMOXOR_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x0c: return d(Op.AMOAND_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x08: return d(Op.AMOOR_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x10: return d(Op.AMOMIN_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x14: return d(Op.AMOMAX_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x18: return d(Op.AMOMINU_W, rd, rs1, rs2, 0, 4, i, aqrl);
        case 0x1c: return d(Op.AMOMAXU_W, rd, rs1, rs2, 0, 4, i, aqrl);
        default: return illegal(i, 4);
      }
    }
    default:
      return illegal(i, 4);
  }
}

const bit = (v: number, n: number): number => (v >>> n) & 1;
/** Sign-extends the low `bits` bits of v. */
const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

function decodeCompressed(c: number): Decoded {
  const q = c & 3;
  const f3 = c >>> 13;
  const rdFull = (c >>> 7) & 31;
  const rs2Full = (c >>> 2) & 31;
  const rdp = 8 + ((c >>> 2) & 7); // rd' / rs2' in bits 4:2
  const rs1p = 8 + ((c >>> 7) & 7); // rs1' / rd' in bits 9:7
  const imm6 = sext((bit(c, 12) << 5) | ((c >>> 2) & 31), 6);
  const X = (op: Op, rd: number, rs1: number, rs2: number, imm: number): Decoded => d(op, rd, rs1, rs2, imm, 2, c);
  if (q === 0) {
    switch (f3) {
      case 0: { // c.addi4spn
        const imm = (((c >>> 7) & 0xf) << 6) | (((c >>> 11) & 3) << 4) | (bit(c, 5) << 3) | (bit(c, 6) << 2);
        return imm === 0 ? illegal(c, 2) : X(Op.ADDI, rdp, 2, 0, imm);
      }
      case 2: case 6: { // c.lw / c.sw
        const imm = (bit(c, 5) << 6) | (((c >>> 10) & 7) << 3) | (bit(c, 6) << 2);
        return f3 === 2 ? X(Op.LW, rdp, rs1p, 0, imm) : X(Op.SW, 0, rs1p, rdp, imm);
      }
      default: return illegal(c, 2); // floating point and reserved
    }
  }
  if (q === 1) {
    switch (f3) {
      case 0: return X(Op.ADDI, rdFull, rdFull, 0, imm6); // c.addi / c.nop (hints included)
      case 1: case 5: { // c.jal / c.j
        const imm = sext((bit(c, 12) << 11) | (bit(c, 8) << 10) | (((c >>> 9) & 3) << 8) | (bit(c, 6) << 7) | (bit(c, 7) << 6)
          | (bit(c, 2) << 5) | (bit(c, 11) << 4) | (((c >>> 3) & 7) << 1), 12);
        return X(Op.JAL, f3 === 1 ? 1 : 0, 0, 0, imm);
      }
      case 2: return X(Op.ADDI, rdFull, 0, 0, imm6); // c.li
      case 3:
        if (rdFull === 2) { // c.addi16sp
          const imm = sext((bit(c, 12) << 9) | (((c >>> 3) & 3) << 7) | (bit(c, 5) << 6) | (bit(c, 2) << 5) | (bit(c, 6) << 4), 10);
          return imm === 0 ? illegal(c, 2) : X(Op.ADDI, 2, 2, 0, imm);
        }
        return imm6 === 0 ? illegal(c, 2) : X(Op.LUI, rdFull, 0, 0, imm6 << 12); // c.lui
      case 4: {
        const f2 = (c >>> 10) & 3;
        if (f2 === 0 || f2 === 1) { // c.srli / c.srai: shamt[5] must be 0 on RV32
          if (bit(c, 12)) return illegal(c, 2);
          return X(f2 === 0 ? Op.SRLI : Op.SRAI, rs1p, rs1p, 0, (c >>> 2) & 31);
        }
        if (f2 === 2) return X(Op.ANDI, rs1p, rs1p, 0, imm6);
        if (bit(c, 12)) return illegal(c, 2); // subw/addw are RV64
        const ops = [Op.SUB, Op.XOR, Op.OR, Op.AND];
        return X(ops[(c >>> 5) & 3], rs1p, rs1p, rdp, 0);
      }
      default: { // 6, 7: c.beqz / c.bnez
        const imm = sext((bit(c, 12) << 8) | (((c >>> 5) & 3) << 6) | (bit(c, 2) << 5) | (((c >>> 10) & 3) << 3) | (((c >>> 3) & 3) << 1), 9);
        return X(f3 === 6 ? Op.BEQ : Op.BNE, 0, rs1p, 0, imm);
      }
    }
  }
  if (q === 2) {
    switch (f3) {
      case 0: // c.slli
        if (bit(c, 12)) return illegal(c, 2);
        return X(Op.SLLI, rdFull, rdFull, 0, rs2Full);
      case 2: { // c.lwsp
        if (rdFull === 0) return illegal(c, 2);
        const imm = (((c >>> 2) & 3) << 6) | (bit(c, 12) << 5) | (((c >>> 4) & 7) << 2);
        return X(Op.LW, rdFull, 2, 0, imm);
      }
      case 4:
        if (!bit(c, 12)) {
          if (rs2Full === 0) return rdFull === 0 ? illegal(c, 2) : X(Op.JALR, 0, rdFull, 0, 0); // c.jr
          return X(Op.ADD, rdFull, 0, rs2Full, 0); // c.mv
        }
        if (rs2Full === 0) {
          if (rdFull === 0) return X(Op.EBREAK, 0, 0, 0, 0); // c.ebreak
          return X(Op.JALR, 1, rdFull, 0, 0); // c.jalr
        }
        return X(Op.ADD, rdFull, rdFull, rs2Full, 0); // c.add
      case 6: { // c.swsp
        const imm = (((c >>> 7) & 3) << 6) | (((c >>> 9) & 0xf) << 2);
        return X(Op.SW, 0, 2, rs2Full, imm);
      }
      default: return illegal(c, 2);
    }
  }
  return illegal(c, 2); // unreachable: q === 3 is a long instruction
}
