# traps.S — synchronous exceptions (cause, mepc, mtval) and interrupts on QEMU's `virt`:
# illegal instructions (16- and 32-bit, all-zero words), instruction/load/store access faults at
# unmapped addresses, misaligned AMO, ecall, ebreak; mstatus on trap entry and mret, a trip to
# U-mode (with PMP opened first) and back, vectored mtvec with a machine software interrupt
# (CLINT msip) and a timer interrupt (CLINT mtimecmp + wfi), interrupt priority, wfi with
# interrupts globally disabled, and minstret differences across traps. All 32-bit encodings.
#include "isa.h"
.option norvc

# SETCMP reg_lo_delta: mtimecmp = mtime + delta (high word written first as all-ones so the
# comparator never sees a transient small value). Clobbers t0-t3.
.macro SETCMP delta
  li t0, CLINT_MTIME
  lw t2, 0(t0)
  lw t3, 4(t0)
  li t1, \delta
  add t1, t2, t1
  sltu t2, t1, t2
  add t3, t3, t2
  li t0, CLINT_MTIMECMP
  li t2, -1
  sw t2, 4(t0)
  sw t1, 0(t0)
  sw t3, 4(t0)
.endm
.macro STOPTIMER
  li t0, CLINT_MTIMECMP
  li t1, -1
  sw t1, 4(t0)
  sw t1, 0(t0)
.endm

.globl test_main
test_main:
  STOPTIMER

  PRINTLN "# illegal instruction: mtval = the instruction bits (16-bit ones zero-extended)"
  PRINTLN ".half 0x0000 (c.illegal), then c.nop"
  MARK
  .half 0x0000
  .half 0x0001
  PRINTLN ".word 0x00000000 = two 16-bit c.illegal (two traps)"
  MARK
  .word 0x00000000
  PRINTLN ".word 0xffffffff"
  MARK
  .word 0xffffffff
  PRINTLN ".word 0x0000000b (custom-0)"
  MARK
  .word 0x0000000b
  PRINTLN ".word 0x40001033 (sll with funct7 0x20)"
  MARK
  .word 0x40001033
  PRINTLN ".word 0x00003003 (ld: RV64 only)"
  MARK
  .word 0x00003003
  PRINTLN ".word 0x00208053 (fadd.s, mstatus.FS = 0)"
  MARK
  .word 0x00208053
  PRINTLN ".word 0x00002007 (flw, mstatus.FS = 0)"
  MARK
  .word 0x00002007
  PRINTLN ".word 0x0000000f (fence) and 0x8330000f (fence.tso) do not trap"
  MARK
  .word 0x0000000f
  .word 0x8330000f
  UNMARK
  li a0, 0x5a5a
  PRINTLN "rd is not written by a trapping instruction (0x00000033 | a0<<7 with bad funct7)"
  MARK
  .word 0xfe000533
  TEST "a0", a0

  PRINTLN "# ecall / ebreak"
  MARK
  ecall
  MARK
  ebreak

  PRINTLN "# instruction access fault: jump (jalr ra) to unmapped addresses; mepc = mtval = target"
  UNMARK
  .irp a, 0x00000000, 0x00010000, 0x0e000000, 0x88000000, 0xf0000000
  li t0, \a
  jalr ra, 0(t0)
  PRINTLN "returned from \a"
  .endr

  PRINTLN "# load access fault: mtval = address, rd unchanged"
  .irp a, 0x00000000, 0x00010000, 0x0e000000, 0x88000000, 0xf0000000
  li t0, \a
  li a0, 0x5a5a
  MARK
  lw a0, 0(t0)
  TEST "a0 after lw \a", a0
  .endr
  li t0, 0x0e000000
  MARK
  lbu a0, 3(t0)
  MARK
  lh a0, -2(t0)
  PRINTLN "misaligned lw straddling the end of RAM (0x87fffffe): mtval = first unmapped byte"
  li t0, 0x87fffffe
  li a0, 0x5a5a
  MARK
  lw a0, 0(t0)
  TEST "a0", a0

  PRINTLN "# store access fault: mtval = address"
  li t1, 0x12345678
  .irp a, 0x00000000, 0x00010000, 0x0e000000, 0x88000000, 0xf0000000
  li t0, \a
  MARK
  sw t1, 0(t0)
  .endr
  li t0, 0x0e000000
  MARK
  sb t1, 1(t0)
  MARK
  sh t1, 2(t0)
  PRINTLN "the last RAM word (0x87fffffc) is accessible"
  li t0, 0x87fffffc
  sw t1, 0(t0)
  lw a0, 0(t0)
  TEST "0x87fffffc", a0
  PRINTLN "misaligned sw straddling the end of RAM: faults, but QEMU has already stored the low half"
  li t0, 0x87fffffe
  li t1, 0xaabbccdd
  MARK
  sw t1, 0(t0)
  lw a0, -2(t0)
  TEST "word at 0x87fffffc", a0

  PRINTLN "# misaligned AMO / LR: cause 4 in QEMU 7.2 (loads and stores do not trap)"
  la t0, buf
  addi t0, t0, 2
  MARK
  amoadd.w a0, t1, (t0)
  MARK
  lr.w a0, (t0)
  addi t0, t0, -1
  MARK
  lw a0, 0(t0)
  UNMARK

  PRINTLN "# mstatus on trap entry (custom handler records it)"
  la t0, probe_handler
  csrw mtvec, t0
  li t0, 0x1888
  csrc mstatus, t0
  csrsi mstatus, 8                 # MIE = 1 (mie = 0: no interrupt can be taken)
  csrr a0, mstatus
  TEST "mstatus before ecall", a0
  ecall
  la t0, probe_data
  lw a0, 0(t0)
  TEST "mstatus in handler", a0
  lw a0, 4(t0)
  TEST "mcause in handler", a0
  csrr a0, mstatus
  TEST "mstatus after mret", a0
  csrci mstatus, 8
  la t0, trap_entry
  csrw mtvec, t0

  PRINTLN "# mret: MIE <- MPIE, MPIE <- 1, MPP <- U (least privileged supported mode)"
  .irp v, 0x1880, 0x1808, 0x1888, 0x1800
  li t0, 0x1888
  csrc mstatus, t0
  li t0, \v
  csrs mstatus, t0
  csrr a0, mstatus
  TEST "mstatus before mret", a0
  la t0, 1f
  csrw mepc, t0
  mret
1: csrr a0, mstatus
  TEST "mstatus after mret", a0
  csrci mstatus, 8
  .endr
  PRINTLN "# U-mode: mret to MPP = U, M CSRs and gated counters trap, ecall from U is cause 8"
  # Open all memory to U-mode through PMP first, as firmware does (QEMU enforces PMP; with no
  # entry it refuses the mret to U-mode, rvreplay does not enforce PMP yet).
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f                      # NAPOT, R W X
  csrw pmpcfg0, t0
  csrw mcounteren, zero
  la t0, u_trap
  csrw mtvec, t0
  li t0, 0x1800
  csrc mstatus, t0                 # MPP = U
  la t0, 1f
  csrw mepc, t0
  mret
1: csrr a0, mscratch                # illegal in U-mode
  rdcycle a0                       # illegal: mcounteren.CY = 0
  mret                             # illegal in U-mode
  ecall                            # cause 8; u_trap returns to M-mode at back_in_m
back_in_m:
  la t0, trap_entry
  csrw mtvec, t0
  csrr a0, mstatus
  li t0, 0x1800
  and a0, a0, t0
  TEST "back in M-mode: mstatus.MPP after the trap from U", a0

  PRINTLN "# machine software interrupt, direct mode"
  li t0, 8
  csrw mie, t0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  csrr a0, mip
  TEST "mip with msip = 1, MIE = 0 (no trap)", a0
  MARK
  csrsi mstatus, 8                 # taken right after this instruction: mepc = MARK + 4
  nop
  csrci mstatus, 8
  UNMARK
  li t0, CLINT_MSIP
  lw a0, 0(t0)
  TEST "msip after handler cleared it", a0

  PRINTLN "# vectored mtvec (mode 1): exceptions to base, interrupt n to base + 4n"
  la t0, vectors
  ori t0, t0, 1
  csrw mtvec, t0
  MARK
  ecall
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  MARK
  csrsi mstatus, 8
  nop
  csrci mstatus, 8
  UNMARK
  PRINTLN "timer: mtimecmp = mtime + 50, MTIE, MIE, wfi"
  li t0, 0x80
  csrw mie, t0
  SETCMP 50
  csrr a0, mip
  TEST "mip before wfi", a0
  csrsi mstatus, 8
  MARK
  wfi
  csrci mstatus, 8
  UNMARK
  csrr a0, mip
  TEST "mip after (handler set mtimecmp = max)", a0

  PRINTLN "# priority: MSI and MTI both pending, both enabled: MSI first"
  li t0, 0x88
  csrw mie, t0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  li t0, CLINT_MTIMECMP
  sw zero, 0(t0)
  sw zero, 4(t0)
  csrr a0, mip
  TEST "mip", a0
  MARK
  csrsi mstatus, 8
  nop
  csrci mstatus, 8
  UNMARK
  csrr a0, mip
  TEST "mip after both handled", a0

  PRINTLN "# wfi with mstatus.MIE = 0, mie.MTIE = 1: resumes without a trap"
  la t0, trap_entry
  csrw mtvec, t0
  li t0, 0x80
  csrw mie, t0
  SETCMP 50
  wfi
  csrr a0, mip
  TEST "mip after wfi", a0
  STOPTIMER
  csrr a0, mip
  TEST "mip after stopping the timer", a0
  csrw mie, zero
  TRAPCOUNT a0
  TEST "traps so far", a0

  PRINTLN "# minstret differences across traps (4-instruction handler: csrr, addi, csrw, mret)"
  la t0, mini_handler
  csrw mtvec, t0
  csrr a0, minstret
  ecall
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; ecall; csrr", a2
  csrr a0, minstret
  ebreak
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; ebreak; csrr", a2
  csrr a0, minstret
  .word 0xffffffff
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; illegal; csrr", a2
  li t1, 0x00010000
  csrr a0, minstret
  lw t2, 0(t1)
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; faulting lw; csrr", a2
  csrr a0, minstret
  sw t2, 0(t1)
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; faulting sw; csrr", a2
  la t1, buf
  addi t1, t1, 2
  csrr a0, minstret
  amoadd.w t2, t2, (t1)
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; misaligned amoadd; csrr", a2
  la t0, mini_fetch_handler
  csrw mtvec, t0
  li t1, 0x00010000
  csrr a0, minstret
  jalr ra, 0(t1)
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; jalr to unmapped; (handler: csrw mepc ra, mret); csrr", a2
  la t0, mini_msi_handler
  csrw mtvec, t0
  li t0, 8
  csrw mie, t0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  csrr a0, minstret
  csrsi mstatus, 8
  csrci mstatus, 8
  csrr a1, minstret
  sub a2, a1, a0
  TEST "csrr; csrsi (MSI taken; handler: li, sw, mret); csrci; csrr", a2
  csrw mie, zero
  la t0, trap_entry
  csrw mtvec, t0
  TRAPCOUNT a0
  TEST "traps through the common handler", a0
  DONE

# Records mstatus and mcause, skips the 4-byte instruction.
.align 2
probe_handler:
  csrr t6, mstatus
  la t5, probe_data
  sw t6, 0(t5)
  csrr t6, mcause
  sw t6, 4(t5)
  csrr t6, mepc
  addi t6, t6, 4
  csrw mepc, t6
  mret

.align 2
mini_handler:
  csrr t6, mepc
  addi t6, t6, 4
  csrw mepc, t6
  mret
.align 2
mini_fetch_handler:
  csrw mepc, ra
  mret
.align 2
mini_msi_handler:
  li t6, CLINT_MSIP
  sw zero, 0(t6)
  mret

# Vector table: entry 0 takes exceptions, entry n interrupt n.
.align 6
vectors:
  j vec0
  j vec_other
  j vec_other
  j vec3
  j vec_other
  j vec_other
  j vec_other
  j vec7
  j vec_other
  j vec_other
  j vec_other
  j vec_other
vec0: PRINT "vector 0: "
  j trap_entry
vec3: PRINT "vector 3: "
  j trap_entry
vec7: PRINT "vector 7: "
  j trap_entry
vec_other: PRINT "other vector: "
  j trap_entry

.data
.align 3
buf: .word 0, 0
probe_data: .word 0, 0

# Trap handler while testing U-mode: prints cause, mtval and MPP; an ecall (cause 8) returns to
# M-mode at back_in_m, anything else skips the 4-byte instruction and returns to U-mode.
.align 2
u_trap:
  csrr t0, mcause
  TEST "trap from U: mcause", t0
  csrr t1, mtval
  TEST "trap from U: mtval", t1
  csrr t2, mstatus
  li t3, 0x1800
  and t2, t2, t3
  TEST "trap from U: mstatus.MPP", t2
  li t1, 8
  beq t0, t1, 1f
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret
1: la t0, back_in_m
  csrw mepc, t0
  li t0, 0x1800
  csrs mstatus, t0
  mret
