# alu.S — RV32I integer computation: register-register and register-immediate arithmetic,
# logic, comparisons, shifts (register shift amounts use only their low 5 bits), lui/auipc,
# and writes to x0 being discarded. All 32-bit encodings (.option norvc).
#include "isa.h"
.option norvc

# RR op, a, b: t0 = op(a, b), printed as "op a b=XXXXXXXX".
.macro RR op, a, b
  li t1, \a
  li t2, \b
  \op t0, t1, t2
  TEST "\op \a \b", t0
.endm
# RI op, a, imm: t0 = op(a, imm).
.macro RI op, a, imm
  li t1, \a
  \op t0, t1, \imm
  TEST "\op \a \imm", t0
.endm

#define VALS 0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x12345678, 0xfedcba98
#define IMMS 0, 1, -1, 0x7ff, -0x800, 0x555
#define IVALS 0, 0xffffffff, 0x7fffffff, 0x80000000, 0x12345678
#define SHVALS 0x80000001, 0x12345678, 0xffffffff
#define SHAMTS 0, 1, 4, 31, 32, 33, 63, 0xffffffe1, 0x12345674

.globl test_main
test_main:
  PRINTLN "# register-register"
  .irp op, add, sub, and, or, xor, slt, sltu
  .irp a, VALS
  .irp b, VALS
  RR \op, \a, \b
  .endr
  .endr
  .endr

  PRINTLN "# shifts by register (amount = rs2 & 31)"
  .irp op, sll, srl, sra
  .irp a, SHVALS
  .irp b, SHAMTS
  RR \op, \a, \b
  .endr
  .endr
  .endr

  PRINTLN "# register-immediate"
  .irp op, addi, slti, sltiu, xori, ori, andi
  .irp a, IVALS
  .irp i, IMMS
  RI \op, \a, \i
  .endr
  .endr
  .endr

  PRINTLN "# shifts by immediate"
  .irp op, slli, srli, srai
  .irp a, SHVALS
  .irp i, 0, 1, 4, 15, 31
  RI \op, \a, \i
  .endr
  .endr
  .endr

  PRINTLN "# same register as source and destination"
  li t0, 0x40000001
  add t0, t0, t0
  TEST "add t0 t0 t0", t0
  li t0, 0x12345678
  sub t0, t0, t0
  TEST "sub t0 t0 t0", t0
  li t0, 0x5
  sll t0, t0, t0
  TEST "sll t0 t0 t0 (5<<5)", t0
  li t0, 0x80000000
  sra t0, t0, t0
  TEST "sra t0 t0 t0 (amount 0)", t0
  li t0, 0x80000004
  sra t0, t0, t0
  TEST "sra t0 t0 t0 (amount 4)", t0
  li t0, -5
  slt t0, t0, t0
  TEST "slt t0 t0 t0", t0

  PRINTLN "# lui / auipc"
  .irp v, 0, 1, 0x7ffff, 0x80000, 0xfffff, 0x12345, 0xabcde
  lui t0, \v
  TEST "lui \v", t0
  .endr
  # auipc results relative to the instruction's own address (position independent)
  .irp v, 0, 1, 0x7ffff, 0x80000, 0xfffff, 0x12345
  1: auipc t0, \v
  la t1, 1b
  sub t0, t0, t1
  TEST "auipc \v minus pc", t0
  .endr
  # lui + addi with a negative low part (li of a constant with bit 11 set)
  lui t0, 0x12346
  addi t0, t0, -0x800
  TEST "lui 0x12346 addi -0x800", t0

  PRINTLN "# writes to x0 are discarded"
  addi x0, x0, 5
  TEST "addi x0 x0 5", x0
  li t1, 0x1234
  add x0, t1, t1
  TEST "add x0 t1 t1", x0
  lui x0, 0xfffff
  TEST "lui x0", x0
  auipc x0, 1
  TEST "auipc x0", x0
  slli x0, t1, 3
  TEST "slli x0", x0
  sltiu x0, x0, 1
  TEST "sltiu x0 x0 1", x0
  # reading x0 as a source always yields 0
  li t1, 7
  sub t0, x0, t1
  TEST "sub t0 x0 7", t0
  sltu t0, x0, t1
  TEST "sltu t0 x0 7 (snez)", t0
  sltiu t0, x0, 1
  TEST "sltiu t0 x0 1 (seqz 0)", t0
  DONE
