// Synchronous exception causes (mcause values without the interrupt bit).
export const Cause = {
  INSN_MISALIGNED: 0,
  INSN_ACCESS_FAULT: 1,
  ILLEGAL_INSN: 2,
  BREAKPOINT: 3,
  LOAD_MISALIGNED: 4,
  LOAD_ACCESS_FAULT: 5,
  STORE_MISALIGNED: 6,
  STORE_ACCESS_FAULT: 7,
  ECALL_U: 8,
  ECALL_S: 9,
  ECALL_M: 11,
} as const;

export const CAUSE_NAMES: Record<number, string> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction',
  3: 'breakpoint', 4: 'load address misaligned', 5: 'load access fault', 6: 'store/AMO address misaligned',
  7: 'store/AMO access fault', 8: 'environment call from U-mode', 9: 'environment call from S-mode',
  11: 'environment call from M-mode',
};

export const INTERRUPT_NAMES: Record<number, string> = {
  1: 'supervisor software interrupt', 3: 'machine software interrupt', 5: 'supervisor timer interrupt',
  7: 'machine timer interrupt', 9: 'supervisor external interrupt', 11: 'machine external interrupt',
};

export function describeCause(mcause: number): string {
  const code = mcause & 0x7fffffff;
  if (mcause >>> 31) return INTERRUPT_NAMES[code] ?? `interrupt ${code}`;
  return CAUSE_NAMES[code] ?? `exception ${code}`;
}
