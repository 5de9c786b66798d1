// Prints the host file named on its command line and the host's time: the recording test's
// guest for semihosting inputs (the file may be gone by the time a recording is replayed).
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
  // picolibc's semihost crt0 makes argv[0] "program-name" and then splits the whole command
  // line, program file included (as QEMU's -kernel X -append "args" gives it): the file is last.
  if (argc < 3) { printf("usage: cat.elf FILE\n"); return 2; }
  const char *name = argv[argc - 1];
  FILE *f = fopen(name, "r");
  if (f == NULL) { printf("cannot open %s\n", name); return 1; }
  char buf[128];
  unsigned sum = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    fwrite(buf, 1, n, stdout);
    for (size_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
  }
  fclose(f);
  printf("checksum=%08x time=%lld\n", sum, (long long)time(NULL));
  return 0;
}
