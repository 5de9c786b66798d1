/* The example `npm start` runs: prints a greeting, a few Fibonacci numbers and how many
   instructions that took, then exits through the sifive_test finisher. */
#include "virt.h"
static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int main(void) {
  puts_("Hello from a RISC-V guest on the virt board!\n");
  for (uint32_t i = 0; i <= 20; i += 5) { puts_("fib("); putdec(i); puts_(") = "); putdec(fib(i)); puts_("\n"); }
  puts_("retired instructions so far: "); putdec(instret()); puts_("\n");
  return 0;
}
