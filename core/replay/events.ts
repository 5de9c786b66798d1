// Every kind of event the rrfile holds, in one place. A new non-deterministic input (a block
// device completion, a network packet, an RNG read) gets a kind here, a payload codec below,
// and a method on the gate; nothing else in the file format changes.
//
// Boundary events happen between instructions, at the top of the machine's run loop: the
// recorder writes them when it delivers something there, the replayer stops the machine at
// their icount and applies them. Synchronous events answer a question the guest asked in the
// middle of an instruction (a device read); the replayer checks kind and icount and returns
// the logged answer instead of asking the host.
export const enum EventKind {
  /** Boundary: bytes the UART received (typed by the user). */
  UART_RX = 1,
  /** Boundary: a periodic state digest (no payload; every frame carries a digest). */
  DIGEST = 2,
  /** Boundary: the user reset the machine. */
  RESET = 3,
  /** Boundary: host-dependent idle time added to the virtual clock (payload: ns). Reserved for
   *  when an interrupt controller lets a wfi wait for input; nothing produces it yet. */
  WARP = 4,
  /** Boundary: the user changed the machine from the debugger at the live edge (a register,
   *  the pc, a CSR or memory; payload: see encodePoke). */
  POKE = 5,
  /** Sync: a goldfish RTC read of host time (payload: u64 ns). */
  RTC = 16,
  /** Sync: one answer of the semihosting host (payload: method, result). */
  SEMIHOST = 17,
  /** Sync: one console byte for semihosting READC/READ (payload: byte, or none for end of input). */
  CONSOLE = 18,
  /** The end of the recording (payload: reason and exit status). */
  END = 255,
}

export const EVENT_NAMES: Record<number, string> = {
  [EventKind.UART_RX]: 'uart-rx', [EventKind.DIGEST]: 'digest', [EventKind.RESET]: 'reset', [EventKind.WARP]: 'warp', [EventKind.POKE]: 'poke',
  [EventKind.RTC]: 'rtc', [EventKind.SEMIHOST]: 'semihost', [EventKind.CONSOLE]: 'console', [EventKind.END]: 'end',
};

export function isBoundary(kind: number): boolean {
  return kind < 16;
}

export type EndReason = 'exit' | 'quit' | 'limit' | 'idle' | 'trap-loop' | 'error';
const END_REASONS: EndReason[] = ['exit', 'quit', 'limit', 'idle', 'trap-loop', 'error'];

export function encodeEnd(reason: EndReason, status: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = END_REASONS.indexOf(reason);
  new DataView(out.buffer).setInt32(1, status, true);
  return out;
}

export function decodeEnd(p: Uint8Array): { reason: EndReason; status: number } {
  if (p.length !== 5 || p[0] >= END_REASONS.length) throw new Error('bad end payload');
  return { reason: END_REASONS[p[0]], status: new DataView(p.buffer, p.byteOffset).getInt32(1, true) };
}

export function encodeU64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return out;
}

export function decodeU64(p: Uint8Array): bigint {
  if (p.length !== 8) throw new Error('bad u64 payload');
  return new DataView(p.buffer, p.byteOffset).getBigUint64(0, true);
}

/** What a poke changes: an x register (index 1-31), the pc, memory (index: the address) or a CSR (index: its number). */
export const enum PokeSpace { X = 0, PC = 1, MEM = 2, CSR = 3 }

/** Poke payload: u8 space, u32 index, then the bytes written (little-endian for registers). */
export function encodePoke(space: PokeSpace, index: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + bytes.length);
  out[0] = space;
  new DataView(out.buffer).setUint32(1, index >>> 0, true);
  out.set(bytes, 5);
  return out;
}

export function decodePoke(p: Uint8Array): { space: PokeSpace; index: number; bytes: Uint8Array } {
  if (p.length < 6 || p[0] > PokeSpace.CSR || (p[0] !== PokeSpace.MEM && p.length !== 9)) throw new Error('bad poke payload');
  return { space: p[0] as PokeSpace, index: new DataView(p.buffer, p.byteOffset).getUint32(1, true), bytes: p.subarray(5) };
}

/** Semihosting host methods, numbered for the log. The order is part of the file format. */
export const SEMIHOST_METHODS = ['open', 'close', 'read', 'write', 'seek', 'flen', 'istty', 'remove', 'rename', 'time', 'clock', 'elapsedNs', 'errno'] as const;
export type SemihostMethod = typeof SEMIHOST_METHODS[number];

/** Semihost payload: method index, then either an f64 number result or (read) a flag and bytes. */
export function encodeSemihost(method: SemihostMethod, result: number | Uint8Array | null): Uint8Array {
  const m = SEMIHOST_METHODS.indexOf(method);
  if (typeof result === 'number') {
    const out = new Uint8Array(9);
    out[0] = m;
    new DataView(out.buffer).setFloat64(1, result, true);
    return out;
  }
  if (result === null) return Uint8Array.of(m, 0);
  const out = new Uint8Array(2 + result.length);
  out[0] = m; out[1] = 1;
  out.set(result, 2);
  return out;
}

export function decodeSemihost(p: Uint8Array): { method: SemihostMethod; result: number | Uint8Array | null } {
  const method = SEMIHOST_METHODS[p[0]];
  if (method === undefined || p.length < 2) throw new Error('bad semihost payload');
  if (method === 'read') return { method, result: p[1] === 0 ? null : p.slice(2) };
  if (p.length !== 9) throw new Error('bad semihost payload');
  return { method, result: new DataView(p.buffer, p.byteOffset).getFloat64(1, true) };
}

/** One line summary of a payload, for `rvreplay dump`. */
export function describePayload(kind: number, p: Uint8Array): string {
  try {
    switch (kind) {
      case EventKind.UART_RX: return `${p.length} byte${p.length === 1 ? '' : 's'} ${JSON.stringify(Buffer.from(p).toString('latin1'))}`;
      case EventKind.RTC: return `${decodeU64(p)} ns`;
      case EventKind.WARP: return `${decodeU64(p)} ns`;
      case EventKind.CONSOLE: return p.length === 0 ? 'end of input' : `byte 0x${p[0].toString(16).padStart(2, '0')} ${JSON.stringify(String.fromCharCode(p[0]))}`;
      case EventKind.SEMIHOST: {
        const { method, result } = decodeSemihost(p);
        return `${method} -> ${result === null ? 'null' : typeof result === 'number' ? result : `${result.length} bytes`}`;
      }
      case EventKind.END: { const e = decodeEnd(p); return `${e.reason}, status ${e.status}`; }
      case EventKind.POKE: {
        const k = decodePoke(p);
        const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
        const word = (): string => hex(new DataView(k.bytes.buffer, k.bytes.byteOffset).getUint32(0, true));
        if (k.space === PokeSpace.MEM) return `memory ${hex(k.index)}: ${k.bytes.length} byte${k.bytes.length === 1 ? '' : 's'}`;
        return k.space === PokeSpace.X ? `x${k.index} = ${word()}` : k.space === PokeSpace.PC ? `pc = ${word()}` : `csr ${hex(k.index)} = ${word()}`;
      }
      default: return p.length ? `${p.length} bytes` : '';
    }
  } catch {
    return `malformed payload (${p.length} bytes)`;
  }
}
