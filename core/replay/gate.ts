// THE GATE: the one place where the machine meets the host. Every value that depends on the host
// (wall-clock time, host files, bytes typed by a user) reaches a device through here, so that
// record/replay (a later issue) can log it in record mode and feed it back in replay mode.
// Devices never read the host themselves; they call the gate.
//
// Today only mode 'none' exists: inputs pass straight through from the host.
import { HostClock } from './host-clock';
import { HostSemihost, type SemihostHost } from './semihost-host';

export type RrMode = 'none' | 'record' | 'replay';

export class Gate {
  readonly mode: RrMode = 'none';
  /** Console bytes typed by the user, waiting for the guest to take them (asynchronous input). */
  private readonly consolePending: number[] = [];
  /** The user's input has ended (stdin closed): semihosting reads then see end of file. */
  private consoleClosed = false;

  constructor(private readonly clock: HostClock = new HostClock()) {}

  /** Goldfish RTC: host wall-clock time in nanoseconds since the Unix epoch (synchronous input). */
  rtcNowNs(_icount: number): bigint {
    return this.clock.wallNs();
  }

  /** Semihosting's host answers (files confined to `root`, time, clock). */
  semihostHost(root: string): SemihostHost {
    return new HostSemihost(root, this.clock);
  }

  /** The host side queues bytes typed by the user; the machine takes them with takeConsoleByte. */
  queueConsoleInput(bytes: Uint8Array | number[]): void {
    for (const b of bytes) this.consolePending.push(b & 0xff);
  }

  /** The user's input ended (e.g. stdin reached end of file). */
  closeConsoleInput(): void {
    this.consoleClosed = true;
  }

  hasConsoleInput(): boolean {
    return this.consolePending.length > 0;
  }

  get consoleInputClosed(): boolean {
    return this.consoleClosed && this.consolePending.length === 0;
  }

  /** Called by the machine at an instruction boundary when the guest can take a byte. */
  takeConsoleByte(_icount: number): number | undefined {
    return this.consolePending.shift();
  }
}
