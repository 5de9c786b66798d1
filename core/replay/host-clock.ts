// Host time. Only the gate may call this (determinism: see gate.ts).
export class HostClock {
  // Wall time = a fixed epoch offset + the monotonic clock, so readings never go backwards and
  // still have nanosecond resolution (Date.now() alone has milliseconds).
  private readonly epochOffsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

  /** Wall-clock nanoseconds since the Unix epoch. */
  wallNs(): bigint {
    return this.epochOffsetNs + process.hrtime.bigint();
  }
  /** Monotonic nanoseconds since an arbitrary origin. */
  monotonicNs(): bigint {
    return process.hrtime.bigint();
  }
}
