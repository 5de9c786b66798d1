# exitcode.S — exit-status test: prints one line, then exits through the sifive_test finisher
# with status 7 (writes (7 << 16) | 0x3333 = 0x00073333), without printing "done".
#include "isa.h"
.globl test_main
test_main:
  PRINTLN "exit with code 7"
  li t0, FINISHER
  li t1, (7 << 16) | 0x3333
  sw t1, 0(t0)
1: j 1b
