// The ≈1e9-instruction workload of the latency benchmark: examples/bench.c with a larger ITER,
// built with the examples' Makefile flags into bench/.cache/ (gitignored) when missing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** examples/bench.elf is ITER=200 (the default): 292.7 M instructions, ≈1.464 M per round. */
export const ITER_1E9 = 683;

export interface Workload { elf: string; label: string; note?: string }

export function benchElf1e9(root: string): Workload {
  const ex = path.join(root, 'examples');
  const cache = path.join(root, 'bench', '.cache');
  const elf = path.join(cache, `bench-iter${ITER_1E9}.elf`);
  const sources = ['start.S', 'exit.c', 'bench.c'].map((f) => path.join(ex, f));
  const inputs = [...sources, path.join(ex, 'virt.h'), path.join(ex, 'link.ld')];
  const fresh = fs.existsSync(elf) && inputs.every((f) => fs.statSync(f).mtimeMs <= fs.statSync(elf).mtimeMs);
  if (fresh) return { elf, label: `bench.c ITER=${ITER_1E9}` };
  const cc = 'riscv64-unknown-elf-gcc';
  fs.mkdirSync(cache, { recursive: true });
  // The Makefile's CFLAGS (examples/Makefile), with ITER.
  const r = spawnSync(cc, ['-march=rv32imac_zicsr', '-mabi=ilp32', '-O2', '-g', '-nostdlib', '-ffreestanding', '-T', 'link.ld', `-DITER=${ITER_1E9}`, ...sources, '-o', elf], { cwd: ex, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? `${cc} not found` : `${cc} failed: ${r.stderr.trim().split('\n')[0]}`;
    return { elf: path.join(ex, 'bench.elf'), label: 'bench.elf (2.9e8, not 1e9)', note: `${why}: fell back to examples/bench.elf` };
  }
  return { elf, label: `bench.c ITER=${ITER_1E9}` };
}
