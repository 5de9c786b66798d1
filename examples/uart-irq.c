/* Interrupt-driven serial input: the UART raises its interrupt through the PLIC (source 10)
   as machine external interrupts (MEI) while the hart sleeps in wfi. Counts bytes and lines
   with a checksum, and exits after a 'q'. */
#include "virt.h"
#define PLIC 0x0c000000u
#define PLIC_PRIO(n) (*(volatile uint32_t *)(PLIC + 4u * (n)))
#define PLIC_ENABLE0 (*(volatile uint32_t *)(PLIC + 0x2000u))
#define PLIC_THRESHOLD0 (*(volatile uint32_t *)(PLIC + 0x200000u))
#define PLIC_CLAIM0 (*(volatile uint32_t *)(PLIC + 0x200004u))
#define UART_IER (*(volatile uint8_t *)(UART_BASE + 1))
#define UART_IRQ 10
static volatile uint32_t bytes, lines, sum, irqs;
static volatile int done;
void trap(uint32_t mcause, uint32_t mepc) {
  (void)mepc;
  if (mcause == 0x8000000bu) {
    uint32_t src = PLIC_CLAIM0;
    irqs++;
    while (UART_LSR & 1) {
      int c = UART_RBR;
      bytes++; sum = sum * 31 + (uint32_t)c;
      if (c == '\n') lines++;
      if (c == 'q') done = 1;
    }
    PLIC_CLAIM0 = src;
    return;
  }
  puts_("unexpected trap mcause="); puthex(mcause); puts_("\n");
  TEST_FINISHER = (1u << 16) | 0x3333; for (;;) {}
}
int main(void) {
  puts_("irq ready\n");
  PLIC_PRIO(UART_IRQ) = 1;
  PLIC_ENABLE0 = 1u << UART_IRQ;
  PLIC_THRESHOLD0 = 0;
  UART_IER = 1; /* received data available */
  __asm__ volatile("csrs mie, %0" :: "r"(1u << 11));
  __asm__ volatile("csrs mstatus, %0" :: "r"(1u << 3));
  while (!done) __asm__ volatile("wfi");
  __asm__ volatile("csrc mstatus, %0" :: "r"(1u << 3));
  puts_("bytes="); putdec(bytes); puts_(" lines="); putdec(lines); puts_(" sum="); puthex(sum);
  puts_(irqs > 0 ? " via interrupts\n" : " without interrupts\n");
  return 0;
}
