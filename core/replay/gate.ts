// THE GATE: the one place where the machine meets the host. Every value that depends on the host
// (wall-clock time, host files, bytes typed by a user) reaches a device through here:
//   mode 'none'   passes host answers through;
//   mode 'record' passes them through and logs each at its icount in the rrfile;
//   mode 'replay' never asks the host: it returns the logged answers, checks that the guest asks
//                 for them at the same icount in the same state, and stops the machine at the
//                 end of the recording or at the first sign of divergence.
// Devices never read the host themselves; they call the gate.
//
// The live edge (record mode, for the debugger): a recording can move back in time too. Restoring
// a snapshot while recording puts the gate "in history": it then behaves exactly as a replay,
// fed from the frames written so far (re-read from the file being written), until the machine
// is back at the frontier (the icount where recording left off); there it turns live again and
// goes on recording. Host input typed meanwhile waits in the queue for the live edge.
import * as fs from 'node:fs';
import { HostClock } from './host-clock';
import { HostSemihost, type SemihostHost } from './semihost-host';
import { RecordingSemihost, ReplayedSemihost } from './semihost-log';
import { RrReader, type RrWriter, type Frame, type ReaderPosition } from './rrfile';
import {
  EventKind, EVENT_NAMES, isBoundary, encodeEnd, decodeEnd, encodeU64, decodeU64, decodeSemihost, describePayload, type EndReason,
  encodePoke, decodePoke, type PokeSpace,
} from './events';

export type RrMode = 'none' | 'record' | 'replay';

/** What the gate sees of the machine. */
export interface GateMachine {
  icount(): number;
  pc(): number;
  digest(): number;
  uartCanReceive(): boolean;
  uartReceive(byte: number): void;
  reset(): void;
  /** Applies a user's change (see Gate.poke). */
  poke(space: PokeSpace, index: number, bytes: Uint8Array): void;
}

/** Why a replay stopped before the guest did: the recording ended, was damaged, or diverged. */
export class ReplayStop extends Error {
  override readonly name = 'ReplayStop';
  constructor(readonly kind: 'end' | 'damaged' | 'diverged', message: string, readonly icount: number, readonly status: number) {
    super(message);
  }
}

/** The gate's part of a machine snapshot: where in the log the machine is. */
export interface GateState {
  mode: RrMode;
  events: number;
  nextDigest: number;
  /** Replay: the reader's position at the next frame not yet consumed, and the last consumed icount. */
  reader?: ReaderPosition;
  lastFrameIcount?: number;
}

/** How the machine's run ended, as the recording's end frame says it. */
export interface RecordedEnd { reason: EndReason; status: number }

const DEFAULT_DIGEST_INTERVAL = 1 << 22;

export class Gate {
  /** Console bytes typed by the user, waiting for the guest to take them (asynchronous input). */
  private readonly consolePending: number[] = [];
  /** The user's input has ended (stdin closed): semihosting reads then see end of file. */
  private consoleClosed = false;
  private m: GateMachine | undefined;
  private writer: RrWriter | undefined;
  private nextDigest = Infinity;
  private resetRequested = false;
  private reader: RrReader | undefined;
  /** Replay: the next frame not yet consumed (undefined: end of file or damage), and where it starts. */
  private ahead: Frame | undefined;
  private aheadPos: ReaderPosition | undefined;
  /** Replay: icount of the last frame consumed, and how the recording ended (once seen). */
  private lastFrameIcount = 0;
  /** Frames consumed so far (replay) or written (record). */
  events = 0;
  /** Record mode: true while the machine re-executes the recorded past (see the top of this file). */
  private history = false;
  /** Record mode, in history: the live edge to go back to, as it was when the gate left it. */
  private frontier: { icount: number; digest: number; nextDigest: number; events: number } | undefined;
  /** Record mode: how many bytes of the file `reader` holds (it is re-read when the file grew). */
  private readerBytes = 0;

  private constructor(readonly mode: RrMode, private readonly clock: HostClock, readonly digestInterval: number) {}

  static none(clock = new HostClock()): Gate {
    return new Gate('none', clock, DEFAULT_DIGEST_INTERVAL);
  }

  /** A recording gate; attach the rrfile with startRecording() once the machine is built. */
  static record(digestInterval = DEFAULT_DIGEST_INTERVAL, clock = new HostClock()): Gate {
    return new Gate('record', clock, digestInterval);
  }

  static replay(reader: RrReader): Gate {
    const g = new Gate('replay', new HostClock(), reader.config.digestInterval);
    g.reader = reader;
    g.readAhead();
    return g;
  }

  /** Answers from the log instead of the host: a replay, or a recording in history. */
  private get replaying(): boolean {
    return this.mode === 'replay' || this.history;
  }

  /** True when the machine can move in time: a replay, or a recording with its file open. */
  get canTravel(): boolean {
    return this.mode === 'replay' || (this.mode === 'record' && this.writer !== undefined);
  }

  /** True when the machine re-executes the past (always in a replay; a recording after a restore until the frontier). */
  get inHistory(): boolean {
    return this.replaying;
  }

  /** Record mode in history: the icount where recording resumes (the frontier); else undefined. */
  get liveIcount(): number | undefined {
    return this.frontier?.icount;
  }

  attach(m: GateMachine): void {
    this.m = m;
  }

  private get machine(): GateMachine {
    if (this.m === undefined) throw new Error('gate used before the machine attached');
    return this.m;
  }

  startRecording(writer: RrWriter): void {
    if (this.mode !== 'record') throw new Error('not a recording gate');
    this.writer = writer;
    this.nextDigest = this.machine.icount() + this.digestInterval;
  }

  get recordingFile(): RrWriter | undefined {
    return this.writer;
  }

  private log(kind: EventKind, payload: Uint8Array): void {
    const w = this.writer;
    if (w === undefined) throw new Error('recording gate without an rrfile');
    w.append(kind, this.machine.icount(), payload, this.machine.digest());
    this.events++;
  }

  // ---- the replay log ----------------------------------------------------------------------

  private here(): string {
    return `icount ${this.machine.icount()} (pc 0x${(this.machine.pc() >>> 0).toString(16)})`;
  }

  private describe(f: Frame): string {
    return `${EVENT_NAMES[f.kind]} at icount ${f.icount}`;
  }

  /** Replay: the frame the guest asks for now (sync) must be next, at this icount, in this state. */
  private expect(kind: EventKind, what: string): Frame {
    const f = this.ahead;
    const icount = this.machine.icount();
    if (f === undefined && this.history) throw new ReplayStop('diverged', `replay of the recorded past diverged at ${this.here()}: the guest asked for ${what}, which the recording did not log here`, icount, 125);
    if (f === undefined) throw this.endOfLog(what);
    if (f.kind !== kind || f.icount !== icount) {
      throw new ReplayStop('diverged', `replay diverged at ${this.here()}: the guest asked for ${what}, the recording has ${this.describe(f)} next`, icount, 125);
    }
    this.checkDigest(f);
    this.consume();
    return f;
  }

  private checkDigest(f: Frame): void {
    const got = this.machine.digest();
    if (f.digest !== got) {
      throw new ReplayStop('diverged', `replay diverged at ${this.here()}: expected state digest ${hex(f.digest)} (${this.describe(f)}), got ${hex(got)}`, this.machine.icount(), 125);
    }
  }

  /** Decodes a frame's payload; a payload that passed its CRC but makes no sense is damage. */
  private decode<T>(f: Frame, fn: (p: Uint8Array) => T): T {
    try {
      return fn(f.payload);
    } catch {
      throw new ReplayStop('damaged', `${this.reader!.path}: frame ${f.index} at offset ${f.offset} (${EVENT_NAMES[f.kind]}) has a malformed payload`, this.machine.icount(), 125);
    }
  }

  private consume(): void {
    this.lastFrameIcount = this.ahead!.icount;
    this.events++;
    this.readAhead();
  }

  private readAhead(): void {
    this.aheadPos = this.reader!.save();
    this.ahead = this.reader!.next();
  }

  /** The log has no more frames: either the file was damaged or it lacks an end frame. */
  private endOfLog(what: string): ReplayStop {
    const icount = this.machine.icount();
    const damage = this.reader!.damage;
    if (damage !== undefined) return new ReplayStop('damaged', `${damage.message}; replayed to its last whole frame (icount ${this.lastFrameIcount}); stopped at ${this.here()}${what ? ` where the guest asked for ${what}` : ''}`, icount, 125);
    return new ReplayStop('damaged', `end of recording at icount ${this.lastFrameIcount}: ${this.reader!.path} has no end frame (was the recorder killed?); stopped at ${this.here()}${what ? ` where the guest asked for ${what}` : ''}`, icount, 125);
  }

  // ---- between instructions ------------------------------------------------------------------

  /** The next icount at which boundary() has work: the machine's run loop stops there exactly. */
  nextBoundary(): number {
    if (this.replaying) {
      const f = this.ahead;
      // In history, the machine must also stop at the frontier, where the gate turns live again.
      const edge = this.history ? this.frontier!.icount : Infinity;
      // No frames left: boundary() stops the replay at the next loop top, nothing to wait for.
      if (f === undefined) return edge;
      return Math.min(edge, isBoundary(f.kind) || f.kind === EventKind.END ? f.icount : Infinity);
    }
    // A recording does not stop the machine for its periodic digests: boundary() writes one at
    // the first instruction boundary at or after it is due (the run loop stops often enough),
    // because every forced stop costs the JIT a region exit (~20% over bench.elf at 2^22).
    // The replay then stops exactly where the recording wrote it.
    return Infinity;
  }

  /** Called by the machine at the top of its run loop, between instructions. */
  boundary(): void {
    const m = this.machine;
    if (this.replaying) {
      this.replayBoundary();
      if (this.replaying) return;
      // Back at the live edge (record mode): record from here on, starting with queued input.
    }
    if (this.resetRequested) {
      this.resetRequested = false;
      if (this.mode === 'record') this.log(EventKind.RESET, new Uint8Array(0));
      m.reset();
    }
    if (this.consolePending.length > 0 && m.uartCanReceive()) {
      const bytes: number[] = [];
      while (this.consolePending.length > 0 && m.uartCanReceive()) {
        const b = this.consolePending.shift()!;
        bytes.push(b);
        m.uartReceive(b);
      }
      // Logged after delivery with the digest from before it (the hart state is unchanged by it).
      if (this.mode === 'record') this.log(EventKind.UART_RX, Uint8Array.from(bytes));
    }
    if (this.mode === 'record' && m.icount() >= this.nextDigest) {
      this.log(EventKind.DIGEST, new Uint8Array(0));
      this.nextDigest = m.icount() + this.digestInterval;
    }
  }

  private replayBoundary(): void {
    const m = this.machine;
    const icount = m.icount();
    for (;;) {
      const f = this.ahead;
      if (f === undefined) {
        if (this.history) {
          if (icount >= this.frontier!.icount) this.goLive();
          return;
        }
        if (icount >= this.lastFrameIcount) throw this.endOfLog('');
        return;
      }
      if (f.icount > icount) return;
      if (f.icount < icount) {
        throw new ReplayStop('diverged', `replay diverged at ${this.here()}: the recording has ${this.describe(f)}, which the replay ran past`, icount, 125);
      }
      if (!isBoundary(f.kind) && f.kind !== EventKind.END) return; // a sync event: the guest will ask for it
      this.checkDigest(f);
      switch (f.kind) {
        case EventKind.UART_RX:
          for (const b of f.payload) m.uartReceive(b);
          break;
        case EventKind.RESET:
          m.reset();
          break;
        case EventKind.POKE: {
          const k = this.decode(f, decodePoke);
          m.poke(k.space, k.index, k.bytes);
          break;
        }
        case EventKind.DIGEST:
        case EventKind.WARP: // nothing produces warps yet (see events.ts)
          break;
        case EventKind.END: {
          const end = this.decode(f, decodeEnd);
          throw new ReplayStop('end', `end of recording at icount ${f.icount} (the recording ended: ${describePayload(f.kind, f.payload)})`, f.icount, end.status);
        }
      }
      this.consume();
    }
  }

  /** Replay (or a recording in its past): the guest waits for input, and the recording has none due now: it cannot be this run. */
  idleWithoutInput(): never {
    const f = this.ahead;
    if (this.history) {
      // A recording re-executing its past: the log goes on to its frontier, where it turns live.
      const next = f === undefined ? `nothing more before its frontier at icount ${this.frontier!.icount}` : this.describe(f);
      throw new ReplayStop('diverged', `the past of this recording diverged at ${this.here()}: the guest waits for input, the recording has ${next} next`, this.machine.icount(), 125);
    }
    if (f === undefined) throw this.endOfLog('input');
    throw new ReplayStop('diverged', `replay diverged at ${this.here()}: the guest waits for input, the recording has ${this.describe(f)} next`, this.machine.icount(), 125);
  }

  // ---- synchronous inputs ----------------------------------------------------------------------

  /** Goldfish RTC: host wall-clock time in nanoseconds since the Unix epoch. */
  rtcNowNs(): bigint {
    if (this.replaying) return this.decode(this.expect(EventKind.RTC, 'an RTC read'), decodeU64);
    const t = this.clock.wallNs();
    if (this.mode === 'record') this.log(EventKind.RTC, encodeU64(t));
    return t;
  }

  /** Semihosting's host answers (files confined to `root`, time, clock). */
  semihostHost(root: string): SemihostHost {
    const replayed = new ReplayedSemihost((method) => {
      const f = this.expect(EventKind.SEMIHOST, `semihosting ${method}`);
      const d = this.decode(f, decodeSemihost);
      if (d.method !== method) throw new ReplayStop('diverged', `replay diverged at ${this.here()}: the guest asked semihosting for ${method}, the recording answered ${d.method}`, this.machine.icount(), 125);
      return d.result;
    });
    if (this.mode === 'replay') return replayed;
    const host = new HostSemihost(root, this.clock);
    if (this.mode !== 'record') return host;
    // A recording answers from its log while in history (no host file is touched twice).
    const recording = new RecordingSemihost(host, (payload) => this.log(EventKind.SEMIHOST, payload));
    const h = (): SemihostHost => (this.history ? replayed : recording);
    return {
      open: (name, mode) => h().open(name, mode), close: (fd) => h().close(fd), read: (fd, n) => h().read(fd, n),
      write: (fd, data) => h().write(fd, data), seek: (fd, pos) => h().seek(fd, pos), flen: (fd) => h().flen(fd),
      istty: (fd) => h().istty(fd), remove: (name) => h().remove(name), rename: (a, b) => h().rename(a, b),
      time: () => h().time(), clock: () => h().clock(), elapsedNs: () => h().elapsedNs(), errno: () => h().errno(),
    };
  }

  /** A console byte for semihosting: a byte, 'wait' (none typed yet) or 'eof'. */
  takeConsoleByte(): number | 'wait' | 'eof' {
    if (this.replaying) {
      const p = this.expect(EventKind.CONSOLE, 'a console byte').payload;
      return p.length === 0 ? 'eof' : p[0];
    }
    const b = this.consolePending.shift();
    if (b === undefined && !this.consoleClosed) return 'wait'; // not an input: the guest retries at the same icount
    if (this.mode === 'record') this.log(EventKind.CONSOLE, b === undefined ? new Uint8Array(0) : Uint8Array.of(b));
    return b ?? 'eof';
  }

  // ---- the host side -----------------------------------------------------------------------------

  /** The host queues bytes the user typed; the machine takes them at instruction boundaries. */
  queueConsoleInput(bytes: Uint8Array | number[]): void {
    if (this.mode === 'replay') return; // a replay's input comes from the recording
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

  /**
   * The user changes the machine (the debugger edits a register or memory), between
   * instructions. Applied at once; a recording logs it (with the state digest from before) so
   * that a replay makes the same change at the same icount. A replay, or a recording in the
   * past, cannot be changed: that would contradict what the log says happened next.
   */
  poke(space: PokeSpace, index: number, bytes: Uint8Array): void {
    if (this.history && this.ahead === undefined && this.machine.icount() >= this.frontier!.icount) this.goLive();
    if (this.replaying) throw new Error('the machine cannot be changed while it replays a recording');
    if (this.mode === 'record' && this.writer !== undefined) this.log(EventKind.POKE, encodePoke(space, index, bytes));
    this.machine.poke(space, index, bytes);
  }

  /** The user asks for a reset; it happens (and is logged) at the next instruction boundary. */
  requestReset(): void {
    this.resetRequested = true;
  }

  /** Record: writes the end frame and closes the file. Replay: checks the recording ended the same way here. */
  finish(reason: EndReason, status: number): void {
    if (this.mode === 'record') {
      if (this.writer === undefined) return;
      if (this.history) {
        // Ending while in the past: the recording ends where it had got to, at the frontier.
        const f = this.frontier!;
        this.writer.append(EventKind.END, f.icount, encodeEnd(reason, status), f.digest);
        this.events = f.events + 1;
      } else {
        this.log(EventKind.END, encodeEnd(reason, status));
      }
      this.writer.close();
      return;
    }
    if (this.mode === 'replay') {
      const f = this.ahead;
      const icount = this.machine.icount();
      if (f === undefined) throw this.endOfLog(`its end (${reason}, status ${status})`);
      if (f.kind !== EventKind.END || f.icount !== icount) {
        throw new ReplayStop('diverged', `replay diverged at ${this.here()}: the guest ended (${reason}, status ${status}), the recording has ${this.describe(f)} next`, icount, 125);
      }
      this.checkDigest(f);
      const end = this.decode(f, decodeEnd);
      if (end.reason !== reason || end.status !== status) {
        throw new ReplayStop('diverged', `replay diverged at ${this.here()}: the guest ended (${reason}, status ${status}), the recording ended (${end.reason}, status ${end.status})`, icount, 125);
      }
      this.consume();
    }
  }

  save(): GateState {
    const s: GateState = { mode: this.mode, events: this.events, nextDigest: this.nextDigest };
    if (this.replaying) {
      s.reader = this.aheadPos;
      s.lastFrameIcount = this.lastFrameIcount;
    } else if (this.mode === 'record' && this.writer !== undefined) {
      s.reader = this.writer.position();
      s.lastFrameIcount = s.reader.icount;
    }
    return s;
  }

  /**
   * Moves to a snapshot's place in the log. A replay just moves its reader. A recording cannot
   * unwrite its log, so it goes "in history": it replays the frames written so far up to the
   * frontier, then records again (see the top of this file).
   */
  restore(s: GateState): void {
    if (!this.canTravel || s.reader === undefined) throw new Error(`cannot restore a ${s.mode} snapshot while in ${this.mode} mode: only replay can move in time`);
    if (this.mode === 'record') {
      const m = this.machine;
      // Called before the hart is restored: the machine is still where recording left off.
      if (!this.history) this.frontier = { icount: m.icount(), digest: m.digest(), nextDigest: this.nextDigest, events: this.events };
      this.history = true;
      this.readWritten();
    }
    this.reader!.restore(s.reader!);
    this.readAhead();
    this.lastFrameIcount = s.lastFrameIcount!;
    this.events = s.events;
  }

  /** Record mode: a reader over every frame written so far (the file is re-read when it grew). */
  private readWritten(): void {
    const w = this.writer!;
    w.flush();
    if (this.reader !== undefined && this.readerBytes === w.bytesWritten) return;
    this.reader = RrReader.fromBytes(w.path, fs.readFileSync(w.path));
    this.readerBytes = w.bytesWritten;
  }

  /** Record mode: history has been replayed up to the frontier; record from here on. */
  private goLive(): void {
    const f = this.frontier!;
    this.history = false;
    this.frontier = undefined;
    this.nextDigest = f.nextDigest;
    this.events = f.events;
    this.ahead = undefined;
  }

  /** Where the replay is in its file (for query-replay). */
  get filename(): string | undefined {
    return this.reader?.path ?? this.writer?.path;
  }

  /** Replay: the end frame's icount, if the file has one (for progress). */
  get frameIcount(): number {
    return this.lastFrameIcount;
  }

  /** Record mode: writes buffered frames to the file now (for readers of the file being written). */
  flushRecording(): void {
    this.writer?.flush();
  }
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');
