// Host time. Only the gate may call this (determinism: see gate.ts).
export class HostClock {
  /** Wall-clock nanoseconds since the Unix epoch. */
  wallNs(): bigint {
    return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  }
  /** Monotonic nanoseconds since an arbitrary origin (for SYS_CLOCK and progress). */
  monotonicNs(): bigint {
    return process.hrtime.bigint();
  }
}
