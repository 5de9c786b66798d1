// The debugger runtime: everything a debug session does to the machine, forwards and backwards
// in time, and nothing of DAP (the adapter in adapter/ translates requests into calls here and
// the listener's callbacks into events, as vscode-mock-debug's runtime does).
//
// Forward: continue, pause, next / step in / step out at line and instruction granularity,
// breakpoints (source, function, instruction: pcs, with conditions, hit counts and log
// messages) and watchpoints (address ranges; write = the bytes change, read, read/write).
//
// Backward (docs/debugging.md): the machine can be put back at any icount of its history (a
// replay, or a recording before its frontier: the gate's live edge) by restoring a snapshot and
// replaying. Reverse operations search the past in windows going backwards from now:
//   - seek to the window's start, then run through [lo, hi) noting the positions of interest
//     (breakpoint and watchpoint hits, line entries, call depth);
//   - found one: seek to the last; else the window before (4 times larger), down to the start
//     of history ("start of recording").
// stepBack(instruction) is seek(icount - 1); stepBack(line) goes to the last entry into a source
// line at the current or an outer call depth, so it steps back over calls as `next` steps over
// them; reverseContinue goes to the last breakpoint or watchpoint hit; reverseStepOut to the
// call instruction of the current frame.
//
// Speed: continue and reverseContinue run at full speed (translated code): the hart stops before
// a breakpoint pc by itself (Hart.setBreakpoints; its interpreter runs the breakpoint's
// instruction), and right after an access to a watched range (Hart.setWatchpoints, kept equal to
// the user's watchpoints), where hartWatchHit decides as one instruction at a time would. Line
// and instruction steps, step out, stepBack(line) and reverseStepOut walk fast (fastStep,
// reverseScan, advance): a few dozen instructions one at a time through tracer.ts, then at full
// speed through the code where nothing they look for can happen (the rest of the current line,
// a call stepped over), the hart stopping where it could (CodeSet); the result is the one-instruction-at-a-time one (`singleStep` keeps that path, and
// test/debugger-fast.test.ts compares them; test/debugger-watch-fast.test.ts compares continue
// and reverseContinue with watchpoints). Steps with a watchpoint set still go one instruction
// at a time: exact, but some 50 times slower than free running.
import type { TimeTravel, TravelStop } from './time-travel';
import type { Gate } from '../replay/gate';
import { Tracer, Access, Flow, type InsnInfo } from './tracer';
import { Op } from '../isa/opcodes';
import { evaluateExpression, truthy, ExprError, type EvalEnv } from './expr';
import { describeCause } from '../cpu/trap';
import { REG_NAMES } from '../isa/disasm';
import { PokeSpace } from '../replay/events';
import { POKEABLE_CSRS, type VirtMachine } from '../machine/virt';
import type { DebugInfo, Frame, LineRange, Scope, Value } from '../dwarf/index';
import { UserError } from '../errors';
import * as fs from 'node:fs';
import { RrReader } from '../replay/rrfile';
import { EVENT_NAMES } from '../replay/events';

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'instruction breakpoint' | 'data breakpoint' | 'pause' | 'goto' | 'exception' | 'exit' | 'end';

export interface Stop {
  reason: StopReason;
  /** One line: why, and where in time ("in history (icount N of M)" or "live"). */
  description: string;
  /** Details (an exception's message, a condition that could not be evaluated). */
  text?: string;
  breakpointIds: number[];
  icount: number;
  live: boolean;
  /** Time moved by a restore (backwards, or a jump): every view must be refreshed. */
  jumped: boolean;
}

/** How far a long operation has got (DebuggerListener.progress). */
export interface Progress {
  title: string;
  /** 0–100; undefined when the end is not known (running live). */
  percentage?: number;
}

export interface DebuggerListener {
  stopped(stop: Stop): void;
  /**
   * An operation running for more than PROGRESS_AFTER_MS reports how far it has got, now and
   * then, until its stop (which ends it). pause() cancels it.
   */
  progress?(p: Progress): void;
  /** Guest output (UART and semihosting console), never repeated when history re-executes. */
  output(text: string): void;
  /** Logpoint messages and notes for the user. */
  message(text: string): void;
}

/** A command refused in the current state; the message says why. */
export class DebugError extends UserError {
  override readonly name = 'DebugError';
}

export type BreakKind = 'source' | 'function' | 'instruction';

export interface BreakpointSpec {
  /** Where it is: a source line can have code at several addresses (a for loop's line). */
  pcs: number[];
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  /** For messages and the timeline ("debugme.c:27", "square", "0x80000010"). */
  label: string;
}

export interface Breakpoint extends BreakpointSpec {
  id: number;
  kind: BreakKind;
  hits: number;
}

export type WatchAccess = 'read' | 'write' | 'readWrite';

export interface WatchSpec {
  addr: number;
  size: number;
  access: WatchAccess;
  condition?: string;
  hitCondition?: string;
  label: string;
}

export interface Watchpoint extends WatchSpec {
  id: number;
  hits: number;
  /** The watched bytes as of the current position (for "the value changed"). */
  bytes: Uint8Array;
}

export type Granularity = 'line' | 'instruction';

export interface StackFrame {
  id: number;
  name: string;
  pc: number;
  file?: string;
  line?: number;
  column?: number;
  /** The physical frame (registers as unwound); several source frames share one when inlined. */
  frame: Frame;
  /** The DWARF scope (function or inlined subroutine), when there is debug info. */
  scope?: Scope;
}

export interface NamedValue {
  name: string;
  value: Value;
}

export interface RegisterValue {
  name: string;
  value: number | undefined;
  /** What setRegister calls it. */
  id: string;
}

export interface TimelineSnapshot { icount: number; kind: 'auto' | 'named'; name?: string }
export interface TimelineHit { icount: number; kind: 'breakpoint' | 'watchpoint'; label: string }

/** A fast, unchecked slice of execution (instructions). */
const FAST_SLICE = 1_000_000;
/** Time between yields to the event loop while running (pause must be answered within 100 ms). */
const SLICE_MS = 25;
const MAX_HITS = 2000;
/** A stop farther than this from the snapshot before it takes a snapshot (see snapshotHere). */
const STOP_SNAPSHOT_DISTANCE = 1 << 15;
/** A jump in time takes a snapshot this far before where it lands (see seek). */
const SETTLE_DISTANCE = 4096;
/**
 * Seeks that replay more instructions than this use the JIT (when the hart has one): translated
 * code survives a restore when its page is unchanged, so it pays already from some 1e4
 * instructions on (a seek of 2.6e5 from a snapshot: 15 ms interpreted, 2 ms translated).
 */
const JIT_SEEK_MIN = 20_000;
/**
 * Fast stepping (see CodeSet): instructions run one at a time before a skip is tried. Short
 * lines and small calls cost less stepped than skipped (a skip sets hart breakpoints and
 * enters the run loop).
 */
const CHEAP_STEPS = 64;
/** An operation reports progress once it has run this long, then at most this often (ms). */
const PROGRESS_AFTER_MS = 500;
const PROGRESS_EVERY_MS = 250;
/** A long goto replays in slices of this many instructions, answering pause and reporting progress between them. */
const GOTO_SLICE = 1 << 24;
/** reverseScan: a window that ran at least this part of its instructions at full speed (a loop line, a long call) is sparse. */
const SPARSE_SKIPPED = 0.75;
/** reverseScan: the least length of a window after a sparse one (the automatic snapshots' interval late in a long run). */
const SPARSE_WINDOW = 1 << 18;

/**
 * Code a fast skip runs through at full speed without missing a position that matters: the
 * instructions of one function on one source line (or all of them). Leaving it is seen by hart
 * breakpoints on its successors outside it; the instructions in it that change the call depth
 * (calls, returns, mret) or jump indirectly are breakpoints too, and run one at a time; a trap
 * is seen by breakpoints on the trap vector.
 */
interface CodeSet {
  pcs: Set<number>;
  self: Set<number>;
  /** Hart breakpoints while skipping in the set: successors outside it, and `self`. */
  stops: number[];
  stopSet: Set<number>;
}

/** A call entered one instruction at a time: skipped at full speed up to its return (pc at `ra`, sp as at the call). */
interface OpenCall { icount: number; ra: number; sp: number; depth: number }

/** State of a fast walk (forward step or a backward window), see Debugger.advance. */
interface Walk {
  t: Tracer;
  calls: OpenCall[];
  pending: OpenCall | undefined;
  cheap: number;
  /** The next move is one instruction. */
  force?: boolean;
  /** The code the walk may skip through from the current position (undefined: none). */
  skipSet: (t: Tracer) => CodeSet | undefined;
  /** Whether the positions inside this call can be skipped. */
  skipCall: (c: OpenCall) => boolean;
  /** Hart breakpoints the walk must stop at (the user's, forward: read at each skip, they can change while it runs). */
  extras: () => number[];
  /** A call was skipped: positions after `c.icount` up to now, at depth > c.depth, were not looked at. */
  onSkipped?: (c: OpenCall) => void;
}

type Move = { kind: 'pos' } | { kind: 'stepped' } | { kind: 'inside' } | { kind: 'trap' } | TravelStop;

interface PcLine {
  range: LineRange | undefined;
  /** The start of a statement outside any prologue: where a line step may stop. */
  stop: boolean;
  /** "file:line" of the pc, for "same line" comparisons. */
  key: string | undefined;
}

/** Positions kept by depth for "the last position at depth <= X" (later and shallower wins). */
class DepthStack {
  private readonly at: number[] = [];
  private readonly depth: number[] = [];
  push(icount: number, depth: number): void {
    while (this.depth.length > 0 && this.depth[this.depth.length - 1] >= depth) { this.at.pop(); this.depth.pop(); }
    this.at.push(icount);
    this.depth.push(depth);
  }
  /** The last position with depth <= limit. */
  last(limit: number): number | undefined {
    for (let i = this.depth.length - 1; i >= 0; i--) if (this.depth[i] <= limit) return this.at[i];
    return undefined;
  }
}

/** What a backward search looks for in one window (see the top of the file). */
interface BackSearch {
  /** Position `icount` (the state before that instruction), tracer depth relative to the window. */
  visit(icount: number, t: Tracer): void;
  /** The instruction at `icount` has run (watchpoints look at what it did). */
  after?(icount: number, t: Tracer): void;
  /** The answer in this window: `shift` turns window depths into depths relative to where the search started (d - shift). */
  result(shift: number): number | undefined;
  /** A fresh window. */
  reset(): void;
  /** The deepest window depth an answer can have (for `result(shift)`). */
  bound(shift: number): number;
  /** Fast search: positions of the same depth skip through a whole function (depth only), or one line of it. */
  whole: boolean;
  /** It also stops at breakpoint and watchpoint hits (withHits): fast walks stop at breakpoint pcs and watched accesses inside what they skip. */
  breaks?: boolean;
  /** A fast walk's skip made an access that triggered these watchpoints, at position `icount`. */
  watched?(icount: number, ws: Watchpoint[]): void;
  /** The walk is at a trap handler's first instruction, the trap taken at position `icount` (nothing retired). */
  trapHit?(icount: number): void;
}

interface Goal {
  reason: StopReason;
  /** After each instruction: true when the goal is reached. Undefined: run until something stops it. */
  done?: (t: Tracer) => boolean;
  /** Fast stepping: the code where positions at the current depth cannot reach the goal. */
  skipSet?: (t: Tracer) => CodeSet | undefined;
  /** Fast stepping: whether the positions inside a call cannot reach the goal. */
  skipCall?: (c: OpenCall) => boolean;
}

export class Debugger {
  readonly machine: VirtMachine;
  readonly travel: TimeTravel;
  readonly gate: Gate;
  readonly dbg: DebugInfo | undefined;
  readonly mode: 'none' | 'record' | 'replay';
  /** Replay: the recording's last icount. */
  readonly recordingEnd: number | undefined;
  private listener: DebuggerListener;
  private breakpoints = new Map<string, Breakpoint[]>();
  private byPc = new Map<number, Breakpoint[]>();
  private watchpoints: Watchpoint[] = [];
  private nextId = 1;
  private running = false;
  private pauseRequested = false;
  private wakeInput: (() => void) | undefined;
  private readonly decoder = new TextDecoder('utf-8');
  private outQueue: Uint8Array[] = [];
  private readonly lines = new Map<number, PcLine | null>();
  private stackCache: StackFrame[] | undefined;
  readonly hits: TimelineHit[] = [];
  /** The last stop reported. */
  lastStop: Stop | undefined;
  /**
   * Steps and searches backwards one instruction at a time, as before fast stepping (the
   * reference the tests compare fast stepping with).
   */
  singleStep = false;
  /** Fast stepping: instructions stepped one at a time before a skip is tried (tests lower it to exercise skips). */
  cheapSteps = CHEAP_STEPS;
  /** What fast stepping did (tests check that it was exercised). */
  readonly fastStats = { skips: 0, calls: 0, traps: 0, rescans: 0 };
  /** Whether the hart ran translated code when the debugger got it (it steps with the interpreter). */
  private readonly jitDefault: boolean;

  /** An operation reports progress once it has run this long (ms). */
  private readonly progressAfterMs: number;

  /** `progressAfterMs`: see PROGRESS_AFTER_MS (tests lower it, so as not to depend on this machine's speed). */
  constructor(opts: { machine: VirtMachine; travel: TimeTravel; debugInfo?: DebugInfo; mode: 'none' | 'record' | 'replay'; recordingEnd?: number; progressAfterMs?: number }, listener: DebuggerListener) {
    this.progressAfterMs = opts.progressAfterMs ?? PROGRESS_AFTER_MS;
    this.machine = opts.machine;
    this.travel = opts.travel;
    this.gate = opts.machine.gate;
    this.dbg = opts.debugInfo;
    this.mode = opts.mode;
    this.recordingEnd = opts.recordingEnd;
    this.listener = listener;
    this.jitDefault = (this.machine.hart as { useJit?: boolean }).useJit ?? false;
    this.machine.hart.prepareForDebugger(this.dbg?.lineChangeAddresses() ?? []);
    this.travel.onOutput = (b) => { this.outQueue.push(b.slice()); };
  }

  // ---- where we are --------------------------------------------------------------------------

  get icount(): number {
    return this.machine.hart.icount;
  }

  get pc(): number {
    return this.machine.hart.pc >>> 0;
  }

  /** The end of known history: the recording's frontier (record), its end (replay), now (none). */
  get frontier(): number {
    if (this.mode === 'replay') return Math.max(this.recordingEnd ?? 0, this.travel.frontier);
    return Math.max(this.travel.frontier, this.icount);
  }

  /** Running live (new execution, recorded in record mode) rather than re-executing history. */
  get live(): boolean {
    if (this.mode === 'none') return true;
    if (this.mode === 'replay') return false;
    return this.icount >= this.travel.frontier;
  }

  get canTravel(): boolean {
    return this.travel.canTravel;
  }

  /** The earliest icount reachable (the first snapshot). */
  private get historyStart(): number {
    const a = this.travel.autos.list[0]?.icount ?? Infinity;
    const n = this.travel.named.list.reduce((m, s) => Math.min(m, s.snapshot.icount), Infinity);
    const s = Math.min(a, n);
    return s === Infinity ? this.icount : s;
  }

  where(): string {
    if (this.live) return this.mode === 'none' ? `live (icount ${this.icount})` : `live (icount ${this.icount}, recording)`;
    return `in history (icount ${this.icount} of ${this.frontier})`;
  }

  private stop(reason: StopReason, why: string, extra: Partial<Stop> = {}): Stop {
    return { reason, description: `${why}, ${this.where()}`, breakpointIds: [], icount: this.icount, live: this.live, jumped: false, ...extra };
  }

  // ---- running ---------------------------------------------------------------------------------

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts an operation; its stop is reported through the listener. Refused while one runs. */
  /** Resolves when the machine is stopped (at once if it is; a stop's listener may start it again). */
  async idle(): Promise<void> {
    while (this.running) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private idleWaiters: (() => void)[] = [];

  private launch(op: () => Promise<Stop>, title = 'Running', fraction: () => number | undefined = () => undefined): void {
    if (this.running) throw new DebugError('the machine is running: pause it first');
    this.running = true;
    this.op = { title, started: performance.now(), reported: 0, fraction };
    this.pauseRequested = false;
    this.stackCache = undefined;
    void (async () => {
      let stop: Stop;
      const hart = this.machine.hart as { useJit?: boolean };
      const jit = hart.useJit;
      try {
        // One instruction at a time, the interpreter is much faster than entering translated code.
        if (jit !== undefined) hart.useJit = false;
        stop = await op();
      } catch (e) {
        // The adapter must survive anything the guest (or a bug here) does: stop and say what.
        const msg = e instanceof Error ? e.message : String(e);
        stop = this.stop('exception', `internal error: ${msg}`, { text: e instanceof Error && !(e instanceof UserError) ? e.stack : msg, jumped: true });
      }
      if (jit !== undefined) hart.useJit = jit;
      this.snapshotHere();
      this.running = false;
      this.stackCache = undefined;
      this.flushOutput();
      this.lastStop = stop;
      this.op = undefined;
      this.listener.stopped(stop);
      for (const w of this.idleWaiters.splice(0)) w();
    })();
  }

  /**
   * A snapshot where the user stopped, unless one is near: stepping around here (and going back
   * to here) then replays little.
   */
  private snapshotHere(): void {
    if (!this.canTravel || this.machine.exitCode !== undefined) return;
    const near = this.travel.nearestSnapshot(this.icount);
    if (near !== undefined && this.icount - near.icount < STOP_SNAPSHOT_DISTANCE) return;
    this.travel.autos.take(this.travel.frontier);
  }

  /** Asks a running operation to stop (answered within ~100 ms). */
  pause(): void {
    if (!this.running) return;
    this.pauseRequested = true;
    this.wakeInput?.();
  }

  private flushOutput(): void {
    if (this.outQueue.length === 0) return;
    const chunks = this.outQueue;
    this.outQueue = [];
    const text = chunks.map((c) => this.decoder.decode(c, { stream: true })).join('');
    if (text !== '') this.listener.output(text);
  }

  private async tick(): Promise<void> {
    this.flushOutput();
    this.reportProgress();
    await new Promise<void>((r) => setImmediate(r));
  }

  /** The running operation, for progress reports (see DebuggerListener.progress). */
  private op: { title: string; started: number; reported: number; fraction: () => number | undefined } | undefined;
  /** How far back the running backward search has looked (its windows' lowest icount). */
  private searchedBackTo = 0;

  private reportProgress(): void {
    const op = this.op;
    if (op === undefined || this.listener.progress === undefined) return;
    const now = performance.now();
    if (now - op.started < this.progressAfterMs || now - op.reported < PROGRESS_EVERY_MS) return;
    op.reported = now;
    const f = op.fraction();
    this.listener.progress({ title: op.title, percentage: f === undefined || !Number.isFinite(f) ? undefined : Math.max(0, Math.min(100, Math.round(f * 100))) });
  }

  /** Progress of a backward search from here to the start of history. */
  private backwards(): () => number {
    const end = this.icount, start = this.historyStart;
    this.searchedBackTo = end;
    return () => (end - this.searchedBackTo) / Math.max(1, end - start);
  }

  /** Progress of a run from here towards the end of known history (unknown when live). */
  private towardsFrontier(): () => number | undefined {
    const from = this.icount, to = this.frontier;
    return () => (this.live || to <= from ? undefined : (this.icount - from) / (to - from));
  }

  /** Reports the start (stopOnEntry) or runs (continue). */
  start(stopOnEntry: boolean, why = 'entry'): void {
    if (stopOnEntry) this.launch(async () => this.stop('entry', why));
    else this.continue();
  }

  continue(): void {
    this.launch(() => this.forward({ reason: 'breakpoint' }), 'Running', this.towardsFrontier());
  }

  step(kind: 'next' | 'in' | 'out', granularity: Granularity = 'line'): void {
    this.launch(() => this.forward(this.stepGoal(kind, granularity)), 'Stepping', this.towardsFrontier());
  }

  stepBack(granularity: Granularity = 'line'): void {
    this.requireTravel('step back');
    this.launch(() => this.reverseStep(granularity), 'Stepping back', this.backwards());
  }

  reverseContinue(): void {
    this.requireTravel('reverse continue');
    this.launch(async () => {
      if ((this.watchpoints.length === 0 || !this.singleStep) && this.hasTraps) return this.reverseToBreakpoint();
      if (this.hasTraps) return this.reverseSearch(this.hitSearch(), 4096, 'breakpoint');
      // Nothing could stop it on the way: straight to the start.
      this.seek(this.historyStart);
      return this.stop('entry', 'start of recording', { jumped: true });
    }, 'Reverse continue: searching the past', this.backwards());
  }

  /**
   * Back to the instruction that called the current function (or the code a trap interrupted);
   * `levels` > 1: that many calls out (DAP's restartFrame of an outer frame).
   */
  reverseStepOut(levels = 1): void {
    this.requireTravel('reverse step out');
    this.launch(() => {
      const search = this.withHits(this.depthSearch(-levels));
      return this.singleStep ? this.reverseSearch(search, 4096, 'step') : this.reverseScan(search, 4096, 'step');
    }, 'Reverse step out', this.backwards());
  }

  /** Looks at the machine at another icount of its history and comes back (for the timeline's hovers). */
  peekAt<T>(icount: number, look: () => T): T {
    if (this.running) throw new DebugError('the machine is running: pause it first');
    this.requireTravel('look at another icount');
    if (!Number.isSafeInteger(icount) || icount < this.historyStart || icount > this.frontier) throw new DebugError(`icount ${icount} is outside the history (${this.historyStart} to ${this.frontier})`);
    const back = this.icount;
    try {
      this.seek(icount);
      return look();
    } finally {
      this.seek(back);
    }
  }

  /** Moves to exactly `icount` (the timeline's click, replay-seek). */
  goto(icount: number): void {
    this.requireTravel('go to an icount');
    if (!Number.isSafeInteger(icount) || icount < 0) throw new DebugError(`cannot go to icount ${icount}`);
    if (this.mode === 'record' && icount > this.frontier) throw new DebugError(`icount ${icount} is beyond the recording's frontier (${this.frontier}): continue to run there live`);
    let from = this.icount;
    this.launch(async () => {
      from = this.replayStart(icount);
      // A long replay goes in slices: pause answers, and progress is reported.
      for (let at = from; icount - at > GOTO_SLICE; at = this.replayStart(icount)) {
        this.seek(at + GOTO_SLICE);
        await this.tick();
        if (this.pauseRequested) return this.stop('pause', `paused on the way to icount ${icount}`, { jumped: true });
      }
      this.seek(icount, true);
      return this.stop('goto', `at icount ${icount}`, { jumped: true });
    }, `Going to icount ${icount}`, () => (this.icount - from) / Math.max(1, icount - from));
  }

  /** loadvm: to a named snapshot's icount. */
  loadSnapshot(name: string): void {
    this.requireTravel('load a snapshot');
    const s = this.travel.named.get(name);
    if (s === undefined) throw new DebugError(`Snapshot '${name}' does not exist`);
    if (this.mode === 'record' && s.snapshot.icount > this.frontier) throw new DebugError(`snapshot '${name}' is beyond the frontier`);
    this.launch(async () => {
      this.travel.restore(s.snapshot);
      return this.stop('goto', `snapshot '${name}'`, { jumped: true });
    });
  }

  saveSnapshot(name: string): void {
    if (this.running) throw new DebugError('the machine is running: pause it first');
    if (!/^[\w.-]+$/.test(name)) throw new DebugError(`bad snapshot name '${name}': use letters, digits, '_', '-' and '.'`);
    this.travel.named.save(name);
  }

  deleteSnapshot(name: string): void {
    if (!this.travel.named.delete(name)) throw new DebugError(`Snapshot '${name}' not found`);
  }

  /** Bytes typed into the serial terminal: live input (recorded in record mode). */
  uartInput(text: string): void {
    if (this.mode === 'replay') throw new DebugError('a replay takes its input from the recording; typed input is ignored');
    this.gate.queueConsoleInput(Buffer.from(text, 'utf8'));
    this.wakeInput?.();
  }

  private requireTravel(what: string): void {
    if (!this.canTravel) throw new DebugError(`cannot ${what}: reverse execution needs a recording ("rr": "record" or "replay"; this session has "rr": "none")`);
  }

  /** Where a seek to `icount` replays from: here, or the snapshot it restores. */
  private replayStart(icount: number): number {
    const snap = this.travel.nearestSnapshot(icount)?.icount ?? 0;
    return icount < this.icount || snap > this.icount ? snap : this.icount;
  }

  /**
   * Moves to `icount`. `settle`: the user will stop there and probably step back: when the
   * nearest snapshot is far before it, one is taken SETTLE_DISTANCE before it on the way, so
   * the next steps back replay little (the stop itself gets one too, see snapshotHere).
   */
  private seek(icount: number, settle = false): void {
    if (settle && this.canTravel) {
      const from = this.travel.nearestSnapshot(icount)?.icount ?? 0;
      if (icount - from > STOP_SNAPSHOT_DISTANCE && icount - SETTLE_DISTANCE > from) {
        this.seek(icount - SETTLE_DISTANCE);
        if (this.icount === icount - SETTLE_DISTANCE) this.travel.autos.take(this.travel.frontier);
      }
    }
    const saved = this.travel.breakIcount;
    try {
      // Translated code is dropped by a restore and costs its compilation again: only worth it for long replays.
      const from = this.travel.nearestSnapshot(icount)?.icount ?? 0;
      if (icount - Math.max(from, icount >= this.icount ? this.icount : 0) > JIT_SEEK_MIN) this.withJit(() => this.travel.seek(icount));
      else this.travel.seek(icount);
    } finally {
      this.travel.breakIcount = saved !== undefined && saved > this.icount ? saved : undefined;
    }
  }

  // ---- forward ---------------------------------------------------------------------------------

  private get hasTraps(): boolean {
    return this.byPc.size > 0 || this.watchpoints.length > 0;
  }

  private async forward(goal: Goal): Promise<Stop> {
    if (goal.done !== undefined && !this.singleStep) return this.fastStep(goal);
    const hart = this.machine.hart;
    const t = new Tracer(this.machine, this.travel);
    t.breakAtTraps = this.byPc.size > 0;
    this.refreshWatched();
    let first = true;
    for (;;) {
      if (this.pauseRequested) return this.stop('pause', 'paused');
      const t0 = performance.now();
      if (goal.done === undefined && (this.watchpoints.length === 0 || !this.singleStep)) {
        // Nothing to check at each instruction: run free (translated code), a slice at a time;
        // the hart itself stops before a breakpoint pc (pages holding one run in its interpreter)
        // and after an instruction that accessed a watched range (watchOn).
        if (first) hart.resumeHere(); // not at the breakpoint we are stopped at
        first = false;
        do {
          const stop = this.fastRun(hart.icount + FAST_SLICE, true, true);
          if (stop.kind === 'breakpoint') {
            const hit = this.breakpointHit();
            if (hit !== undefined) return hit;
            hart.resumeHere(); // condition false, hit count not reached, or a logpoint
            continue;
          }
          if (stop.kind === 'watchpoint') {
            const r = this.hartWatchHit(true);
            if (r.stop !== undefined) {
              const s = await this.machineStop(r.stop);
              if (s !== undefined) return s;
              break;
            }
            const w = r.hit;
            if (w !== undefined) return this.watchpointStop(w);
            // No resumeHere: a breakpoint at the next instruction is checked, as one instruction
            // at a time checks it after the watchpoints of the one before.
            continue;
          }
          if (stop.kind !== 'limit') {
            const s = await this.machineStop(stop);
            if (s !== undefined) return s;
            break;
          }
        } while (performance.now() - t0 < SLICE_MS && !this.pauseRequested);
        await this.tick();
        continue;
      }
      for (let n = 0; ; n++) {
        if (!first && this.byPc.size > 0) {
          const hit = this.breakpointHit();
          if (hit !== undefined) return hit;
        }
        first = false;
        const access = this.watchpoints.length > 0 ? this.accessAt(t) : undefined;
        const stop = t.step();
        if (stop.kind === 'breakpoint') {
          const r = await this.enterHandler(t);
          if (r.stop !== undefined) return r.stop;
          if (!r.stepped) break;
        } else if (stop.kind !== 'limit') {
          const s = await this.machineStop(stop);
          if (s !== undefined) return s;
          break;
        }
        if (this.watchpoints.length > 0) {
          const w = this.watchHit(access, true);
          if (w !== undefined) return this.watchpointStop(w);
        }
        if (goal.done?.(t)) return this.stop(goal.reason, 'step');
        if ((n & 255) === 255 && (performance.now() - t0 > SLICE_MS || this.pauseRequested)) break;
      }
      await this.tick();
    }
  }

  /**
   * A step (goal.done) without watchpoints, fast: one instruction at a time for a while, then
   * at full speed through the code where nothing can end it (goal.skipSet: the rest of a loop
   * line, say) and through calls it steps over (goal.skipCall), the hart stopping at the
   * positions that matter (CodeSet) and at the user's breakpoints. Every position where the
   * goal or a breakpoint could stop is looked at as one instruction at a time would
   * (test/debugger.test.ts compares the two).
   */
  private async fastStep(goal: Goal): Promise<Stop> {
    const hart = this.machine.hart;
    const t = new Tracer(this.machine, this.travel);
    t.breakAtTraps = this.byPc.size > 0;
    this.codeSets.clear(); // code may have changed since the last walk
    // Watchpoints: an instruction run one at a time is looked at as the reference does (its
    // access, then the bytes); skips run with the hart's watchpoint hook (see hartWatchHit).
    const watching = this.watchpoints.length > 0;
    if (watching) this.refreshWatched();
    this.watchSkips = watching;
    const w: Walk = {
      t, calls: [], pending: undefined, cheap: 0,
      skipSet: goal.skipSet ?? (() => undefined), skipCall: goal.skipCall ?? (() => false),
      extras: () => [...this.byPc.keys()],
    };
    let arrived = false;
    try {
      for (;;) {
        if (this.pauseRequested) return this.stop('pause', 'paused');
        const t0 = performance.now();
        for (let n = 0; ; n++) {
          if (arrived) {
            if (goal.done!(t)) return this.stop(goal.reason, 'step');
            if (this.byPc.size > 0) {
              const hit = this.breakpointHit();
              if (hit !== undefined) return hit;
            }
          }
          arrived = true;
          const access = watching ? this.accessAt(t) : undefined;
          const m = this.advance(w, hart.icount + FAST_SLICE);
          if (watching && m.kind === 'stepped') {
            const hit = this.watchHit(access, true);
            if (hit !== undefined) return this.watchpointStop(hit);
          }
          if (m.kind === 'watchpoint') {
            // A skip stopped after an instruction that accessed a watched range.
            if (hart.icount === (hart.watchHits[0]?.icount ?? -1)) {
              // It stored, then trapped: the hart is at the handler (see hartWatchHit, which
              // runs the handler's first instruction: one step with the trap, as below).
              this.noteTrapStep(t);
            }
            const r = this.hartWatchHit(true);
            if (r.stop !== undefined) {
              const s = await this.machineStop(r.stop);
              if (s !== undefined) return s;
              arrived = false;
            } else if (r.hit !== undefined) {
              return this.watchpointStop(r.hit);
            }
            // Not a hit: on from here (the goal and breakpoints are looked at here first).
          } else if (m.kind === 'inside') {
            // A user breakpoint inside a call being skipped (the goal cannot be reached there).
            const hit = this.breakpointHit();
            if (hit !== undefined) return hit;
            arrived = false;
          } else if (m.kind === 'trap' || m.kind === 'breakpoint') {
            // A trap taken while skipping, or by a single step with a breakpoint where it
            // lands (Tracer.breakAtTraps): the hart is at the handler, its first instruction
            // not run.
            if (m.kind === 'trap') this.fastStats.traps++;
            const r = await this.enterHandler(t);
            if (r.stop !== undefined) return r.stop;
            if (!r.stepped) arrived = false;
          } else if (m.kind !== 'pos' && m.kind !== 'stepped' && m.kind !== 'limit') {
            const s = await this.machineStop(m);
            if (s !== undefined) return s;
            arrived = false;
          }
          if ((n & 63) === 63 && (performance.now() - t0 > SLICE_MS || this.pauseRequested)) break;
        }
        await this.tick();
      }
    } finally {
      this.watchSkips = false;
      this.hartBreaksReset();
    }
  }

  /**
   * The hart is at a trap handler's first instruction, the trap taken and that instruction not
   * run (a fast skip saw the trap, or a step stopped there: Tracer.breakAtTraps). A breakpoint
   * there stops here, as continue stops there. Otherwise that instruction runs, and with the
   * trap it makes one step (`stepped`), as one instruction at a time has it.
   */
  private async enterHandler(t: Tracer): Promise<{ stop?: Stop; stepped: boolean }> {
    const hart = this.machine.hart;
    if (this.byPc.has(this.pc)) {
      const hit = this.breakpointHit();
      if (hit !== undefined) return { stop: hit, stepped: false };
    }
    this.noteTrapStep(t);
    const stop = this.machine.run(hart.icount + 1);
    if (hart.icount > this.travel.frontier) this.travel.frontier = hart.icount;
    if (stop.kind === 'limit') return { stepped: true };
    const s = await this.machineStop(stop);
    return { stop: s, stepped: false };
  }

  /** The tracer's bookkeeping of a step that takes a trap (the hart at the handler, nothing retired yet). */
  private noteTrapStep(t: Tracer): void {
    const mepc = this.machine.hart.mepc >>> 0;
    t.last = t.insnAt(mepc);
    t.lastPc = mepc;
    t.trapped = true;
    t.depth++;
  }

  /**
   * Backward walks: a step stopped at a trap handler's first instruction (Tracer.breakAtTraps),
   * the trap taken at position `i`. The search looks at it (`look`), then the step completes.
   */
  private pastTrapStep(t: Tracer, i: number, look: boolean, search: BackSearch): void {
    if (look) search.trapHit?.(i);
    this.noteTrapStep(t);
    const s = this.travel.run(this.machine.hart.icount + 1);
    if (s.kind !== 'limit') throw new DebugError(`the past could not be replayed at icount ${i}: ${describeTravelStop(s)}`);
  }

  /** The stop at watchpoints that triggered. */
  private watchpointStop(ws: Watchpoint[]): Stop {
    return this.stop('data breakpoint', `watchpoint ${ws.map((x) => x.label).join(', ')}`, { breakpointIds: ws.map((x) => x.id) });
  }

  /** fastStep's skips also stop at the hart's watchpoints (runBreaking). */
  private watchSkips = false;

  /**
   * One move of a fast walk from the current position: skips a call (w.pending, or the
   * innermost open call once CHEAP_STEPS instructions were stepped), skips through the code set
   * of the position, or runs one instruction. 'pos' / 'stepped': at the next position to look
   * at ('pos': same depth); 'inside': at one of w.extras inside a skipped call; 'trap': a trap
   * was taken while skipping (the hart is at the handler, not a position); 'limit': at `until`.
   */
  private advance(w: Walk, until: number): Move {
    const hart = this.machine.hart;
    const t = w.t;
    const force = w.force === true;
    w.force = false;
    if (!force && w.pending === undefined && w.cheap >= this.cheapSteps) {
      const top = w.calls[w.calls.length - 1];
      if (top !== undefined && t.depth > top.depth && w.skipCall(top)) {
        w.calls.pop();
        w.pending = top;
        t.depth = top.depth + 1;
        t.last = undefined;
        t.trapped = false;
      }
    }
    if (w.pending !== undefined) {
      const c = w.pending;
      const r = this.skipCall(c, until, w.extras());
      if (r.kind !== 'returned') return r;
      w.pending = undefined;
      w.cheap = 0;
      t.depth = c.depth;
      t.last = undefined;
      t.trapped = false;
      this.fastStats.calls++;
      w.onSkipped?.(c);
      while (w.calls.length > 0 && w.calls[w.calls.length - 1].depth >= t.depth) w.calls.pop();
      return { kind: 'pos' };
    }
    const pc = this.pc;
    if (!force && w.cheap >= this.cheapSteps) {
      const set = w.skipSet(t);
      if (set !== undefined && set.pcs.has(pc) && !set.self.has(pc)) {
        w.cheap = 0;
        this.fastStats.skips++;
        return this.skipIn(set, until, w.extras());
      }
    }
    const sp = hart.x[2] | 0;
    const ic = hart.icount;
    const stop = t.step();
    w.cheap++;
    if (stop.kind !== 'limit') return stop;
    const last = t.last;
    if (!t.trapped && last !== undefined && last.flow === Flow.CALL) w.calls.push({ icount: ic, ra: (pc + last.len) >>> 0, sp, depth: t.depth - 1 });
    while (w.calls.length > 0 && w.calls[w.calls.length - 1].depth >= t.depth) w.calls.pop();
    return { kind: 'stepped' };
  }

  /** Runs at full speed through `set` from the current position (see CodeSet and advance). */
  private skipIn(set: CodeSet, until: number, extras: number[]): Move {
    const hart = this.machine.hart;
    const vec = this.vectors();
    hart.setBreakpoints([...set.stops, ...vec, ...extras]);
    hart.resumeHere();
    const stop = this.runBreaking(until);
    if (stop.kind !== 'breakpoint') return stop;
    const pc = hart.pc >>> 0;
    // Only a trap leaves the set other than through its stops.
    if (!set.pcs.has(pc) && !set.stopSet.has(pc) && vec.includes(pc)) return { kind: 'trap' };
    return { kind: 'pos' };
  }

  /** Runs at full speed to the return from call `c` (a deeper recursion level does not count: sp differs). */
  private skipCall(c: OpenCall, until: number, extras: number[]): Move | { kind: 'returned' } {
    const hart = this.machine.hart;
    const vec = this.vectors();
    hart.setBreakpoints([c.ra, ...extras]);
    hart.resumeHere();
    for (;;) {
      const stop = this.runBreaking(until);
      if (stop.kind !== 'breakpoint') return stop;
      const pc = hart.pc >>> 0;
      if (pc === c.ra && (hart.x[2] | 0) === c.sp) return { kind: 'returned' };
      // A breakpoint on a trap handler's first instruction: one instruction at a time would not
      // see it (the trap and that instruction are one step).
      if (extras.includes(pc) && !vec.includes(pc)) return { kind: 'inside' };
      hart.resumeHere();
    }
  }

  /** Runs to `until` in translated code, the hart stopping before its breakpoints. */
  private runBreaking(until: number): TravelStop {
    const hart = this.machine.hart;
    hart.breakOn = true;
    hart.watchOn = this.watchSkips;
    // Instructions run one at a time in between were not watched by the hart: its copies of
    // write watchpoints' bytes take what they wrote, as the debugger's own copies did.
    if (this.watchSkips) hart.refreshWatchBytes();
    try {
      return this.withJit(() => this.travel.run(until));
    } finally {
      hart.breakOn = false;
      hart.watchOn = false;
    }
  }

  /** Where the hart goes when it takes a trap (mtvec; vectored: each interrupt's entry too). */
  private vectors(): number[] {
    const v = this.machine.hart.mtvec >>> 0;
    const base = (v & ~3) >>> 0;
    if ((v & 3) !== 1) return [base];
    return Array.from({ length: 16 }, (_, i) => (base + 4 * i) >>> 0);
  }

  /** Code sets by function and line, for one walk (code can change between walks). */
  private readonly codeSets = new Map<string, CodeSet | null>();

  /** The code set of `pc` (see CodeSet): its function's instructions on its line (`whole`: all of them). */
  private codeSet(pc: number, whole: boolean, t: Tracer): CodeSet | undefined {
    if (this.dbg === undefined) return undefined;
    const fn = this.dbg.functionAt(pc);
    const here = this.lineAt(pc);
    let ranges: [number, number][];
    let id: string;
    if (!whole && here?.range === undefined) return undefined;
    if (fn !== undefined) {
      ranges = fn.ranges;
      id = `${fn.lowPc}:${whole ? '*' : here!.key}`;
    } else {
      // Code outside any DWARF function (a start-up file in assembly), for depth-only walks
      // (assembly has a line per instruction: nothing to skip by line): from its symbol on, up
      // to the next function.
      if (!whole) return undefined;
      const sym = this.machine.elf.symbolAt(pc);
      if (sym === undefined || sym.value > pc) return undefined;
      ranges = [[sym.value >>> 0, (sym.value + (sym.size > 0 ? sym.size : 4096)) >>> 0]];
      id = `sym:${sym.value >>> 0}:${whole ? '*' : here!.key}`;
    }
    let set = this.codeSets.get(id);
    if (set === undefined) {
      const pcs = new Set<number>();
      const self = new Set<number>();
      const next: number[] = [];
      for (const [lo, hi] of ranges) {
        for (let a = lo >>> 0; a < hi >>> 0;) {
          const i = t.insnAt(a);
          if (i === undefined) break;
          const l = this.lineAt(a);
          if (fn === undefined && this.dbg.functionAt(a) !== undefined) break;
          if (whole || (l?.range !== undefined && l.key === here!.key)) {
            pcs.add(a);
            switch (i.flow) {
              case Flow.CALL: case Flow.RETURN: case Flow.MRET: self.add(a); break;
              case Flow.JUMP: if (i.op === Op.JAL) next.push((a + i.imm) >>> 0); else self.add(a); break;
              case Flow.BRANCH: next.push((a + i.len) >>> 0, (a + i.imm) >>> 0); break;
              default: next.push((a + i.len) >>> 0);
            }
          }
          a += i.len;
        }
      }
      const stopSet = new Set<number>([...next.filter((a) => !pcs.has(a)), ...self]);
      set = pcs.size === 0 ? null : { pcs, self, stops: [...stopSet], stopSet };
      if (this.codeSets.size > 4096) this.codeSets.clear();
      this.codeSets.set(id, set);
    }
    return set ?? undefined;
  }

  /**
   * Runs to `until` with the JIT when the hart has one (see launch()); with `breaking`, the hart
   * stops before any breakpoint pc ('breakpoint'; conditions are the caller's to check).
   */
  private fastRun(until: number, breaking = false, watching = false): TravelStop {
    const hart = this.machine.hart;
    hart.breakOn = breaking && this.byPc.size > 0;
    hart.watchOn = watching && this.watchpoints.length > 0;
    try {
      return this.withJit(() => this.travel.run(until));
    } finally {
      hart.breakOn = false;
      hart.watchOn = false;
    }
  }

  /** Runs f with translated code on, as the hart had it (operations step with the interpreter). */
  private withJit<T>(f: () => T): T {
    const hart = this.machine.hart as { useJit?: boolean };
    const saved = hart.useJit;
    if (saved !== undefined) hart.useJit = this.jitDefault;
    try {
      return f();
    } finally {
      if (saved !== undefined) hart.useJit = saved;
    }
  }

  /**
   * How the machine stopped by itself, as a debugger stop; undefined to keep going (input that
   * arrived while waiting for it).
   */
  private async machineStop(stop: TravelStop): Promise<Stop | undefined> {
    const hart = this.machine.hart;
    switch (stop.kind) {
      case 'exit': return this.stop('exit', `the guest exited with status ${stop.code}`, { text: `exit status ${stop.code}` });
      case 'idle': return this.stop('exception', 'the guest waits in wfi with no interrupt that could wake it', { text: 'wfi with no interrupt enabled that could ever wake the hart' });
      case 'trap-loop': {
        const text = `trap loop: ${describeCause(stop.mcause)} (mcause 0x${stop.mcause.toString(16)}) at pc 0x${(stop.pc >>> 0).toString(16)}, mtval 0x${(stop.mtval >>> 0).toString(16)}, and the handler at mtvec 0x${(hart.mtvec >>> 0).toString(16)} traps again`;
        return this.stop('exception', 'the guest is stuck in a trap loop', { text });
      }
      case 'replay-stop': return stop.stop.kind === 'end' || stop.stop.kind === 'damaged'
        ? this.stop('end', 'end of the recording', { text: stop.stop.message })
        : this.stop('exception', 'the replay diverged from the recording', { text: stop.stop.message });
      case 'break': return this.stop('breakpoint', `replay breakpoint at icount ${this.icount}`);
      case 'input': {
        // Live: the guest waits for input (semihosting console, or wfi for the UART's interrupt);
        // wait for the user's (or pause). In the past the input would have been recorded.
        if (!this.live) return this.stop('exception', 'the replay of the past diverged: the guest waits for input the recording does not have here', { text: `waiting for input at icount ${this.icount}` });
        if (this.pauseRequested) return this.stop('pause', 'paused while the guest waits for input');
        this.flushOutput();
        await new Promise<void>((r) => { this.wakeInput = r; });
        this.wakeInput = undefined;
        return undefined;
      }
      default: return this.stop('exception', `stopped (${stop.kind})`);
    }
  }

  private stepGoal(kind: 'next' | 'in' | 'out', granularity: Granularity): Goal {
    const start = this.lineAt(this.pc);
    const all = (t: Tracer): CodeSet | undefined => this.codeSet(this.pc, true, t);
    if (kind === 'out') return { reason: 'step', done: (t) => t.depth < 0, skipSet: all, skipCall: () => true };
    if (granularity === 'instruction' || start?.range === undefined) {
      // stepi: one instruction; nexti: one instruction, or a whole call.
      return kind === 'in' ? { reason: 'step', done: () => true } : { reason: 'step', done: (t) => t.depth <= 0, skipCall: () => true };
    }
    let range: LineRange | undefined = start.range;
    let key = start.key;
    let base = 0;
    let into: { pc: number; depth: number } | undefined;
    const dbg = this.dbg!;
    return {
      reason: 'step',
      // At depth `base`, every instruction of the current line's key continues the step (see done).
      skipSet: (t) => (t.depth === base ? this.codeSet(this.pc, false, t) : undefined),
      // Step in must see the callee's first instructions (into); deeper calls can be skipped.
      skipCall: (c) => kind !== 'in' || into === undefined || c.depth >= into.depth,
      done: (t) => {
        const d = t.depth;
        const pc = this.pc;
        if (d > base) {
          // In a call (or a trap handler). `step in` stops after the prologue of a function with lines.
          if (kind === 'in' && d === base + 1 && !t.trapped && t.last !== undefined && t.last.flow === Flow.CALL && into === undefined) {
            const fn = dbg.functionAt(pc);
            if (fn !== undefined && this.lineAt(pc)?.range !== undefined) into = { pc: dbg.breakpointAddress(fn), depth: d };
          }
          return into !== undefined && d === into.depth && pc === into.pc;
        }
        into = undefined;
        const here = this.lineAt(pc);
        if (d < base) {
          // Returned out of the function we were stepping in: finish the caller's line.
          base = d;
          if (here?.stop && here.key !== key) return true;
          if (here?.range === undefined) return true;
          range = here.range;
          key = here.key;
          return false;
        }
        if (range !== undefined && pc >= range.start && pc < range.end) return false;
        if (here === undefined || here.range === undefined) return true; // code without line info
        if (here.stop && here.key !== key) return true;
        range = here.range;
        key = here.key;
        return false;
      },
    };
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  /**
   * Replaces one group of breakpoints ("source:<path>", "function", "instruction") and returns
   * them with their ids.
   */
  setBreakpoints(group: string, kind: BreakKind, specs: BreakpointSpec[]): Breakpoint[] {
    const list = specs.map((s) => ({ ...s, pcs: s.pcs.map((p) => p >>> 0), id: this.nextId++, kind, hits: 0 }));
    if (list.length === 0) this.breakpoints.delete(group);
    else this.breakpoints.set(group, list);
    this.byPc = new Map();
    for (const l of this.breakpoints.values()) {
      for (const b of l) {
        for (const pc of b.pcs) {
          const at = this.byPc.get(pc);
          if (at) at.push(b); else this.byPc.set(pc, [b]);
        }
      }
    }
    this.machine.hart.setBreakpoints(this.byPc.keys());
    return list;
  }

  setWatchpoints(specs: WatchSpec[]): Watchpoint[] {
    this.watchpoints = specs.map((s) => ({ ...s, addr: s.addr >>> 0, id: this.nextId++, hits: 0, bytes: new Uint8Array(0) }));
    this.refreshWatched();
    // The hart's watchpoints are the user's (cleared with them): continue and reverse continue
    // run with watchOn and decide at each of its stops (hartWatchHit). Empty ranges never stop it.
    // A write watchpoint counts changes of its bytes only: the hart stops at those alone.
    this.machine.hart.setWatchpoints(this.watchpoints.filter((w) => w.size >= 1).map((w) => ({ addr: w.addr, size: w.size, kind: w.access === 'readWrite' ? 'readwrite' as const : w.access === 'write' ? 'change' as const : w.access })));
    return this.watchpoints;
  }

  allBreakpoints(): Breakpoint[] {
    return [...this.breakpoints.values()].flat();
  }

  /** The breakpoints at the current pc that stop here (forward: conditions, hit counts, logpoints). */
  private breakpointHit(): Stop | undefined {
    const at = this.byPc.get(this.pc);
    if (at === undefined) return undefined;
    const ids: number[] = [];
    let kind: BreakKind | undefined;
    let problem: string | undefined;
    for (const b of at) {
      const c = this.condition(b.condition);
      if (c.error !== undefined) problem = `condition '${b.condition}' of ${b.label}: ${c.error}`;
      if (!c.ok) continue;
      b.hits++;
      if (!hitConditionMet(b.hitCondition, b.hits)) continue;
      if (b.logMessage !== undefined) {
        this.flushOutput();
        this.listener.message(this.interpolate(b.logMessage) + '\n');
        continue;
      }
      ids.push(b.id);
      kind ??= b.kind;
      this.noteHit('breakpoint', b.label);
    }
    if (ids.length === 0) return undefined;
    const reason: StopReason = kind === 'function' ? 'function breakpoint' : kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
    const label = at.filter((b) => ids.includes(b.id)).map((b) => b.label).join(', ');
    return this.stop(reason, `breakpoint ${label}`, { breakpointIds: ids, text: problem });
  }

  /** Backward: the breakpoints at the pc whose condition holds (hit counts and logpoints do not apply). */
  private reverseBreakpointIds(): number[] {
    const at = this.byPc.get(this.pc);
    if (at === undefined) return [];
    return at.filter((b) => b.logMessage === undefined && this.condition(b.condition).ok).map((b) => b.id);
  }

  private condition(expr: string | undefined): { ok: boolean; error?: string } {
    if (expr === undefined || expr.trim() === '') return { ok: true };
    this.stackCache = undefined; // evaluated at many positions during one run
    try {
      return { ok: truthy(this.evaluateValue(expr, 0)) };
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      // As gdb: a condition that cannot be evaluated stops, saying why.
      return { ok: true, error: e.message };
    }
  }

  private interpolate(message: string): string {
    this.stackCache = undefined;
    return message.replace(/\{([^{}]+)\}/g, (_, expr: string) => {
      try {
        return this.formatValue(this.evaluateValue(expr, 0));
      } catch (e) {
        if (!(e instanceof ExprError)) throw e;
        return `<${e.message}>`;
      }
    });
  }

  private noteHit(kind: 'breakpoint' | 'watchpoint', label: string, icount = this.icount): void {
    if (this.hits.some((h) => h.icount === icount && h.label === label)) return;
    this.hits.push({ icount, kind, label });
    if (this.hits.length > MAX_HITS) this.hits.shift();
  }

  private refreshWatched(): void {
    for (const w of this.watchpoints) w.bytes = this.readMem(w.addr, w.size) ?? new Uint8Array(0);
    this.machine.hart.refreshWatchBytes();
  }

  /** The access the instruction at the current position makes (address and kind), for watchpoints. */
  private accessAt(t: Tracer): { addr: number; size: number; kind: Access } | undefined {
    const i: InsnInfo | undefined = t.insnAt(this.pc);
    if (i === undefined || i.access === Access.NONE) return undefined;
    return { addr: t.accessAddress(i)!, size: i.size, kind: i.access };
  }

  /**
   * The watchpoints the instruction just run triggered: a read of the range (read, readWrite),
   * a store into it (readWrite), or a change of its bytes (write, readWrite: this also sees
   * changes made by devices and semihosting). Conditions are evaluated after the access.
   */
  private watchHit(access: { addr: number; size: number; kind: Access } | undefined, forward: boolean): Watchpoint[] | undefined {
    return this.watchesHit((w) => {
      const overlaps = access !== undefined && access.addr < w.addr + w.size && w.addr < access.addr + access.size;
      return {
        read: overlaps && (access!.kind === Access.LOAD || access!.kind === Access.ATOMIC),
        store: overlaps && (access!.kind === Access.STORE || access!.kind === Access.ATOMIC),
      };
    }, forward);
  }

  /**
   * After the hart stopped for a watchpoint (Exit.WATCHPOINT): the watchpoints the instruction
   * that accessed a watched range triggered, decided as watchHit decides after one instruction
   * (the hart stops after every access to a watched range, so the bytes kept in `w.bytes` are
   * the ones before it). `stop`: the machine stopped otherwise while completing the step (see
   * below). `icount`: the position of the accessing instruction.
   */
  private hartWatchHit(forward: boolean): { hit?: Watchpoint[]; stop?: TravelStop; icount: number } {
    const hart = this.machine.hart;
    const hits = hart.watchHits.slice();
    const icount = hits[0]?.icount ?? hart.icount - 1;
    if (hart.icount === icount) {
      // A store wrote watched bytes, then trapped: the hart is at the handler, nothing retired.
      // One instruction at a time, the trap and the handler's first instruction are one step.
      hart.watchOn = true;
      let stop: TravelStop;
      try {
        stop = this.travel.run(hart.icount + 1);
      } finally {
        hart.watchOn = false;
      }
      if (stop.kind === 'watchpoint') hits.push(...hart.watchHits);
      else if (stop.kind !== 'limit') return { stop, icount };
    }
    const t = this.watchTracer ??= new Tracer(this.machine, this.travel);
    return {
      icount,
      hit: this.watchesHit((w) => {
        let read = false, store = false;
        for (const h of hits) {
          if (!(h.addr < w.addr + w.size && w.addr < h.addr + h.size)) continue;
          if (h.kind === 'read') read = true;
          // Only a store instruction stores (a semihosting call filling a buffer changes bytes).
          else if (t.insnAt(h.pc)?.access !== Access.NONE) store = true;
        }
        return { read, store };
      }, forward),
    };
  }

  private watchTracer: Tracer | undefined;

  /** See watchHit: `touched` says whether the instruction read or stored into a watchpoint's range. */
  private watchesHit(touched: (w: Watchpoint) => { read: boolean; store: boolean }, forward: boolean): Watchpoint[] | undefined {
    let out: Watchpoint[] | undefined;
    for (const w of this.watchpoints) {
      const now = this.readMem(w.addr, w.size) ?? new Uint8Array(0);
      const changed = !sameBytes(now, w.bytes);
      if (changed) w.bytes = now;
      const { read, store } = touched(w);
      const hit = w.access === 'write' ? changed : w.access === 'read' ? read : read || store || changed;
      if (!hit || !this.condition(w.condition).ok) continue;
      if (forward) {
        w.hits++;
        if (!hitConditionMet(w.hitCondition, w.hits)) continue;
      }
      (out ??= []).push(w);
    }
    return out;
  }

  // ---- backward --------------------------------------------------------------------------------

  private async reverseStep(granularity: Granularity): Promise<Stop> {
    const here = this.lineAt(this.pc);
    if (granularity === 'instruction' || here?.range === undefined) {
      if (this.icount <= this.historyStart) return this.stop('entry', 'start of recording');
      this.seek(this.icount - 1, true);
      return this.stop('step', 'step back', { jumped: true });
    }
    const search = this.withHits(this.lineSearch());
    return this.singleStep ? this.reverseSearch(search, 1024, 'step') : this.reverseScan(search, 1024, 'step');
  }

  /**
   * reverseSearch, fast: each window is walked as fastStep walks forward (advance), visiting
   * only the positions where the search can see something: within one line at one depth a
   * search sees nothing new, and a call's positions are deeper than the caller's. A skipped
   * call can still hold the answer when nothing shallower came after it (a line search from
   * the second call in `f(g(), g())`), and a call still running at the window's end leaves that
   * end's depth unknown: the window is then walked again with those calls stepped into
   * (noSkip), so the answer is the one reverseSearch gives.
   */
  private async reverseScan(search: BackSearch, firstWindow: number, reason: StopReason): Promise<Stop> {
    const end = this.icount;
    const start = this.historyStart;
    const savedBreak = this.travel.breakIcount;
    this.travel.breakIcount = undefined;
    const noSkip = new Set<number>();
    this.codeSets.clear(); // code may have changed since the last walk
    // The calls still running now (the frames of the call stack: return address, and the callee's
    // CFA, which is sp at the call) are running at the end of every window: never skipped.
    const open = new Set<string>();
    const frames = this.dbg !== undefined ? this.stack().map((f) => f.frame).filter((f, i, a) => a.indexOf(f) === i) : [];
    for (let i = 1; i < frames.length; i++) {
      const cfa = frames[i - 1].cfa;
      if (cfa !== undefined) open.add(`${frames[i].pc >>> 0}:${cfa >>> 0}`);
    }
    // Skips stop at watched accesses too (runBreaking), when the search looks for them.
    this.watchSkips = search.breaks === true && this.watchpoints.length > 0;
    try {
      let hi = end;
      let acc = 0; // depth of `hi` relative to `end`
      let width = firstWindow;
      let sparse = false; // the last window was mostly skipped through (a loop line)
      while (hi > start) {
        // After a window walked mostly at full speed (a loop line), the next one is a stretch
        // of about a snapshot interval, or a quarter of the way back so far: not the whole
        // geometric width, which could take in dense code (start-up code, say) walked one
        // position at a time, before the match near its end.
        const span = sparse ? Math.max(SPARSE_WINDOW, (end - hi) >> 2) : width;
        let lo = Math.max(start, hi - span);
        let ctx = lo > start ? lo - 1 : lo;
        // Start at a snapshot when one is near: no replay to get there.
        const snap = this.travel.nearestSnapshot(ctx);
        if (snap !== undefined && snap.icount >= start && ctx - snap.icount <= span) {
          ctx = snap.icount;
          lo = ctx > start ? ctx + 1 : ctx;
        }
        let found: number | undefined;
        let w: { dEnd: number; depthAtLo: number } | undefined;
        for (;;) {
          const r = await this.scanWindow(search, ctx, lo, hi, (c) => !noSkip.has(c.icount) && !open.has(`${c.ra >>> 0}:${c.sp >>> 0}`));
          if (r.kind === 'paused') {
            this.seek(hi);
            return this.stop('pause', 'paused while searching backwards', { jumped: true });
          }
          if (r.kind === 'open') { noSkip.add(r.call); this.fastStats.rescans++; continue; }
          const shift = r.dEnd - acc;
          found = search.result(shift);
          const bound = search.bound(shift);
          const missed = r.spans.filter((x) => x.depth <= bound && (found === undefined || x.to > found));
          if (missed.length > 0) { for (const x of missed) noSkip.add(x.call); this.fastStats.rescans++; continue; }
          w = r;
          sparse = r.skipped >= (hi - lo) * SPARSE_SKIPPED;
          break;
        }
        if (found !== undefined) {
          this.hartBreaksReset();
          return this.backStop(found, reason);
        }
        acc = w.depthAtLo - w.dEnd + acc;
        hi = lo;
        this.searchedBackTo = hi;
        width *= 4;
      }
      this.seek(start);
      return this.stop('entry', 'start of recording', { jumped: true });
    } finally {
      this.watchSkips = false;
      this.reverseIdsAt.clear();
      this.handlerHitAt.clear();
      this.hartBreaksReset();
      this.travel.breakIcount = savedBreak !== undefined && savedBreak > this.icount ? savedBreak : undefined;
    }
  }

  /** One window of reverseScan: positions [lo, hi) from context `ctx` (lo - 1, or lo itself at the start). */
  private async scanWindow(search: BackSearch, ctx: number, lo: number, hi: number, skipCall: (c: OpenCall) => boolean): Promise<
    { kind: 'done'; dEnd: number; depthAtLo: number; spans: { call: number; depth: number; to: number }[]; skipped: number } | { kind: 'open'; call: number } | { kind: 'paused' }> {
    const hart = this.machine.hart;
    // The skips' breakpoints stay set from one window to the next (the replay to ctx does not
    // stop at them): lifting and setting them again would drop and retranslate their regions.
    this.seek(ctx);
    const t = new Tracer(this.machine, this.travel);
    t.breakAtTraps = search.breaks === true && this.byPc.size > 0;
    search.reset();
    const spans: { call: number; depth: number; to: number }[] = [];
    // A search that stops at breakpoints has the skips stop at their pcs too: each is a position
    // to look at, inside a skipped call as well. Watchpoints: instructions run one at a time are
    // looked at as reverseSearch looks at them (the access, then the bytes), skips run with the
    // hart's watchpoint hook (watchSkips, set by reverseScan).
    const extras = search.breaks === true ? [...this.byPc.keys()] : [];
    const watching = search.breaks === true && this.watchpoints.length > 0;
    const w: Walk = {
      t, calls: [], pending: undefined, cheap: 0,
      skipSet: (tr) => this.codeSet(this.pc, search.whole, tr),
      skipCall,
      extras: () => extras,
      onSkipped: (c) => spans.push({ call: c.icount, depth: c.depth + 1, to: this.icount }),
    };
    if (ctx < lo) {
      search.visit(-1, t); // context only: what came just before lo
      w.force = true;
      const m = this.advance(w, lo);
      if (m.kind === 'breakpoint') this.pastTrapStep(t, ctx, false, search);
      else if (m.kind !== 'stepped') throw new DebugError(`the past could not be replayed at icount ${ctx}: ${describeTravelStop(m as TravelStop)}`);
    }
    if (watching) this.refreshWatched();
    const depthAtLo = t.depth;
    let visit = true;
    let slice = performance.now();
    let skipped = 0; // instructions run at full speed (skips through lines and calls)
    for (let n = 0; this.icount < hi; n++) {
      const i = this.icount;
      if (visit) search.visit(i, t);
      visit = true;
      const access = watching ? this.accessAt(t) : undefined;
      const m = this.advance(w, hi);
      if (this.icount - i > 1) skipped += this.icount - i;
      // A step stopped where a trap lands on a breakpoint (Tracer.breakAtTraps): look, complete it.
      if (m.kind === 'breakpoint') this.pastTrapStep(t, i, true, search);
      if (watching && (m.kind === 'stepped' || m.kind === 'breakpoint')) {
        this.pendingAccess = access;
        search.after?.(i, t);
      }
      if (m.kind === 'limit' && w.pending !== undefined) return { kind: 'open', call: w.pending.icount };
      if (m.kind === 'watchpoint') {
        // A skip stopped after an instruction that accessed a watched range (see fastStep).
        if (hart.icount === (hart.watchHits[0]?.icount ?? -1)) this.noteTrapStep(t);
        const r = this.hartWatchHit(false);
        if (r.stop !== undefined) throw new DebugError(`the past could not be replayed at icount ${this.icount}: ${describeTravelStop(r.stop)}`);
        if (r.hit !== undefined) search.watched?.(r.icount, r.hit);
      } else if (m.kind === 'trap') {
        // Taken while skipping through a line: go back to the position before it (a seek stops
        // before the trap) and take it one instruction at a time.
        this.fastStats.traps++;
        const p = this.icount;
        this.seek(p - 1);
        const s = this.travel.run(p);
        if (s.kind !== 'limit') throw new DebugError(`the past could not be replayed at icount ${p}: ${describeTravelStop(s)}`);
        if (p === i) visit = false;
        w.force = true;
      } else if (m.kind !== 'pos' && m.kind !== 'stepped' && m.kind !== 'breakpoint' && m.kind !== 'limit' && m.kind !== 'inside' && this.icount !== hi) {
        throw new DebugError(`the past could not be replayed at icount ${this.icount}: ${describeTravelStop(m)}`);
      }
      if ((n & 255) === 255 && performance.now() - slice > SLICE_MS) {
        await this.tick();
        slice = performance.now();
        if (this.pauseRequested) return { kind: 'paused' };
      }
    }
    return { kind: 'done', dEnd: t.depth, depthAtLo, spans, skipped };
  }

  /** The hart's breakpoints back to the user's (fast walks set their own). */
  private hartBreaksReset(): void {
    this.machine.hart.setBreakpoints(this.byPc.keys());
  }

  /**
   * Searches the past in windows going backwards (see the top of the file) and moves to the
   * position found, or to the start of history.
   */
  private async reverseSearch(search: BackSearch, firstWindow: number, reason: StopReason): Promise<Stop> {
    const end = this.icount;
    const start = this.historyStart;
    const savedBreak = this.travel.breakIcount;
    this.travel.breakIcount = undefined;
    try {
      let hi = end;
      let acc = 0; // depth of `hi` relative to `end`
      let width = firstWindow;
      while (hi > start) {
        const lo = Math.max(start, hi - width);
        const ctx = lo > start ? lo - 1 : lo;
        this.seek(ctx);
        const t = new Tracer(this.machine, this.travel);
        t.breakAtTraps = search.breaks === true && this.byPc.size > 0;
        search.reset();
        if (ctx < lo) {
          search.visit(-1, t); // context only: what came just before lo
          const s = t.step();
          if (s.kind === 'breakpoint') this.pastTrapStep(t, ctx, false, search);
          else if (s.kind !== 'limit') throw new DebugError(`the past could not be replayed at icount ${ctx}: ${describeTravelStop(s)}`);
        }
        const depthAtLo = t.depth;
        this.refreshWatched();
        let slice = performance.now();
        for (let i = lo; i < hi; i++) {
          search.visit(i, t);
          const access = search.after !== undefined && this.watchpoints.length > 0 ? this.accessAt(t) : undefined;
          this.pendingAccess = access;
          const s = t.step();
          if (s.kind === 'breakpoint') this.pastTrapStep(t, i, true, search);
          else if (s.kind !== 'limit' && !(i + 1 === hi && this.icount === hi)) throw new DebugError(`the past could not be replayed at icount ${i}: ${describeTravelStop(s)}`);
          search.after?.(i, t);
          if ((i & 1023) === 1023 && performance.now() - slice > SLICE_MS) {
            await this.tick();
            slice = performance.now();
            if (this.pauseRequested) {
              // Everything from `hi` on was searched: stop there.
              this.seek(hi);
              return this.stop('pause', 'paused while searching backwards', { jumped: true });
            }
          }
        }
        const dEnd = t.depth; // depth at hi, relative to ctx
        const found = search.result(dEnd - acc);
        if (found !== undefined) return this.backStop(found, reason);
        acc = depthAtLo - dEnd + acc;
        hi = lo;
        this.searchedBackTo = hi;
        width *= 4;
      }
      this.seek(start);
      return this.stop('entry', 'start of recording', { jumped: true });
    } finally {
      this.reverseIdsAt.clear();
      this.handlerHitAt.clear();
      this.travel.breakIcount = savedBreak !== undefined && savedBreak > this.icount ? savedBreak : undefined;
    }
  }

  /**
   * Reverse continue at full speed (breakpoints, watchpoints, or both): windows going backwards
   * as reverseSearch, but each replayed at full speed, the hart stopping before breakpoint pcs
   * and after accesses to watched ranges (conditions checked here, as reverseSearch checks them:
   * a breakpoint at its position, a watchpoint after the access, found at the accessing
   * instruction's position). A window starts at a snapshot, so moving there costs a restore and
   * no replay.
   */
  private async reverseToBreakpoint(): Promise<Stop> {
    const hart = this.machine.hart;
    const end = this.icount;
    const start = this.historyStart;
    const savedBreak = this.travel.breakIcount;
    this.travel.breakIcount = undefined;
    try {
      let hi = end;
      let width = 1 << 16;
      while (hi > start) {
        let lo = Math.max(start, hi - width);
        const snap = this.travel.nearestSnapshot(lo);
        if (snap !== undefined && snap.icount > start) lo = snap.icount;
        else lo = start;
        this.seek(lo);
        hart.resumeHere(false); // a hit at lo itself counts
        this.refreshWatched(); // the bytes before the window's first instruction ('write': changed)
        let found: number | undefined;
        let ids: number[] = [];
        /** `found` is a breakpoint's position (not a watchpoint's access). */
        let atBreak = false;
        /** The last breakpoint hit: a watchpoint hit by its instruction adds to its ids. */
        let lastBreak: { icount: number; ids: number[] } | undefined;
        let slice = performance.now();
        while (this.icount < hi) {
          if (performance.now() - slice > SLICE_MS) {
            await this.tick();
            slice = performance.now();
            if (this.pauseRequested) {
              // Everything from `hi` on was searched: stop there.
              this.seek(hi);
              return this.stop('pause', 'paused while searching backwards', { jumped: true });
            }
          }
          const stop = this.fastRun(Math.min(hi, this.icount + FAST_SLICE), true, true);
          if (stop.kind === 'breakpoint') {
            const at = this.reverseBreakpointIds();
            if (at.length > 0) {
              found = this.icount;
              ids = at;
              atBreak = true;
              lastBreak = { icount: found, ids: at };
              for (const b of this.allBreakpoints()) if (at.includes(b.id)) this.noteHit('breakpoint', b.label, found);
            }
            hart.resumeHere();
            continue;
          }
          if (stop.kind === 'watchpoint') {
            const r = this.hartWatchHit(false);
            if (r.stop !== undefined) throw new DebugError(`the past could not be replayed at icount ${this.icount}: ${describeTravelStop(r.stop)}`);
            if (r.hit !== undefined) {
              // A watchpoint stops backwards before the access: at the instruction that made it.
              found = r.icount;
              ids = [...(lastBreak?.icount === found ? lastBreak.ids : []), ...r.hit.map((x) => x.id)];
              atBreak = false;
              for (const x of r.hit) this.noteHit('watchpoint', x.label, found);
            }
            continue;
          }
          // The last instruction of history may stop the machine (the guest exited there).
          if (stop.kind !== 'limit' && this.icount < hi) throw new DebugError(`the past could not be replayed at icount ${this.icount}: ${describeTravelStop(stop)}`);
        }
        if (found !== undefined) {
          this.seek(found, true);
          if (atBreak && !this.byPc.has(hart.pc >>> 0)) {
            // The hit was the first instruction of a trap handler: a seek stops before the
            // machine takes the trap; take it, up to the breakpoint (nothing retires).
            hart.resumeHere(false);
            this.fastRun(found + 1, true);
          }
          return this.stop(this.reasonForIds(ids), this.describeIds(ids), { breakpointIds: ids, jumped: true });
        }
        hi = lo;
        this.searchedBackTo = hi;
        width *= 4;
      }
      this.seek(start);
      return this.stop('entry', 'start of recording', { jumped: true });
    } finally {
      this.travel.breakIcount = savedBreak !== undefined && savedBreak > this.icount ? savedBreak : undefined;
    }
  }

  private pendingAccess: { addr: number; size: number; kind: Access } | undefined;
  /** Reverse continue: which breakpoints/watchpoints matched at a found position. */
  private readonly reverseIdsAt = new Map<number, number[]>();
  /** Step back: found positions whose hit is at a trap handler's first instruction, the trap taken there (withHits). */
  private readonly handlerHitAt = new Set<number>();

  /**
   * A backward search's answer: goes there (to a trap handler's first instruction, the trap
   * taken, when the hit was there: a seek stops before the trap) and stops, as a breakpoint or
   * watchpoint stop when one was hit there.
   */
  private backStop(found: number, reason: StopReason): Stop {
    this.seek(found, true);
    if (this.handlerHitAt.has(found)) {
      this.hartBreaksReset();
      this.machine.hart.resumeHere(false);
      this.fastRun(found + 1, true); // takes the trap, up to the breakpoint (nothing retires)
    }
    const ids = this.reverseIdsAt.get(found) ?? [];
    if (ids.length === 0) return this.stop(reason, reason === 'step' ? 'step back' : 'reverse', { jumped: true });
    // On the timeline's list of hits (a reverse continue's search noted them already).
    for (const b of this.allBreakpoints()) if (ids.includes(b.id)) this.noteHit('breakpoint', b.label, found);
    for (const w of this.watchpoints) if (ids.includes(w.id)) this.noteHit('watchpoint', w.label, found);
    return this.stop(this.reasonForIds(ids), this.describeIds(ids), { breakpointIds: ids, jumped: true });
  }

  private describeIds(ids: number[]): string {
    const w = this.watchpoints.filter((x) => ids.includes(x.id));
    const b = this.allBreakpoints().filter((x) => ids.includes(x.id));
    return [...b.map((x) => `breakpoint ${x.label}`), ...w.map((x) => `watchpoint ${x.label}`)].join(', ');
  }

  private reasonForIds(ids: number[]): StopReason {
    if (this.watchpoints.some((w) => ids.includes(w.id))) return 'data breakpoint';
    const b = this.allBreakpoints().find((x) => ids.includes(x.id));
    return b?.kind === 'function' ? 'function breakpoint' : b?.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
  }

  /** Reverse continue: the last breakpoint or watchpoint hit. */
  private hitSearch(): BackSearch {
    let found: number | undefined;
    return {
      reset: () => { found = undefined; },
      visit: (i) => {
        if (i < 0 || this.byPc.size === 0) return;
        const ids = this.reverseBreakpointIds();
        if (ids.length === 0) return;
        found = i;
        this.reverseIdsAt.set(i, ids);
        for (const b of this.allBreakpoints()) if (ids.includes(b.id)) this.noteHit('breakpoint', b.label, i);
      },
      after: (i) => {
        if (this.watchpoints.length === 0) return;
        const w = this.watchHit(this.pendingAccess, false);
        if (w === undefined) return;
        // A watchpoint stops backwards before the access: at the instruction that made it.
        found = i;
        this.reverseIdsAt.set(i, [...(this.reverseIdsAt.get(i) ?? []), ...w.map((x) => x.id)]);
        for (const x of w) this.noteHit('watchpoint', x.label, i);
      },
      result: () => found,
      bound: () => Infinity,
      whole: true,
    };
  }

  /**
   * `search`, also ending at the last breakpoint or watchpoint hit after its answer, as stepping
   * forwards stops at them on the way (conditions hold; hit counts and log messages only apply
   * forwards; a watchpoint stops at the instruction that made the access: as reverse continue).
   */
  private withHits(search: BackSearch): BackSearch {
    if (this.byPc.size === 0 && this.watchpoints.length === 0) return search;
    let hit: number | undefined;
    const note = (i: number, ids: number[]): void => {
      hit = i;
      this.reverseIdsAt.set(i, [...new Set([...(this.reverseIdsAt.get(i) ?? []), ...ids])]);
    };
    return {
      reset: () => { search.reset(); hit = undefined; },
      visit: (i, t) => {
        search.visit(i, t);
        if (i < 0 || this.byPc.size === 0) return;
        const ids = this.reverseBreakpointIds();
        if (ids.length > 0) note(i, ids);
      },
      after: (i, t) => {
        search.after?.(i, t);
        if (this.watchpoints.length === 0) return;
        const w = this.watchHit(this.pendingAccess, false);
        if (w !== undefined) note(i, w.map((x) => x.id));
      },
      watched: (i, ws) => note(i, ws.map((x) => x.id)),
      trapHit: (i) => {
        const ids = this.reverseBreakpointIds();
        if (ids.length === 0) return;
        note(i, ids);
        this.handlerHitAt.add(i);
      },
      result: (shift) => {
        const r = search.result(shift);
        // At the same icount a handler's first instruction comes after the position (the trap
        // is taken between them).
        if (r === undefined || (hit !== undefined && (hit > r || (hit === r && this.handlerHitAt.has(r))))) return hit;
        // The step's own answer (a breakpoint there too reads as a step, as forwards).
        this.reverseIdsAt.delete(r);
        this.handlerHitAt.delete(r);
        return r;
      },
      bound: (shift) => search.bound(shift),
      whole: search.whole,
      breaks: true,
    };
  }

  /** Reverse step out: the last position at relative depth <= limit. */
  private depthSearch(limit: number): BackSearch {
    let stack = new DepthStack();
    return {
      reset: () => { stack = new DepthStack(); },
      visit: (i, t) => { if (i >= 0) stack.push(i, t.depth); },
      result: (shift) => stack.last(limit + shift),
      bound: (shift) => limit + shift,
      whole: true,
    };
  }

  /**
   * stepBack(line): the last entry into a source line (a statement start reached from another
   * line, or from another call depth) at the current or an outer depth.
   */
  private lineSearch(): BackSearch {
    let stack = new DepthStack();
    let prevKey: string | undefined;
    let prevDepth = NaN;
    return {
      reset: () => { stack = new DepthStack(); prevKey = undefined; prevDepth = NaN; },
      visit: (i, t) => {
        const here = this.lineAt(this.pc);
        const d = t.depth;
        if (i >= 0 && here?.stop && (d !== prevDepth || here.key !== prevKey)) stack.push(i, d);
        prevKey = here?.key;
        prevDepth = d;
      },
      result: (shift) => stack.last(shift),
      bound: (shift) => shift,
      whole: false,
    };
  }

  // ---- source lines ----------------------------------------------------------------------------

  /** Line facts about a pc (cached): its line's address range and whether a line step stops there. */
  lineAt(pc: number): PcLine | undefined {
    const dbg = this.dbg;
    if (dbg === undefined) return undefined;
    let l = this.lines.get(pc);
    if (l === undefined) {
      const info = dbg.lineFor(pc);
      if (info === undefined) {
        l = null;
      } else {
        const fn = dbg.functionAt(pc);
        const inPrologue = fn !== undefined && pc >= fn.lowPc && pc < dbg.breakpointAddress(fn) && pc < fn.highPc;
        l = { range: dbg.lineRange(pc), stop: dbg.isStmtStart(pc) && !inPrologue, key: `${info.file}:${info.line}` };
      }
      if (this.lines.size > 1 << 16) this.lines.clear();
      this.lines.set(pc, l);
    }
    return l ?? undefined;
  }

  // ---- state: frames, registers, memory, variables ------------------------------------------------

  /** Reads target memory: RAM and ROM only (device registers have side effects when read). */
  readMem(addr: number, len: number): Uint8Array | undefined {
    const bus = this.machine.bus;
    addr >>>= 0;
    if (len <= 0) return new Uint8Array(0);
    if (bus.inRam(addr, len)) return bus.readBytes(addr, len);
    const d = bus.findDevice(addr);
    if (d?.name !== 'mrom' || addr - d.base + len > d.size) return undefined;
    return bus.readBytes(addr, len);
  }

  private mem32 = (addr: number): number | undefined => {
    const b = this.readMem(addr, 4);
    return b === undefined ? undefined : (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  };

  /** The call stack, innermost first (inlined functions get their own frames). */
  stack(): StackFrame[] {
    if (this.stackCache !== undefined) return this.stackCache;
    const hart = this.machine.hart;
    const out: StackFrame[] = [];
    const dbg = this.dbg;
    const phys: Frame[] = dbg !== undefined ? dbg.unwind(hart.x, hart.pc, this.mem32, { maxDepth: 64 }) : [{ level: 0, pc: hart.pc >>> 0, regs: Int32Array.from(hart.x), known: -1, cfa: undefined, unwoundBy: undefined, innermost: true }];
    for (const f of phys) {
      const lookup = f.innermost ? f.pc : (f.pc - 1) >>> 0;
      const scopes = dbg?.scopesFor(f) ?? [];
      if (scopes.length === 0) {
        const sym = this.machine.elf.symbolAt(lookup);
        const line = dbg?.lineFor(lookup);
        out.push({ id: out.length, name: sym ? sym.name : `0x${f.pc.toString(16)}`, pc: f.pc, file: line?.file, line: line?.line, column: line?.column, frame: f });
        continue;
      }
      let loc: { file?: string; line?: number; column?: number } = dbg!.lineFor(lookup) ?? {};
      for (const s of scopes) {
        out.push({ id: out.length, name: s.fn.name, pc: f.pc, file: loc.file, line: loc.line, column: loc.column, frame: f, scope: s });
        // The next (outer) source frame is at the call site of this inlined one.
        loc = s.fn.call !== undefined ? { file: s.fn.call.file, line: s.fn.call.line, column: s.fn.call.column } : {};
      }
    }
    this.stackCache = out;
    return out;
  }

  /** x0-x31 (ABI names), pc, privilege and the main CSRs of a frame (outer frames: as unwound). */
  registers(frameId = 0): RegisterValue[] {
    const f = this.stack()[frameId]?.frame;
    const hart = this.machine.hart;
    const out: RegisterValue[] = [];
    for (let i = 0; i < 32; i++) {
      const known = frameId === 0 || f === undefined || ((f.known >>> i) & 1) === 1;
      const v = frameId === 0 || f === undefined ? hart.x[i] : f.regs[i];
      out.push({ name: REG_NAMES[i], value: known ? v >>> 0 : undefined, id: REG_NAMES[i] });
    }
    out.push({ name: 'pc', value: frameId === 0 || f === undefined ? hart.pc >>> 0 : f.pc, id: 'pc' });
    if (frameId !== 0) return out;
    out.push({ name: 'privilege', value: hart.priv, id: 'priv' });
    for (const [name, v] of this.csrs()) out.push({ name, value: v >>> 0, id: name });
    out.push({ name: 'icount', value: hart.icount, id: 'icount' });
    return out;
  }

  private csrs(): [string, number][] {
    const h = this.machine.hart;
    return [['mstatus', h.mstatus], ['mie', h.mie], ['mip', h.mip], ['mtvec', h.mtvec], ['mscratch', h.mscratch], ['mepc', h.mepc], ['mcause', h.mcause], ['mtval', h.mtval], ['mcounteren', h.mcounteren]];
  }

  private register(name: string, frameId = 0): number | undefined {
    const n = name.toLowerCase();
    if (n === 'icount') return this.icount;
    if (n === 'fp') return this.register('s0', frameId);
    const x = /^x(\d+)$/.exec(n);
    const i = x ? Number(x[1]) : REG_NAMES.indexOf(n);
    const regs = this.registers(frameId);
    if (i >= 0 && i < 32) return regs[i].value;
    return regs.find((r) => r.id === n || r.name === n)?.value;
  }

  /** Parameters and locals of a source frame (innermost block first). */
  locals(frameId: number): NamedValue[] {
    const sf = this.stack()[frameId];
    if (sf?.scope === undefined || this.dbg === undefined) return [];
    const mem = (a: number, n: number): Uint8Array | undefined => this.readMem(a, n);
    const seen = new Set<string>();
    const out: NamedValue[] = [];
    for (const v of [...sf.scope.params, ...sf.scope.locals]) {
      if (seen.has(v.name)) continue; // an inner block's variable hides an outer one
      seen.add(v.name);
      out.push({ name: v.name, value: this.dbg.readVariable(v, sf.frame, mem) });
    }
    return out;
  }

  /** Global and file-static variables. */
  globals(): NamedValue[] {
    if (this.dbg === undefined) return [];
    const mem = (a: number, n: number): Uint8Array | undefined => this.readMem(a, n);
    return this.dbg.globals().slice(0, 1000).map((v) => ({ name: v.name, value: this.dbg!.readVariable(v, undefined, mem) }));
  }

  formatValue(v: Value, hex = false): string {
    const mem = (a: number, n: number): Uint8Array | undefined => this.readMem(a, n);
    if (this.dbg !== undefined) return this.dbg.format(v, mem, { hex });
    return formatPlain(v);
  }

  children(v: Value, start?: number, count?: number): NamedValue[] {
    if (this.dbg === undefined) return [];
    return this.dbg.children(v, (a, n) => this.readMem(a, n), start, count).map((c) => ({ name: c.name, value: c.value }));
  }

  hasChildren(v: Value): boolean {
    return this.dbg?.hasChildren(v) ?? false;
  }

  childCount(v: Value): number {
    return this.dbg?.childCount(v) ?? 0;
  }

  typeName(v: Value): string {
    return this.dbg?.typeName(v.type) ?? '';
  }

  /** Evaluates a C expression in a frame (see expr.ts); throws ExprError. */
  evaluateValue(expr: string, frameId = 0): Value {
    const env: EvalEnv = {
      variable: (name) => this.locals(frameId).find((v) => v.name === name)?.value ?? this.globalValue(name, frameId),
      register: (name) => this.register(name, frameId),
      readMem: (a, n) => this.readMem(a, n),
    };
    return evaluateExpression(expr, env);
  }

  /** A file static of the frame's unit, or a global (C scoping). */
  private globalValue(name: string, frameId: number): Value | undefined {
    const frame = this.stack()[frameId]?.frame;
    const v = this.dbg?.findVariable(name, frame);
    if (v === undefined || this.dbg === undefined) return undefined;
    return this.dbg.readVariable(v, frame, (a, n) => this.readMem(a, n));
  }

  // ---- edits (only where they cannot break a replay) ---------------------------------------------

  /** Why the machine cannot be changed here, or undefined when it can. */
  editRefusal(): string | undefined {
    if (this.running) return 'the machine is running: pause it first';
    if (this.mode === 'replay') return 'this is a replay: changing the machine would make it diverge from the recording';
    if (!this.live) return `this is the recorded past (${this.where()}): a change here would break the replay of what follows; go to the live edge (continue to icount ${this.frontier}) to change the machine`;
    return undefined;
  }

  private requireEditable(): void {
    const why = this.editRefusal();
    if (why !== undefined) throw new DebugError(why);
  }

  setRegister(id: string, value: number): void {
    this.requireEditable();
    const n = id.toLowerCase();
    const x = /^x(\d+)$/.exec(n);
    const i = x ? Number(x[1]) : REG_NAMES.indexOf(n === 'fp' ? 's0' : n);
    const word = new Uint8Array(4);
    new DataView(word.buffer).setInt32(0, value | 0, true);
    if (i === 0) throw new DebugError('x0 (zero) is hardwired to 0');
    if (i > 0 && i < 32) {
      this.poke(PokeSpace.X, i, word);
    } else if (n === 'pc') {
      this.poke(PokeSpace.PC, 0, word);
    } else {
      const csr = Object.entries(POKEABLE_CSRS).find(([, name]) => name === n)?.[0];
      if (csr === undefined) throw new DebugError(`${id} cannot be changed`);
      this.poke(PokeSpace.CSR, Number(csr), word);
    }
  }

  writeMemory(addr: number, data: Uint8Array): void {
    this.requireEditable();
    if (!this.machine.bus.inRam(addr >>> 0, data.length)) throw new DebugError(`0x${(addr >>> 0).toString(16)}..+${data.length} is not all RAM`);
    this.poke(PokeSpace.MEM, addr >>> 0, data);
    this.refreshWatched();
  }

  /**
   * Applies a user's change to the machine through the gate, which records it in record mode
   * (a "poke" event), so that a replay of the recording makes the same change at this icount.
   */
  private poke(space: PokeSpace, index: number, bytes: Uint8Array): void {
    this.gate.poke(space, index, bytes);
    this.stackCache = undefined;
  }

  // ---- monitor commands and the timeline ---------------------------------------------------------

  /** QEMU-style replay info, as QMP's query-replay answers it. */
  queryReplay(): { mode: string; filename?: string; icount: number } {
    const mode = this.mode === 'replay' ? 'play' : this.mode;
    return { mode, ...(this.gate.filename ? { filename: this.gate.filename } : {}), icount: this.icount };
  }

  snapshots(): TimelineSnapshot[] {
    const out: TimelineSnapshot[] = this.travel.autos.list.map((s) => ({ icount: s.icount, kind: 'auto' as const }));
    for (const n of this.travel.named.list) out.push({ icount: n.snapshot.icount, kind: 'named', name: n.name });
    return out.sort((a, b) => a.icount - b.icount);
  }

  /** Virtual time now, ns. */
  get vclockNs(): number {
    return this.machine.clock.nowNs();
  }

  /** Every input the recording holds so far (uart-rx, rtc, semihost, console, reset), in icount order. */
  recordedEvents(): { icount: number; kind: string }[] {
    const file = this.gate.filename;
    if (file === undefined) return [];
    this.gate.flushRecording();
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return [];
    }
    if (this.eventsCache?.size !== size) {
      const out: { icount: number; kind: string }[] = [];
      try {
        const r = RrReader.open(file);
        for (let f = r.next(); f !== undefined; f = r.next()) {
          const kind = EVENT_NAMES[f.kind];
          if (kind !== 'digest' && kind !== 'end' && kind !== 'warp') out.push({ icount: f.icount, kind });
        }
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
      }
      this.eventsCache = { size, events: out };
    }
    return this.eventsCache.events;
  }

  private eventsCache: { size: number; events: { icount: number; kind: string }[] } | undefined;

  /** The source line of the current pc. */
  currentLine(): { file?: string; line?: number } {
    const l = this.dbg?.lineFor(this.pc);
    return l === undefined ? {} : { file: l.file, line: l.line };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** DAP hit conditions: "N" (from the Nth hit on), "==N", ">N", ">=N", "<N", "<=N", "%N" (every Nth). */
export function hitConditionMet(cond: string | undefined, hits: number): boolean {
  if (cond === undefined || cond.trim() === '') return true;
  const m = /^\s*(==|=|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (m === null) return true;
  const n = Number(m[2]);
  switch (m[1]) {
    case '==': case '=': return hits === n;
    case '>': return hits > n;
    case '>=': case undefined: return hits >= n;
    case '<': return hits < n;
    case '<=': return hits <= n;
    case '%': return n > 0 && hits % n === 0;
    default: return true;
  }
}

export function describeTravelStop(s: TravelStop): string {
  switch (s.kind) {
    case 'exit': return `the guest exited with status ${s.code}`;
    case 'replay-stop': return s.stop.message;
    case 'trap-loop': return `trap loop at pc 0x${(s.pc >>> 0).toString(16)}`;
    default: return s.kind;
  }
}

function formatPlain(v: Value): string {
  if (v.unavailable !== undefined) return `<${v.unavailable}>`;
  let n = 0n;
  for (let i = v.bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(v.bytes[i]);
  return `0x${n.toString(16)}`;
}
