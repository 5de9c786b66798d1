# csr.S — Zicsr and the machine-mode CSRs as QEMU 7.2's default `virt` CPU (rv32) implements
# them: identification CSRs, reset values, csrrw/csrrs/csrrc and their immediate forms (rs1 = x0
# and uimm = 0 do not write), writable-bit masks of mstatus/mstatush/mie/mip (write all ones,
# read back), mtvec mode handling, mepc/mcause/mtval/mscratch widths, read-only and unknown CSR
# accesses raising illegal instruction (mtval = the instruction), and minstret/mcycle
# differences over straight-line code. All 32-bit encodings (.option norvc).
#include "isa.h"
.option norvc


.globl test_main
test_main:
  PRINTLN "# reset values (mip.MTIP is pending: CLINT mtimecmp resets to 0)"
  .irp c, mstatus, mstatush, mie, mip, mscratch, mepc, mcause, mtval
  csrr a0, \c
  TEST "\c", a0
  .endr

  PRINTLN "# identification"
  .irp c, misa, mvendorid, marchid, mimpid, mhartid
  csrr a0, \c
  TEST "\c", a0
  .endr
  csrw misa, zero
  csrr a0, misa
  TEST "misa after writing 0", a0
  li t0, 0x40001105
  csrw misa, t0
  csrr a0, misa
  TEST "misa after writing 0x40001105 (IMAC)", a0

  PRINTLN "# mscratch: csrrw / csrrs / csrrc and immediate forms"
  li t0, 0x12345678
  csrrw a0, mscratch, t0
  TEST "csrrw old", a0
  li t0, 0x0000ff00
  csrrs a0, mscratch, t0
  TEST "csrrs 0xff00 old", a0
  csrr a0, mscratch
  TEST "after csrrs", a0
  li t0, 0x00000f0f
  csrrc a0, mscratch, t0
  TEST "csrrc 0x0f0f old", a0
  csrr a0, mscratch
  TEST "after csrrc", a0
  csrrs a0, mscratch, x0
  TEST "csrrs rs1=x0 (read only)", a0
  csrrc a0, mscratch, x0
  TEST "csrrc rs1=x0 (read only)", a0
  csrr a0, mscratch
  TEST "unchanged", a0
  csrrwi a0, mscratch, 31
  TEST "csrrwi 31 old", a0
  csrr a0, mscratch
  TEST "after csrrwi 31", a0
  csrrsi a0, mscratch, 0x0
  TEST "csrrsi 0 old", a0
  csrrci a0, mscratch, 0x15
  TEST "csrrci 0x15 old", a0
  csrr a0, mscratch
  TEST "after csrrci 0x15", a0
  csrrsi a0, mscratch, 0x10
  csrr a0, mscratch
  TEST "after csrrsi 0x10", a0
  csrrci a0, mscratch, 0
  TEST "csrrci 0 old", a0
  li t0, -1
  csrw mscratch, t0
  csrr a0, mscratch
  TEST "after csrw -1", a0
  # rd == rs1: the old value goes to rd, the write uses the register's previous value
  li a0, 0x0f0f0f0f
  csrrw a0, mscratch, a0
  TEST "csrrw a0 a0 old", a0
  csrr a1, mscratch
  TEST "csrrw a0 a0 new", a1
  li a0, 0x30
  csrrs a0, mscratch, a0
  TEST "csrrs a0 a0 old", a0
  csrr a1, mscratch
  TEST "csrrs a0 a0 new", a1
  csrrw x0, mscratch, x0
  csrr a0, mscratch
  TEST "after csrrw x0 mscratch x0", a0

  PRINTLN "# other full-width M CSRs"
  li t0, -1
  csrw mcause, t0
  csrr a0, mcause
  TEST "mcause after writing -1", a0
  csrw mtval, t0
  csrr a0, mtval
  TEST "mtval after writing -1", a0
  csrw mepc, t0
  csrr a0, mepc
  TEST "mepc after writing -1 (QEMU 7.2 keeps bit 0)", a0
  li t0, 0x80000003
  csrw mepc, t0
  csrr a0, mepc
  TEST "mepc after writing 0x80000003", a0
  li t0, 0x80000006
  csrw mepc, t0
  csrr a0, mepc
  TEST "mepc after writing 0x80000006", a0
  csrw mcause, zero
  csrw mtval, zero
  csrw mepc, zero

  PRINTLN "# writable bits: write all ones, read back, write zero"
  li t0, -1
  csrw mstatus, t0
  csrr a0, mstatus
  csrw mstatus, zero
  csrr a1, mstatus
  TEST "mstatus ones", a0
  TEST "mstatus zero", a1
  li t0, -1
  csrw mstatush, t0
  csrr a0, mstatush
  csrw mstatush, zero
  csrr a1, mstatush
  TEST "mstatush ones", a0
  TEST "mstatush zero", a1
  # single fields of mstatus
  .irp v, 0x8, 0x80, 0x800, 0x1000, 0x1800, 0x2000, 0x6000, 0x600, 0x20000, 0x8000, 0x10000, 0x80000000
  li t0, \v
  csrw mstatus, t0
  csrr a0, mstatus
  csrw mstatus, zero
  TEST "mstatus write \v", a0
  .endr
  # stop the timer so that mip.MTIP reads 0, then probe mie/mip
  li t0, CLINT_MTIMECMP
  li t1, -1
  sw t1, 4(t0)
  sw t1, 0(t0)
  csrr a0, mip
  TEST "mip with mtimecmp = max", a0
  li t0, -1
  csrw mie, t0
  csrr a0, mie
  csrw mie, zero
  csrr a1, mie
  TEST "mie ones", a0
  TEST "mie zero", a1
  li t0, -1
  csrw mip, t0
  csrr a0, mip
  csrw mip, zero
  csrr a1, mip
  TEST "mip ones", a0
  TEST "mip zero", a1
  # mip.MSIP/MTIP/MEIP follow the CLINT / PLIC, not CSR writes
  li t0, 0x888
  csrs mip, t0
  csrr a0, mip
  TEST "mip after csrs 0x888", a0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  csrr a0, mip
  TEST "mip with CLINT msip = 1", a0
  li t1, 0x8
  csrc mip, t1
  csrr a0, mip
  TEST "mip after csrc 0x8 (msip still 1)", a0
  sw zero, 0(t0)
  csrr a0, mip
  TEST "mip with CLINT msip = 0", a0

  PRINTLN "# mtvec: modes 0 and 1 accepted, modes 2 and 3 ignore the whole write"
  csrr s0, mtvec
  .irp v, 0x80001000, 0x80001001, 0x80001004, 0x80001002, 0x80001003, 0x80001005, 0x80001006, 0xfffffffc, 0xffffffff
  li t0, \v
  csrw mtvec, t0
  csrr a0, mtvec
  TEST "mtvec after writing \v", a0
  .endr
  csrw mtvec, s0

  PRINTLN "# read-only CSRs: reads and set/clear with x0 or uimm 0 do not trap"
  li t0, 0
  csrrs a0, mvendorid, x0
  csrrc a0, marchid, x0
  csrrsi a0, mimpid, 0
  csrrci a0, mhartid, 0
  PRINTLN "csrrs/csrrc x0 and csrrsi/csrrci 0 on mvendorid/marchid/mimpid/mhartid: no trap"
  MARK
  csrrs a0, mhartid, t0
  UNMARK
  PRINTLN "csrrs mhartid with rs1 = t0 holding 0: no trap in QEMU 7.2"
  PRINTLN "# read-only CSRs: writes raise illegal instruction (mtval = instruction)"
  li t0, 5
  li a0, 0x5a5a
  MARK
  csrrw a0, mvendorid, t0
  TEST "a0 after trapping csrrw (unchanged)", a0
  MARK
  csrrw x0, mhartid, x0
  MARK
  csrrs a0, marchid, t0
  MARK
  csrrc a0, mimpid, t0
  MARK
  csrrwi a0, mhartid, 0
  MARK
  csrrsi a0, mvendorid, 1
  MARK
  csrrci a0, mvendorid, 1
  MARK
  csrw cycle, t0
  MARK
  csrw instret, t0
  MARK
  csrw time, t0
  MARK
  csrs cycleh, t0

  PRINTLN "# unknown / unavailable CSRs raise illegal instruction"
  MARK
  csrr a0, 0x7c0
  MARK
  csrw 0x7c0, t0
  MARK
  csrr a0, 0xbc0
  MARK
  csrr a0, 0x8ff
  MARK
  csrr a0, 0xfc0
  PRINTLN "fflags/frm/fcsr with mstatus.FS = 0:"
  MARK
  csrr a0, fflags
  MARK
  csrr a0, frm
  MARK
  csrr a0, fcsr

  PRINTLN "# counters: minstret / mcycle differences over straight-line code"
  csrr a0, minstret
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr minstret; csrr minstret", a2
  csrr a0, minstret
  nop
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; nop x1; csrr", a2
  csrr a0, minstret
  .rept 10
  nop
  .endr
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; nop x10; csrr", a2
  csrr a0, minstret
  .rept 100
  addi t0, t0, 1
  .endr
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; addi x100; csrr", a2
  csrr a0, minstret
  li t0, 50
1: addi t0, t0, -1
  bnez t0, 1b
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; li; 50 x (addi; bnez); csrr", a2
  la s0, scratch
  csrr a0, minstret
  lw t0, 0(s0)
  sw t0, 4(s0)
  lw t0, 1(s0)
  mul t0, t0, t0
  div t0, t0, t0
  amoadd.w t0, t0, (s0)
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; lw sw lw(misaligned) mul div amoadd; csrr", a2
  csrr a0, mcycle
  .rept 10
  nop
  .endr
  csrr a1, mcycle
  sub a2, a1, a0
  TEST "csrr mcycle; nop x10; csrr mcycle", a2
  csrr a0, instret
  .rept 10
  nop
  .endr
  csrr a1, instret
  sub a2, a1, a0
  TEST "csrr instret; nop x10; csrr instret", a2
  csrr a0, cycle
  .rept 10
  nop
  .endr
  csrr a1, cycle
  sub a2, a1, a0
  TEST "csrr cycle; nop x10; csrr cycle", a2
  csrr a0, minstret
  csrr a1, instret
  sub a2, a1, a0
  TEST "csrr minstret; csrr instret", a2
  csrr a0, mcycle
  csrr a1, minstret
  sub a2, a1, a0
  TEST "minstret - mcycle read just before", a2
  csrr a0, minstreth
  TEST "minstreth", a0
  csrr a0, mcycleh
  TEST "mcycleh", a0
  csrr a0, instreth
  TEST "instreth", a0
  csrr a0, cycleh
  TEST "cycleh", a0
  li t0, 1000
  csrw minstret, t0
  csrr a0, minstret
  TEST "csrw minstret 1000; csrr minstret", a0
  li t0, 5000
  csrw mcycle, t0
  csrr a0, mcycle
  TEST "csrw mcycle 5000; csrr mcycle", a0
  li t0, 7
  csrw minstreth, t0
  csrr a0, minstreth
  TEST "csrw minstreth 7; csrr minstreth", a0
  csrw minstreth, zero

  PRINTLN "# time / timeh (values are timing dependent: print checks only)"
  csrr a0, time
  li t0, 1000
1: addi t0, t0, -1
  bnez t0, 1b
  csrr a1, time
  sub a2, a1, a0
  addi a2, a2, -19
  sltiu a2, a2, 3
  TEST "time advanced 19..21 ticks over ~2000 instructions (10 MHz, 1 ns/insn)", a2
  li t1, CLINT_MTIME
  csrr a0, time
  lw a1, 0(t1)
  sub a2, a1, a0
  sltiu a2, a2, 2
  TEST "CLINT mtime - time CSR in 0..1", a2
  csrr a0, timeh
  lw a1, 4(t1)
  sub a2, a1, a0
  TEST "CLINT mtime high - timeh", a2
  DONE

.data
.align 2
scratch: .word 3, 0, 0
