/* The bug-hunt example (examples/README.md, "Hunting a bug backwards"): a week of thermostat
   readings. record() stores one reading per day in `readings`, but its loop runs one day too
   far: the eighth reading lands past the end of the array, on `g_max_temp`, which the linker
   placed right after it (`riscv64-unknown-elf-nm -n bughunt.elf`). report() then judges every
   reading against that wrong limit, raises alarms that should not be there, and the program
   fails: "FAIL: ..." and exit status 3 through the sifive_test finisher.
   Built at -O0 so that every line steps as written (see the Makefile). */
#include "virt.h"

#define DAYS 7

int readings[DAYS];     /* one reading per day, in degrees Celsius */
int g_max_temp;         /* a reading above this raises an alarm */
int g_alarms;           /* how many readings did */

/* A deterministic "sensor": between 18 and 29 degrees. */
static int sensor(int day) {
  return 18 + (day * 7) % 12;
}

static void record(void) {
  for (int day = 0; day <= DAYS; day++)    /* the bug: should be day < DAYS */
    readings[day] = sensor(day);           /* BUGHUNT: the out-of-bounds write */
}

static void report(void) {
  for (int day = 0; day < DAYS; day++) {
    puts_("day ");
    putdec(day + 1);
    puts_(": ");
    putdec(readings[day]);
    puts_(" C");
    if (readings[day] > g_max_temp) {
      puts_("  ALARM (limit ");
      putdec(g_max_temp);
      puts_(" C)");
      g_alarms++;
    }
    puts_("\n");
  }
}

static void fail(const char *why, uint32_t status) {
  puts_("FAIL: ");
  puts_(why);
  puts_("\n");
  TEST_FINISHER = (status << 16) | 0x3333;
  for (;;) {}
}

int main(void) {
  g_max_temp = 30;
  g_alarms = 0;
  record();
  report();
  if (g_alarms > 0)
    fail("alarms on a mild week: the limit must be wrong", 3);
  puts_("all readings within the limit\n");
  return 0;
}
