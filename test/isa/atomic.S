# atomic.S — RV32A: every AMO over signed/unsigned edge values (old value returned in rd, new
# value in memory), the .aq/.rl/.aqrl variants, rd = x0 and rd = rs2 / rd = rs1 forms, LR/SC
# success and failure cases (no reservation; reservation lost to a store, a trap, an mret or
# another LR; SC to another address; second SC), an LR/SC retry loop, and the traps raised by
# misaligned and unmapped atomic accesses. All 32-bit encodings (.option norvc).
#include "isa.h"
.option norvc

# AMO op, m, v: word = m; t0 = op(t2 = v, (word)); print t0 (old) and the new memory word.
.macro AMO op, m, v
  la s0, word
  li t1, \m
  sw t1, 0(s0)
  li t2, \v
  \op t0, t2, (s0)
  TEST "\op \m \v: rd", t0
  lw t0, 0(s0)
  TEST "\op \m \v: mem", t0
.endm

#define APAIRS 0x80000000 0x7fffffff, 0x7fffffff 0x80000000, 0xffffffff 1, 1 0xffffffff, 0 0xffffffff, 0xfffffffe 0xfffffffd, 0x12345678 0x0f0f0f0f, 5 5

.globl test_main
test_main:
  .irp op, amoswap.w, amoadd.w, amoxor.w, amoand.w, amoor.w, amomin.w, amomax.w, amominu.w, amomaxu.w
  PRINTLN "# \op"
  AMO \op, 0x80000000, 0x7fffffff
  AMO \op, 0x7fffffff, 0x80000000
  AMO \op, 0xffffffff, 1
  AMO \op, 1, 0xffffffff
  AMO \op, 0, 0xffffffff
  AMO \op, 0xfffffffe, 0xfffffffd
  AMO \op, 0x12345678, 0x0f0f0f0f
  AMO \op, 5, 5
  .endr

  PRINTLN "# ordering variants behave the same"
  AMO amoadd.w.aq, 40, 2
  AMO amoadd.w.rl, 40, 2
  AMO amoadd.w.aqrl, 40, 2
  AMO amomax.w.aqrl, 0xffffffff, 0
  AMO amomaxu.w.aqrl, 0xffffffff, 0

  PRINTLN "# rd = x0, rd = rs2, rd = rs1"
  la s0, word
  li t1, 100
  sw t1, 0(s0)
  li t2, 23
  amoadd.w x0, t2, (s0)
  lw t0, 0(s0)
  TEST "amoadd.w x0 23 (mem 100): mem", t0
  TEST "x0", x0
  li a0, 0xabcd
  amoswap.w a0, a0, (s0)
  TEST "amoswap.w a0 a0 (mem 123): rd", a0
  lw t0, 0(s0)
  TEST "amoswap.w a0 a0: mem", t0
  la a1, word
  li t2, 1
  amoadd.w a1, t2, (a1)
  TEST "amoadd.w a1 1 (a1): rd", a1
  lw t0, 0(s0)
  TEST "amoadd.w a1 1 (a1): mem", t0
  amoswap.w x0, x0, (s0)
  lw t0, 0(s0)
  TEST "amoswap.w x0 x0: mem", t0

  PRINTLN "# LR/SC"
  la s0, word
  la s1, word2
  li t1, 1
  sw t1, 0(s0)
  li t1, 5
  sc.w a0, t1, (s0)
  TEST "sc without reservation: rd", a0
  lw a0, 0(s0)
  TEST "sc without reservation: mem", a0
  lr.w a0, (s0)
  TEST "lr.w: rd", a0
  sc.w a1, t1, (s0)
  TEST "sc after lr: rd", a1
  lw a0, 0(s0)
  TEST "sc after lr: mem", a0
  li t1, 6
  sc.w a1, t1, (s0)
  TEST "second sc: rd", a1
  lw a0, 0(s0)
  TEST "second sc: mem", a0
  lr.w.aq a0, (s0)
  li t1, 7
  sc.w.rl a1, t1, (s0)
  TEST "lr.w.aq / sc.w.rl: rd", a1
  lr.w.aqrl a0, (s0)
  li t1, 8
  sc.w.aqrl a1, t1, (s0)
  TEST "lr.w.aqrl / sc.w.aqrl: rd", a1
  lw a0, 0(s0)
  TEST "mem", a0
  # a store by this hart to the reserved word, with a different value
  lr.w a0, (s0)
  li t2, 77
  sw t2, 0(s0)
  li t1, 9
  sc.w a1, t1, (s0)
  TEST "sc after sw of a different value: rd", a1
  lw a0, 0(s0)
  TEST "sc after sw of a different value: mem", a0
  # ... with the same value (QEMU compares the value: SC succeeds)
  lr.w a0, (s0)
  sw a0, 0(s0)
  li t1, 10
  sc.w a1, t1, (s0)
  TEST "sc after sw of the same value: rd", a1
  lw a0, 0(s0)
  TEST "sc after sw of the same value: mem", a0
  # ... by a byte store that changes the word
  lr.w a0, (s0)
  li t2, 0x55
  sb t2, 3(s0)
  li t1, 11
  sc.w a1, t1, (s0)
  TEST "sc after sb changing the word: rd", a1
  # ... by an AMO that leaves the value unchanged
  lr.w a0, (s0)
  amoadd.w x0, x0, (s0)
  li t1, 12
  sc.w a1, t1, (s0)
  TEST "sc after amoadd of 0: rd", a1
  lw a0, 0(s0)
  TEST "mem", a0
  # SC to a different address than the LR
  lr.w a0, (s0)
  li t1, 13
  sc.w a1, t1, (s1)
  TEST "sc to another word: rd", a1
  lw a0, 0(s1)
  TEST "sc to another word: that word", a0
  sc.w a1, t1, (s0)
  TEST "then sc to the reserved word: rd", a1
  # a second LR moves the reservation
  lr.w a0, (s0)
  lr.w a0, (s1)
  li t1, 14
  sc.w a1, t1, (s0)
  TEST "lr A, lr B, sc A: rd", a1
  sc.w a1, t1, (s1)
  TEST "then sc B: rd", a1
  lw a0, 0(s1)
  TEST "B", a0
  # a trap between LR and SC (ecall, handler, mret) loses the reservation
  lr.w a0, (s0)
  MARK
  ecall
  li t1, 15
  sc.w a1, t1, (s0)
  TEST "sc after a trap: rd", a1
  # an mret alone (no trap) between LR and SC also loses the reservation in QEMU
  li t0, 0x1800
  csrs mstatus, t0
  la t0, 1f
  csrw mepc, t0
  lr.w a0, (s0)
  mret
1: li t1, 16
  sc.w a1, t1, (s0)
  TEST "sc after lr; mret: rd", a1
  # rd = x0 SC
  lr.w a0, (s0)
  li t1, 0x123
  sc.w x0, t1, (s0)
  lw a0, 0(s0)
  TEST "sc.w x0 after lr: mem", a0
  # LR/SC increment loop
  li t1, 0
  sw t1, 0(s0)
  li t3, 10
1: lr.w t0, (s0)
  addi t0, t0, 3
  sc.w t2, t0, (s0)
  bnez t2, 1b
  addi t3, t3, -1
  bnez t3, 1b
  lw a0, 0(s0)
  TEST "10 lr/sc increments by 3", a0

  PRINTLN "# misaligned atomics (QEMU 7.2: AMO and LR raise cause 4, SC without reservation just fails)"
  la s0, word
  addi s2, s0, 2
  li t1, 1
  .irp op, amoswap.w, amoadd.w, amoor.w, amomaxu.w
  li a0, 0x5a5a
  MARK
  \op a0, t1, (s2)
  TEST "rd after misaligned \op", a0
  .endr
  addi s2, s0, 1
  MARK
  lr.w a0, (s2)
  li a0, 0x5a5a
  MARK
  sc.w a0, t1, (s2)
  UNMARK
  TEST "misaligned sc.w: rd", a0
  la t0, trap_count
  lw t0, 0(t0)
  TEST "traps so far", t0

  PRINTLN "# atomics on an unmapped address (0x00010000)"
  li s2, 0x00010000
  MARK
  amoadd.w a0, t1, (s2)
  MARK
  amoswap.w a0, t1, (s2)
  MARK
  lr.w a0, (s2)
  li a0, 0x5a5a
  MARK
  sc.w a0, t1, (s2)
  UNMARK
  TEST "sc.w to unmapped: rd", a0
  DONE

.data
.align 3
word: .word 0
word2: .word 0
