// Host files, command line, time, clock and heap over semihosting (picolibc --oslib=semihost,
// --crt0=semihost for argv). Prints what it finds and exits with status 3 to check that exit
// codes get through. Lines starting with "time=" and "clock=" depend on the host and the moment.
#include <errno.h>
#include <semihost.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *name = "semihosting-files.txt";

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);

  FILE *f = fopen(name, "w");
  if (f == NULL) { printf("fopen w failed: errno %d\n", errno); return 1; }
  for (int i = 0; i < 5; i++) fprintf(f, "line %d: %d squared is %d\n", i, i, i * i);
  fclose(f);

  f = fopen(name, "r");
  if (f == NULL) { printf("fopen r failed: errno %d\n", errno); return 1; }
  char line[64];
  while (fgets(line, sizeof line, f) != NULL) printf("read back: %s", line);
  fseek(f, 0, SEEK_END);
  printf("length via fseek/ftell: %ld\n", ftell(f));
  fseek(f, 8, SEEK_SET);
  size_t n = fread(line, 1, 10, f);
  line[n] = '\0';
  printf("10 bytes at offset 8: [%s], now at %ld\n", line, ftell(f));
  fclose(f);

  f = fopen(name, "a");
  fputs("appended\n", f);
  fclose(f);
  f = fopen(name, "r");
  fseek(f, 0, SEEK_END);
  printf("length after append: %ld\n", ftell(f));
  fclose(f);

  errno = 0;
  f = fopen("no-such-file.txt", "r");
  printf("missing file: %s, errno %d\n", f == NULL ? "NULL" : "opened", errno);

  // picolibc has no rename() over semihosting; its SYS_RENAME wrapper does the same.
  printf("rename: %d\n", sys_semihost_rename(name, "semihosting-renamed.txt"));
  printf("remove: %d\n", remove("semihosting-renamed.txt"));
  errno = 0;
  printf("remove again: %d, errno %d\n", remove("semihosting-renamed.txt"), errno);

  uint32_t sum = 0;
  char *blocks[8];
  for (int i = 0; i < 8; i++) {
    size_t size = 1000 * (i + 1);
    blocks[i] = malloc(size);
    if (blocks[i] == NULL) { printf("malloc(%u) failed\n", (unsigned)size); return 1; }
    memset(blocks[i], i + 1, size);
  }
  for (int i = 0; i < 8; i++) {
    for (size_t j = 0; j < 1000 * (size_t)(i + 1); j += 100) sum += (uint8_t)blocks[i][j];
    free(blocks[i]);
  }
  printf("malloc: 8 blocks, checksum %lu\n", (unsigned long)sum);

  time_t now = time(NULL);
  printf("time() is after 2020: %s\n", now > 1577836800 ? "yes" : "no");
  printf("time=%lld\n", (long long)now);
  printf("clock=%ld\n", (long)clock());

  printf("exiting with 3\n");
  exit(3);
}
