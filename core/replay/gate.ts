// THE GATE: the one place where the machine meets the host. Every value that depends on the host
// (wall-clock time, host files, bytes typed by a user) reaches a device through here, so that
// record/replay (a later issue) can log it in record mode and feed it back in replay mode.
// Devices never read the host themselves; they call the gate.
//
// Today only mode 'none' exists: inputs pass straight through from the host.
import { HostClock } from './host-clock';

export type RrMode = 'none' | 'record' | 'replay';

export class Gate {
  readonly mode: RrMode = 'none';
  /** Bytes that arrived for the UART and wait until it can take them (asynchronous input). */
  private readonly uartPending: number[] = [];

  constructor(private readonly clock: HostClock = new HostClock()) {}

  /** Goldfish RTC: host wall-clock time in nanoseconds since the Unix epoch (synchronous input). */
  rtcNowNs(_icount: number): bigint {
    return this.clock.wallNs();
  }

  /** The host side queues bytes typed by the user; the run loop delivers them with takeUartByte. */
  queueUartInput(bytes: Uint8Array | number[]): void {
    for (const b of bytes) this.uartPending.push(b & 0xff);
  }

  hasUartInput(): boolean {
    return this.uartPending.length > 0;
  }

  /** Called by the run loop at an instruction boundary when the UART can receive. */
  takeUartByte(_icount: number): number | undefined {
    return this.uartPending.shift();
  }
}
