// Encoders of RV32 instructions for hand-made test programs (the fields as the ISA manual lays
// them out; every result an unsigned 32-bit word).

export const R = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number => ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const I = (op: number, rd: number, f3: number, rs1: number, imm: number): number => (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const S = (f3: number, rs2: number, rs1: number, imm: number): number => ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | 0x23) >>> 0;
export const B = (f3: number, rs1: number, rs2: number, imm: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
export const J = (rd: number, imm: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0;
export const addi = (rd: number, rs1: number, imm: number): number => I(0x13, rd, 0, rs1, imm);
export const add = (rd: number, rs1: number, rs2: number): number => R(0, rs2, rs1, 0, rd, 0x33);
export const lw = (rd: number, rs1: number, imm: number): number => I(0x03, rd, 2, rs1, imm);
export const lbu = (rd: number, rs1: number, imm: number): number => I(0x03, rd, 4, rs1, imm);
export const sw = (rs2: number, rs1: number, imm: number): number => S(2, rs2, rs1, imm);
export const sh = (rs2: number, rs1: number, imm: number): number => S(1, rs2, rs1, imm);
export const sb = (rs2: number, rs1: number, imm: number): number => S(0, rs2, rs1, imm);
export const bne = (rs1: number, rs2: number, imm: number): number => B(1, rs1, rs2, imm);
export const blt = (rs1: number, rs2: number, imm: number): number => B(4, rs1, rs2, imm);
export const jal = (rd: number, imm: number): number => J(rd, imm);
export const jalr = (rd: number, rs1: number, imm: number): number => I(0x67, rd, 0, rs1, imm);
export const lui = (rd: number, imm20: number): number => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0;
export const auipc = (rd: number, imm20: number): number => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17) >>> 0;
export const csrrw = (rd: number, csr: number, rs1: number): number => I(0x73, rd, 1, rs1, csr);
export const csrrs = (rd: number, csr: number, rs1: number): number => I(0x73, rd, 2, rs1, csr);
export const FENCE_I = 0x0000100f;
export const ECALL = 0x00000073;
export const MRET = 0x30200073;
