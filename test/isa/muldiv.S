# muldiv.S — RV32M: mul/mulh/mulhsu/mulhu/div/divu/rem/remu over signed and unsigned edge
# values, including division by zero (quotient all ones / remainder = dividend) and the signed
# overflow INT_MIN / -1 (quotient INT_MIN, remainder 0). All 32-bit encodings (.option norvc).
#include "isa.h"
.option norvc

.macro RR op, a, b
  li t1, \a
  li t2, \b
  \op t0, t1, t2
  TEST "\op \a \b", t0
.endm

#define MVALS 0, 1, 0xffffffff, 2, 7, 0xfffffff9, 0x7fffffff, 0x80000000, 0x12345678

.globl test_main
test_main:
  .irp op, mul, mulh, mulhsu, mulhu, div, divu, rem, remu
  PRINTLN "# \op"
  .irp a, MVALS
  .irp b, MVALS
  RR \op, \a, \b
  .endr
  .endr
  .endr

  PRINTLN "# destination equal to a source"
  li t0, 0x10001
  mul t0, t0, t0
  TEST "mul t0 t0 t0 (0x10001^2)", t0
  li t0, 0x80000000
  mulh t0, t0, t0
  TEST "mulh t0 t0 t0 (INT_MIN^2 high)", t0
  li t0, 100
  li t1, 7
  div t1, t0, t1
  TEST "div t1 100 t1=7", t1
  li t0, -100
  rem t0, t0, t0
  TEST "rem t0 t0 t0", t0
  PRINTLN "# x0 as destination"
  li t1, 3
  li t2, 5
  mul x0, t1, t2
  TEST "mul x0", x0
  div x0, t1, x0
  TEST "div x0 by x0", x0
  PRINTLN "# mulh/mul pair gives the full 64-bit product"
  li t1, 0xdeadbeef
  li t2, 0xcafebabe
  mulhu t3, t1, t2
  mul t4, t1, t2
  TEST "mulhu 0xdeadbeef 0xcafebabe", t3
  TEST "mul 0xdeadbeef 0xcafebabe", t4
  mulh t3, t1, t2
  TEST "mulh 0xdeadbeef 0xcafebabe", t3
  mulhsu t3, t1, t2
  TEST "mulhsu 0xdeadbeef 0xcafebabe", t3
  mulhsu t3, t2, t1
  TEST "mulhsu 0xcafebabe 0xdeadbeef", t3
  DONE
