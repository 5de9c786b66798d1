// CSR numbers and bit fields used by the hart (machine mode; S/U fields get added with S/U).
export const CSR = {
  mstatus: 0x300, misa: 0x301, mie: 0x304, mtvec: 0x305, mcounteren: 0x306, menvcfg: 0x30a, mstatush: 0x310, menvcfgh: 0x31a,
  mcountinhibit: 0x320, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  pmpcfg0: 0x3a0, pmpaddr0: 0x3b0,
  mcycle: 0xb00, minstret: 0xb02, mcycleh: 0xb80, minstreth: 0xb82,
  cycle: 0xc00, time: 0xc01, instret: 0xc02, cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82,
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
} as const;

export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << MSTATUS_MPP_SHIFT;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_TW = 1 << 21;
/** mstatus bits that exist on an M+U hart (no S-mode, no F/V state). */
export const MSTATUS_WRITABLE = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TW;

/** Interrupt numbers (bit positions in mip/mie, and the low bits of an interrupt's mcause). */
export const IRQ_MSI = 3;
export const IRQ_MTI = 7;
export const IRQ_MEI = 11;
export const MIP_MSIP = 1 << IRQ_MSI;
export const MIP_MTIP = 1 << IRQ_MTI;
export const MIP_MEIP = 1 << IRQ_MEI;
/** mie bits that exist on a machine-mode-only hart. */
export const MIE_WRITABLE = MIP_MSIP | MIP_MTIP | MIP_MEIP;

/** misa: MXL=1 (32-bit), extensions A, C, I, M, and U (user mode). */
export const MISA_VALUE = ((1 << 30) | (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 20)) >>> 0;

export const PRIV_U = 0;
export const PRIV_S = 1;
export const PRIV_M = 3;
