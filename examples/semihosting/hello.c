// picolibc's printf over semihosting: stdout is the semihosting console (SYS_WRITEC/SYS_WRITE0),
// and returning from main exits through SYS_EXIT_EXTENDED with status 0.
#include <stdio.h>

int main(void) {
  printf("hello from picolibc\n");
  printf("int %d, negative %d, hex %#x, unsigned %u\n", 42, -17, 0xbeef, 4000000000u);
  printf("padded [%5d] [%-5d] [%05d], long long %lld\n", 7, 7, 7, -1234567890123LL);
  printf("string [%s] [%8s] [%-8s] char %c\n", "semi", "host", "ing", 'Z');
  printf("double %.5f %e %g\n", 3.14159265358979, 6.02214076e23, 0.0001);
  long sum = 0;
  for (int i = 1; i <= 100; i++) sum += (long)i * i;
  printf("sum of squares 1..100 = %ld\n", sum);
  return 0;
}
