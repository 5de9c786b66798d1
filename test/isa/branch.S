# branch.S — conditional branches (taken / not taken, forward / backward, signed vs unsigned),
# jal / jalr link values, jalr clearing bit 0 of the target, jalr with rd == rs1, long
# branches. All 32-bit encodings (.option norvc); link values are printed relative to the
# jumping instruction, so the output does not depend on where the code is placed.
#include "isa.h"
.option norvc

# BR op, a, b: prints "op a b=00000001" if taken, 0 if not (forward branch).
.macro BR op, a, b
  li t1, \a
  li t2, \b
  li t0, 1
  \op t1, t2, 1f
  li t0, 0
1: TEST "\op \a \b", t0
.endm
# BRB op, a, b: the same with a backward branch.
.macro BRB op, a, b
  li t1, \a
  li t2, \b
  li t0, 0
  j 2f
1: li t0, 1
  j 3f
2: \op t1, t2, 1b
3: TEST "\op \a \b (backward)", t0
.endm

#define BVALS 0, 1, 0xffffffff, 0x7fffffff, 0x80000000

.globl test_main
test_main:
  PRINTLN "# conditional branches, forward"
  .irp op, beq, bne, blt, bge, bltu, bgeu
  .irp a, BVALS
  .irp b, BVALS
  BR \op, \a, \b
  .endr
  .endr
  .endr

  PRINTLN "# conditional branches, backward"
  .irp op, beq, bne, blt, bge, bltu, bgeu
  .irp a, 0xffffffff, 1
  .irp b, 1, 0xffffffff
  BRB \op, \a, \b
  .endr
  .endr
  .endr

  PRINTLN "# branches comparing a register with itself and with x0"
  li t1, 0x80000000
  li t0, 0
  beq t1, t1, 1f
  li t0, 1
1: TEST "beq t1 t1 (taken: 0)", t0
  li t0, 0
  bge t1, t1, 1f
  li t0, 1
1: TEST "bge t1 t1 (taken: 0)", t0
  li t0, 0
  bltz t1, 1f
  li t0, 1
1: TEST "bltz 0x80000000 (taken: 0)", t0
  li t0, 0
  bgtu t1, x0, 1f
  li t0, 1
1: TEST "bltu x0 0x80000000 (taken: 0)", t0
  li t0, 0
  bnez x0, 1f
  li t0, 1
1: TEST "bne x0 x0 (not taken: 1)", t0

  PRINTLN "# backward loop: count 37 iterations"
  li t0, 0
  li t1, 37
1: addi t0, t0, 1
  addi t1, t1, -1
  bnez t1, 1b
  TEST "loop count", t0

  PRINTLN "# long branches (over 3000 bytes of padding)"
  li t0, 0
  beq x0, x0, 1f
  .skip 3000
1: li t0, 1
  TEST "beq forward +3000", t0
  li t0, 0
  j 2f
1: li t0, 1
  j 3f
  .skip 3000
2: beq x0, x0, 1b
3: TEST "beq backward -3000", t0

  PRINTLN "# jal link values (ra - address of the jal)"
1: jal ra, 2f
  li t0, 0xbad
2: la t1, 1b
  sub t0, ra, t1
  TEST "jal ra link", t0
1: jal t2, 2f
  li t0, 0xbad
2: la t1, 1b
  sub t0, t2, t1
  TEST "jal t2 link", t0
  li t0, 0
  jal x0, 1f
  li t0, 0xbad
1: TEST "jal x0 (j) reached", t0
  # jal far: over 40000 bytes
  li t0, 0
  jal ra, 1f
  .skip 40000
1: li t0, 1
  TEST "jal +40000 reached", t0

  PRINTLN "# jalr"
  la t3, 2f
1: jalr ra, 0(t3)
  li t0, 0xbad
2: la t1, 1b
  sub t0, ra, t1
  TEST "jalr ra 0(t3) link", t0
  # offset added to rs1
  la t3, 2f
  addi t3, t3, -100
  li t0, 0
1: jalr ra, 100(t3)
  li t0, 0xbad
2: TEST "jalr ra 100(t3-100) reached (0)", t0
  la t3, 2f
  addi t3, t3, 2000
  li t0, 0
  jalr ra, -2000(t3)
  li t0, 0xbad
2: TEST "jalr ra -2000(t3+2000) reached (0)", t0
  # bit 0 of the target is cleared: jump to label + 1
  la t3, 2f
  addi t3, t3, 1
  li t0, 0
1: jalr ra, 0(t3)
  li t0, 0xbad
2: la t1, 1b
  sub t4, ra, t1
  TEST "jalr to target|1 reached (0)", t0
  TEST "jalr to target|1 link", t4
  # rs1 + offset odd: bit 0 of the sum is cleared
  la t3, 2f
  li t0, 0
  jalr ra, 1(t3)
  li t0, 0xbad
2: TEST "jalr 1(label) reached (0)", t0
  # rd == rs1: the target uses the old value, then rd gets the link
  la t3, 2f
1: jalr t3, 0(t3)
  li t0, 0xbad
2: la t1, 1b
  sub t0, t3, t1
  TEST "jalr t3 0(t3) link", t0
  # jalr x0 (jr / ret) writes nothing
  la t3, 2f
  li t0, 0
  jalr x0, 0(t3)
  li t0, 0xbad
2: TEST "jalr x0 reached (0)", t0
  # call / ret pair
  li t0, 0
  call sub_inc
  call sub_inc
  call sub_inc
  TEST "3 calls to sub_inc", t0
  DONE

sub_inc:
  addi t0, t0, 1
  ret
