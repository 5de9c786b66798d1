// A seeded pseudo-random generator for test vectors and fuzzing: the same seed gives the same
// sequence on every machine, so a failure can be replayed.

/** mulberry32: small, seedable, good enough for test vectors. Returns uint32 values. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  };
}

/** The same sequence as prng(seed), scaled to [0, 1). */
export function prngUnit(seed: number): () => number {
  const next = prng(seed);
  return () => next() / 4294967296;
}
