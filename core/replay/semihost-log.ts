// Semihosting's host answers through the rrfile: RecordingSemihost asks the real host and logs
// each answer; ReplayedSemihost answers from the log without touching the host (a file deleted
// since the recording still "reads" the same, and a replay writes no host files).
import type { SemihostHost } from './semihost-host';
import { encodeSemihost, type SemihostMethod } from './events';

export class RecordingSemihost implements SemihostHost {
  constructor(private readonly host: SemihostHost, private readonly log: (payload: Uint8Array) => void) {}

  private num(method: SemihostMethod, r: number): number {
    this.log(encodeSemihost(method, r));
    return r;
  }

  open(name: string, mode: number): number { return this.num('open', this.host.open(name, mode)); }
  close(handle: number): number { return this.num('close', this.host.close(handle)); }
  read(handle: number, length: number): Uint8Array | null {
    const r = this.host.read(handle, length);
    this.log(encodeSemihost('read', r));
    return r;
  }
  write(handle: number, data: Uint8Array): number { return this.num('write', this.host.write(handle, data)); }
  seek(handle: number, pos: number): number { return this.num('seek', this.host.seek(handle, pos)); }
  flen(handle: number): number { return this.num('flen', this.host.flen(handle)); }
  istty(handle: number): number { return this.num('istty', this.host.istty(handle)); }
  remove(name: string): number { return this.num('remove', this.host.remove(name)); }
  rename(from: string, to: string): number { return this.num('rename', this.host.rename(from, to)); }
  time(): number { return this.num('time', this.host.time()); }
  clock(): number { return this.num('clock', this.host.clock()); }
  elapsedNs(): number { return this.num('elapsedNs', this.host.elapsedNs()); }
  errno(): number { return this.num('errno', this.host.errno()); }
}

export class ReplayedSemihost implements SemihostHost {
  /** `answer(method)` returns the next logged answer, which must be for `method` (else it throws ReplayStop). */
  constructor(private readonly answer: (method: SemihostMethod) => number | Uint8Array | null) {}

  private num(method: SemihostMethod): number {
    const r = this.answer(method);
    return typeof r === 'number' ? r : -1;
  }

  open(): number { return this.num('open'); }
  close(): number { return this.num('close'); }
  read(): Uint8Array | null {
    const r = this.answer('read');
    return typeof r === 'number' ? null : r;
  }
  write(): number { return this.num('write'); }
  seek(): number { return this.num('seek'); }
  flen(): number { return this.num('flen'); }
  istty(): number { return this.num('istty'); }
  remove(): number { return this.num('remove'); }
  rename(): number { return this.num('rename'); }
  time(): number { return this.num('time'); }
  clock(): number { return this.num('clock'); }
  elapsedNs(): number { return this.num('elapsedNs'); }
  errno(): number { return this.num('errno'); }
}
