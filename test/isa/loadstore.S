# loadstore.S — lb/lh/lw/lbu/lhu/sb/sh/sw: sign and zero extension, store truncation, positive
# and negative offsets, rd == base register, x0 as destination and source, MISALIGNED halfword
# and word loads and stores in RAM (QEMU performs them without trapping), misaligned accesses
# that straddle a 4 KiB page boundary, and two MMIO reads (UART LSR, CLINT msip).
# All 32-bit encodings (.option norvc).
#include "isa.h"
.option norvc

# RESET: copy the 16-byte template into buf (clobbers t0-t2).
.macro RESET
  la t0, template
  la t1, buf
  .irp o, 0, 4, 8, 12
  lw t2, \o(t0)
  sw t2, \o(t1)
  .endr
.endm
# DUMP: print the four words of buf.
.macro DUMP
  la t6, buf
  lw t0, 0(t6)
  PUTHEX t0
  PRINT " "
  lw t0, 4(t6)
  PUTHEX t0
  PRINT " "
  lw t0, 8(t6)
  PUTHEX t0
  PRINT " "
  lw t0, 12(t6)
  PUTHEX t0
  NEWLINE
.endm
# LD op, off: t0 = op off(buf)
.macro LD op, off
  la s0, buf
  \op t0, \off(s0)
  TEST "\op \off", t0
.endm
# ST op, off, val: RESET, store val at off(buf), DUMP
.macro ST op, off, val
  RESET
  la s0, buf
  li t1, \val
  \op t1, \off(s0)
  PRINT "\op \off \val: "
  DUMP
.endm

.globl test_main
test_main:
  RESET
  PRINTLN "# template"
  DUMP
  PRINTLN "# aligned loads"
  .irp o, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
  LD lb, \o
  LD lbu, \o
  .endr
  .irp o, 0, 2, 4, 6, 8, 10, 12, 14
  LD lh, \o
  LD lhu, \o
  .endr
  .irp o, 0, 4, 8, 12
  LD lw, \o
  .endr
  PRINTLN "# negative offsets from buf+16"
  la s1, buf
  addi s1, s1, 16
  lb t0, -16(s1)
  TEST "lb -16", t0
  lbu t0, -1(s1)
  TEST "lbu -1", t0
  lh t0, -2(s1)
  TEST "lh -2", t0
  lhu t0, -10(s1)
  TEST "lhu -10", t0
  lw t0, -4(s1)
  TEST "lw -4", t0
  lw t0, -16(s1)
  TEST "lw -16", t0
  PRINTLN "# base register is also the destination"
  la t3, buf
  lw t3, 4(t3)
  TEST "lw t3 4(t3)", t3
  la t3, buf
  lb t3, 2(t3)
  TEST "lb t3 2(t3)", t3
  PRINTLN "# x0 as destination and as store source"
  la s0, buf
  lw x0, 0(s0)
  TEST "lw x0", x0
  lbu x0, 2(s0)
  TEST "lbu x0", x0
  sw x0, 4(s0)
  lw t0, 4(s0)
  TEST "sw x0 then lw", t0
  sb x0, 8(s0)
  lw t0, 8(s0)
  TEST "sb x0 then lw", t0

  PRINTLN "# aligned stores (the stored register holds more bits than the access size)"
  .irp o, 0, 1, 2, 3, 13
  ST sb, \o, 0x123456a5
  .endr
  .irp o, 0, 2, 14
  ST sh, \o, 0x1234beef
  .endr
  .irp o, 0, 12
  ST sw, \o, 0xcafef00d
  .endr

  PRINTLN "# misaligned loads in RAM"
  RESET
  .irp o, 1, 3, 5, 7, 9, 13
  LD lh, \o
  LD lhu, \o
  .endr
  .irp o, 1, 2, 3, 5, 6, 7, 9, 10, 11
  LD lw, \o
  .endr
  PRINTLN "# misaligned stores in RAM"
  .irp o, 1, 3, 5, 13
  ST sh, \o, 0x1234beef
  .endr
  .irp o, 1, 2, 3, 6, 9, 11
  ST sw, \o, 0xcafef00d
  .endr
  PRINTLN "# misaligned load then store back round trip"
  RESET
  la s0, buf
  lw t1, 3(s0)
  lw t2, 9(s0)
  sw t1, 9(s0)
  sw t2, 3(s0)
  PRINT "swap words at 3 and 9: "
  DUMP
  TRAPCOUNT t0
  TEST "traps so far", t0

  PRINTLN "# accesses straddling a 4 KiB page boundary (page2 = 0x...000)"
  la s0, page2
  li t1, 0x11223344
  sw t1, -4(s0)
  li t1, 0x55667788
  sw t1, 0(s0)
  lw t0, -1(s0)
  TEST "lw page2-1", t0
  lw t0, -2(s0)
  TEST "lw page2-2", t0
  lw t0, -3(s0)
  TEST "lw page2-3", t0
  lh t0, -1(s0)
  TEST "lh page2-1", t0
  lhu t0, -1(s0)
  TEST "lhu page2-1", t0
  li t1, 0xa1b2c3d4
  sw t1, -3(s0)
  lw t0, -4(s0)
  TEST "after sw page2-3: word page2-4", t0
  lw t0, 0(s0)
  TEST "after sw page2-3: word page2", t0
  li t1, 0xeeff
  sh t1, -1(s0)
  lw t0, -4(s0)
  TEST "after sh page2-1: word page2-4", t0
  lw t0, 0(s0)
  TEST "after sh page2-1: word page2", t0

  PRINTLN "# MMIO reads"
  li s0, UART_BASE
  lbu t0, 5(s0)
  TEST "uart LSR (lbu)", t0
  li s0, CLINT_MSIP
  lw t0, 0(s0)
  TEST "clint msip (lw)", t0
  TRAPCOUNT t0
  TEST "traps taken", t0
  DONE

.section .rodata
.align 2
template:
  .byte 0x80, 0x7f, 0xff, 0x01, 0x00, 0xfe, 0x81, 0x7e
  .byte 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0
.data
.align 4
buf: .skip 16
.balign 4096
page1: .skip 4096
page2: .skip 16
