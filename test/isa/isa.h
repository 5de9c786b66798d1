/* isa.h — assembler macros shared by the ISA test programs (included from .S files, which gcc
 * preprocesses). The runtime they call lives in common.S, which is linked into every test.
 *
 * Every macro preserves every register except the ones it is documented to write, so a test
 * can print in the middle of a computation. `sp` must point at valid RAM whenever a macro runs
 * or a trap is taken (the trap handler pushes onto it). */
#ifndef ISA_H
#define ISA_H

#define UART_BASE      0x10000000
#define FINISHER       0x00100000
#define CLINT_MSIP     0x02000000
#define CLINT_MTIMECMP 0x02004000
#define CLINT_MTIME    0x0200bff8
#define RTC_BASE       0x00101000

/* Each test defines `test_main` (global); it must not return: end it with DONE. */

/* Push/pop the caller-saved registers the runtime calls below may clobber (ra, a0, a1). */
.macro _PUSH3
  addi sp, sp, -16
  sw ra, 0(sp)
  sw a0, 4(sp)
  sw a1, 8(sp)
.endm
.macro _POP3
  lw ra, 0(sp)
  lw a0, 4(sp)
  lw a1, 8(sp)
  addi sp, sp, 16
.endm

/* PRINT "text": print a string literal (no newline). */
.macro PRINT text
  _PUSH3
  la a0, .Lpstr\@
  call isa_puts
  _POP3
  .pushsection .rodata.isa_str, "a"
.Lpstr\@: .asciz "\text"
  .popsection
.endm

/* PRINTLN "text": print a string literal and a newline. */
.macro PRINTLN text
  PRINT "\text\n"
.endm

/* NEWLINE */
.macro NEWLINE
  _PUSH3
  li a0, '\n'
  call isa_putc
  _POP3
.endm

/* PUTHEX reg: print a register as 8 lower-case hex digits (no newline). Not for reg = sp. */
.macro PUTHEX reg
  sw \reg, -4(sp)
  _PUSH3
  lw a0, 12(sp)
  call isa_puthex
  _POP3
.endm

/* TEST name, reg: print "name=XXXXXXXX\n". Not for reg = sp (copy it to another register). */
.macro TEST name, reg
  sw \reg, -4(sp)
  _PUSH3
  lw a1, 12(sp)
  la a0, .Ltstr\@
  call isa_print_test
  _POP3
  .pushsection .rodata.isa_str, "a"
.Ltstr\@: .asciz "\name"
  .popsection
.endm

/* MARK: from here on, the trap handler prints mepc relative to the instruction following MARK
 * (so a trap on that very instruction prints mepc=00000000), until the next MARK or UNMARK.
 * Without a mark the handler prints the absolute mepc. Preserves all registers. */
.macro MARK
  addi sp, sp, -16
  sw t5, 0(sp)
  sw t6, 4(sp)
  la t6, .Lmark\@
  la t5, trap_anchor
  sw t6, 0(t5)
  lw t5, 0(sp)
  lw t6, 4(sp)
  addi sp, sp, 16
.Lmark\@:
.endm

/* UNMARK: clear the mark: the handler prints absolute mepc values again. */
.macro UNMARK
  addi sp, sp, -16
  sw t6, 0(sp)
  la t6, trap_anchor
  sw zero, 0(t6)
  lw t6, 0(sp)
  addi sp, sp, 16
.endm

/* TRAPCOUNT reg: reg = number of traps taken so far (writes reg). */
.macro TRAPCOUNT reg
  la \reg, trap_count
  lw \reg, 0(\reg)
.endm

/* DONE: print "done" and exit through the finisher with status 0. */
.macro DONE
  tail isa_done
.endm

/* EXIT code: exit through the finisher with the given status (no "done" printed). */
.macro EXIT code
  li a0, \code
  tail isa_exit
.endm

#endif
