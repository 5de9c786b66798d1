# compressed.S — every RV32C instruction (the integer ones; RV32IMAC has no FP), HINT encodings
# that must execute as no-ops, reserved encodings that must raise illegal instruction (mtval =
# the 16-bit encoding), c.ebreak through the trap handler, and 32-bit instructions at addresses
# that are 2 mod 4, including one straddling a 4 KiB page boundary.
# Explicit c.* mnemonics everywhere; 32-bit forms only inside .option norvc blocks.
#include "isa.h"

.globl test_main
test_main:
  PRINTLN "# c.li / c.addi / c.nop"
  .irp v, 0, 1, 31, -32, -1
  c.li a0, \v
  TEST "c.li \v", a0
  .endr
  li a0, 100
  .irp v, 1, -1, 31, -32
  c.addi a0, \v
  TEST "c.addi \v (running from 100)", a0
  .endr
  c.nop
  TEST "after c.nop", a0

  PRINTLN "# c.lui (sign-extended 6-bit immediate << 12)"
  .irp v, 1, 0x1f, 0xfffe0, 0xfffff, 0xffff0
  c.lui a1, \v
  TEST "c.lui \v", a1
  .endr

  PRINTLN "# c.srli / c.srai / c.andi / c.slli"
  .irp v, 1, 4, 31
  li s0, 0x80000010
  c.srli s0, \v
  TEST "c.srli 0x80000010 \v", s0
  li s0, 0x80000010
  c.srai s0, \v
  TEST "c.srai 0x80000010 \v", s0
  li s0, 0x80000011
  c.slli s0, \v
  TEST "c.slli 0x80000011 \v", s0
  .endr
  .irp v, 0, 1, 31, -32, -1, -16
  li s1, 0xf0f0f0f5
  c.andi s1, \v
  TEST "c.andi 0xf0f0f0f5 \v", s1
  .endr

  PRINTLN "# c.sub / c.xor / c.or / c.and / c.mv / c.add"
  .irp op, c.sub, c.xor, c.or, c.and
  li a2, 0x12345678
  li a3, 0xff00ff0f
  \op a2, a3
  TEST "\op 0x12345678 0xff00ff0f", a2
  li a2, 0x80000000
  li a3, 1
  \op a2, a3
  TEST "\op 0x80000000 1", a2
  .endr
  li t5, 0xabcdef01
  c.mv t6, t5
  TEST "c.mv t6 t5", t6
  li t5, 0x7fffffff
  li t6, 2
  c.add t6, t5
  TEST "c.add 2 0x7fffffff", t6
  li ra, 5
  c.add ra, ra
  TEST "c.add ra ra (5)", ra

  PRINTLN "# c.addi4spn / c.addi16sp (relative to the original sp)"
  mv s1, sp
  .irp v, 4, 8, 1020
  c.addi4spn a0, sp, \v
  sub a0, a0, s1
  TEST "c.addi4spn \v", a0
  .endr
  .irp v, 16, -16, 496, -512
  c.addi16sp sp, \v
  sub a0, sp, s1
  mv sp, s1
  TEST "c.addi16sp \v", a0
  .endr

  PRINTLN "# c.lw / c.sw (base s0 = buf)"
  la s0, buf
  li a4, 0x11111111
  c.sw a4, 0(s0)
  li a4, 0x22222222
  c.sw a4, 4(s0)
  li a4, 0x7c7c7c7c
  c.sw a4, 124(s0)
  c.lw a5, 0(s0)
  TEST "c.lw 0", a5
  c.lw a5, 4(s0)
  TEST "c.lw 4", a5
  c.lw a5, 124(s0)
  TEST "c.lw 124", a5
  lw a5, 120(s0)
  TEST "lw 120 (untouched)", a5

  PRINTLN "# c.lwsp / c.swsp (sp = original sp - 256)"
  addi sp, sp, -256
  li t0, 0xaaaa0000
  c.swsp t0, 0(sp)
  li t0, 0xbbbb0004
  c.swsp t0, 4(sp)
  li t0, 0xcccc00fc
  c.swsp t0, 252(sp)
  c.lwsp t1, 0(sp)
  TEST "c.lwsp 0", t1
  c.lwsp t1, 4(sp)
  TEST "c.lwsp 4", t1
  c.lwsp t1, 252(sp)
  TEST "c.lwsp 252", t1
  lw t1, 252(sp)
  TEST "lw 252(sp)", t1
  addi sp, sp, 256

  PRINTLN "# c.j / c.jal / c.jr / c.jalr"
  li a0, 0
  c.j 1f
  li a0, 0xbad
1: TEST "c.j forward reached (0)", a0
  li a0, 0
  c.j 2f
1: li a0, 1
  c.j 3f
2: c.j 1b
3: TEST "c.j backward reached (1)", a0
1: c.jal 2f
  li a0, 0xbad
2: la t1, 1b
  sub a0, ra, t1
  TEST "c.jal link - pc", a0
  la t2, 2f
  li a0, 0
  c.jr t2
  li a0, 0xbad
2: TEST "c.jr reached (0)", a0
  la t2, 2f
  addi t2, t2, 1
  li a0, 0
  c.jr t2
  li a0, 0xbad
2: TEST "c.jr to target|1 reached (0)", a0
  la t2, 2f
1: c.jalr t2
  li a0, 0xbad
2: la t1, 1b
  sub a0, ra, t1
  TEST "c.jalr link - pc", a0
  # c.jalr with rs1 = ra: target is the old ra, then ra = link
  la ra, 2f
1: c.jalr ra
  li a0, 0xbad
2: la t1, 1b
  sub a0, ra, t1
  TEST "c.jalr ra link - pc", a0

  PRINTLN "# c.beqz / c.bnez"
  .irp v, 0, 1, 0xffffffff, 0x80000000
  li s0, \v
  li a0, 1
  c.beqz s0, 1f
  li a0, 0
1: TEST "c.beqz \v taken", a0
  li a0, 1
  c.bnez s0, 1f
  li a0, 0
1: TEST "c.bnez \v taken", a0
  .endr
  li a1, 0
  li s1, 5
1: addi a1, a1, 1
  addi s1, s1, -1
  c.bnez s1, 1b
  TEST "c.bnez backward loop count", a1

  PRINTLN "# c.ebreak (trap, then skip 2 bytes)"
  MARK
  c.ebreak
  PRINTLN "after c.ebreak"

  PRINTLN "# HINT encodings execute as no-ops (registers unchanged, no trap)"
  li t0, 0x1234
  li t1, 0x5678
  MARK
  .half 0x0005        # c.addi x0, 1   (c.nop with nonzero imm)
  .half 0x0281        # c.addi t0, 0
  .half 0x4015        # c.li x0, 5
  .half 0x7001        # c.lui x0, 0x20000 -> c.lui x0, -32
  .half 0x8016        # c.mv x0, t0
  .half 0x9016        # c.add x0, t0
  .half 0x0016        # c.slli x0, 5
  .half 0x0282        # c.slli t0, 0 (c.slli64)
  .half 0x8001        # c.srli s0, 0 (c.srli64)
  .half 0x8401        # c.srai s0, 0 (c.srai64)
  UNMARK
  TEST "t0 after hints", t0
  TEST "t1 after hints", t1
  TRAPCOUNT a0
  TEST "traps so far", a0

  PRINTLN "# reserved encodings: illegal instruction, mtval = encoding"
  .irp h, 0x0000, 0x0004, 0x6101, 0x6281, 0x6001, 0x8002, 0x4002, 0x9001, 0x9401, 0x1282, 0x9c41, 0x9c61
  PRINTLN "half \h"
  MARK
  .half \h
  UNMARK
  .endr
  PRINTLN "# RV32FC encodings (c.fld/c.flw/c.fsd/c.fsw/...sp) trap while mstatus.FS = 0"
  .irp h, 0x2004, 0x6004, 0xa004, 0xe004, 0x2002, 0x6002, 0xa002, 0xe002
  PRINTLN "half \h"
  MARK
  .half \h
  UNMARK
  .endr

  PRINTLN "# 32-bit instructions at pc = 2 mod 4"
  li a0, 0
  .balign 4
  c.nop
.option push
.option norvc
at2mod4:
  addi a0, a0, 0x123
  lui a1, 0x54321
  addi a0, a0, 1
.option pop
  TEST "addi at 2 mod 4", a0
  TEST "lui at 2 mod 4", a1
  la t0, at2mod4
  andi t0, t0, 3
  TEST "address of the first one mod 4", t0

  PRINTLN "# a 32-bit instruction straddling a 4 KiB page boundary"
  li a0, 0
  la t0, straddle
  jr t0
back_from_straddle:
  TEST "a0 after straddling addi (0x2a1)", a0
  la t0, straddle_insn
  li t1, 0xfff
  and t0, t0, t1
  TEST "straddling insn page offset", t0
  TRAPCOUNT a0
  TEST "traps taken", a0
  DONE

# straddle_insn sits at page offset 0xffe: its low half is on one page, its high half on the next.
.balign 4096
  .skip 4096 - 6
straddle:
  c.addi a0, 1
  c.nop
.option push
.option norvc
straddle_insn:
  addi a0, a0, 0x2a0
.option pop
  j back_from_straddle

.data
.align 2
buf: .skip 128
