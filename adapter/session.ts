// The DAP session: translates Debug Adapter Protocol requests into calls on the debugger runtime
// (core/debug/debugger.ts) and the runtime's stops and output into DAP events. It holds no
// debugging logic of its own: variable handles, the mapping of DAP's shapes, and the custom
// rvreplay requests and events (adapter/protocol.ts).
//
// It never dies on the guest's account: every request answers (an error response names the
// problem), and a guest that exits, traps in a loop or jumps into the void stops the session
// with a message (the runtime turns those into stops).
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LoggingDebugSession, InitializedEvent, TerminatedEvent, ExitedEvent, StoppedEvent, OutputEvent, InvalidatedEvent,
  ProgressStartEvent, ProgressUpdateEvent, ProgressEndEvent,
  Event, Thread, StackFrame, Scope, Source, Handles, MemoryEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { launchVm, LaunchError, type LaunchedVm } from '../core/debug/launch';
import { Debugger, DebugError, type Stop, type NamedValue, type WatchAccess, type Progress } from '../core/debug/debugger';
import { ExprError, scalar as scalarOfValue } from '../core/debug/expr';
import { isMonitorCommand, runMonitorCommand } from '../core/debug/monitor';
import { disassembleBytes } from '../core/isa/disasm';
import { UserError } from '../core/errors';
import type { Value } from '../core/dwarf/index';
import type {
  LaunchArguments, TimelineData, TimelineEventKind, GotoIcountArguments, SnapshotArguments, UartInputArguments,
  LineInfoArguments, LineInfoResponse,
} from './protocol';

const THREAD_ID = 1;
/** Timeline events beyond this many are aggregated into buckets. */
const MAX_TIMELINE_EVENTS = 1000;
const TIMELINE_BUCKETS = 500;
/**
 * Automatic snapshots beyond this many are aggregated into buckets (a long recording has
 * thousands: listed one by one they made every stop's timeline event some 140 KB).
 */
const MAX_TIMELINE_SNAPSHOTS = 250;

type VarRef =
  | { kind: 'registers'; frameId: number }
  | { kind: 'locals'; frameId: number }
  | { kind: 'globals' }
  | { kind: 'value'; value: Value; evaluateName?: string };

export class RvReplaySession extends LoggingDebugSession {
  private vm: LaunchedVm | undefined;
  private d: Debugger | undefined;
  private refs = new Handles<VarRef>();
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((r) => { this.configured = r; });
  /** The guest's exit status once it exited live (for the recording's end frame). */
  private exitStatus: number | undefined;
  private finished = false;
  private readonly lineInfoCache = new Map<number, LineInfoResponse>();

  /**
   * `attached`: a VM built elsewhere (the CLI's `--dap PORT`, see adapter/server.ts), which an
   * `attach` request debugs; a session over stdio has none and `launch`es its own.
   */
  constructor(private readonly attached?: LaunchedVm) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /** The runtime, or an error saying there is none yet. */
  private get dbg(): Debugger {
    if (this.d === undefined) throw new DebugError('no program is running (launch first)');
    return this.d;
  }

  private fail(response: DebugProtocol.Response, e: unknown): void {
    const user = e instanceof UserError || e instanceof ExprError;
    const msg = e instanceof Error ? (user ? e.message : `internal error: ${e.message}`) : String(e);
    if (!user) this.sendEvent(new OutputEvent(`rvreplay: ${e instanceof Error ? e.stack : msg}\n`, 'stderr'));
    this.sendErrorResponse(response, { id: 1, format: msg.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: true });
  }

  /** Runs a request handler; whatever it throws becomes an error response. */
  private guard(response: DebugProtocol.Response, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.fail(response, e);
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.progressClient = args.supportsProgressReporting === true;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsCancelRequest: true,
      supportsStepBack: true,
      supportsInstructionBreakpoints: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsDisassembleRequest: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsSteppingGranularity: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsRestartFrame: true,
      supportsTerminateRequest: true,
      supportsValueFormattingOptions: true,
      supportsInvalidatedEvent: true,
      supportsMemoryEvent: true,
      supportsBreakpointLocationsRequest: false,
    } as DebugProtocol.Capabilities;
    this.sendResponse(response);
    // `initialized` follows launch: breakpoints need the program's debug info.
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    const la = args as DebugProtocol.LaunchRequestArguments & Partial<LaunchArguments>;
    if (this.attached !== undefined || this.vm !== undefined) {
      this.sendErrorResponse(response, { id: 5, format: this.vm !== undefined ? 'already debugging a program' : 'this adapter serves a running VM: "attach" to it', showUser: true });
      return;
    }
    try {
      this.vm = launchVm(la);
    } catch (e) {
      if (e instanceof LaunchError) {
        this.sendErrorResponse(response, { id: 2, format: e.message.replace(/[{}]/g, ''), showUser: true, variables: { attribute: e.attribute } });
        return;
      }
      this.fail(response, e);
      return;
    }
    await this.begin(response, () => this.dbg.start(this.vm!.stopOnEntry));
  }

  /** Builds the runtime over this.vm, answers, sends `initialized`, and starts after configurationDone. */
  private async begin(response: DebugProtocol.Response, start: () => void): Promise<void> {
    const vm = this.vm!;
    this.d = new Debugger(
      { machine: vm.machine, travel: vm.travel, debugInfo: vm.debugInfo, mode: vm.mode, recordingEnd: vm.recordingEnd, progressAfterMs: progressAfterMs() },
      {
        stopped: (s) => this.onStop(s),
        output: (text) => {
          this.sendEvent(new OutputEvent(text, 'stdout'));
          this.sendEvent(new Event('rvreplay/uartOutput', { text }));
        },
        message: (text) => this.sendEvent(new OutputEvent(text, 'console')),
        progress: (p) => this.onProgress(p),
      },
    );
    for (const w of vm.warnings) this.sendEvent(new OutputEvent(`rvreplay: ${w}\n`, 'console'));
    const where = vm.mode === 'record' ? `recording to ${vm.rrfile}` : vm.mode === 'replay' ? `replaying ${vm.rrfile} (${vm.recordingEnd} instructions)` : 'no recording ("rr": "none": no reverse execution)';
    this.sendEvent(new OutputEvent(`rvreplay: ${path.basename(vm.program)}, ${where}\n`, 'console'));
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
    await this.configurationDone;
    try {
      start();
    } catch (e) {
      this.sendEvent(new OutputEvent(`rvreplay: ${e instanceof Error ? e.message : String(e)}\n`, 'stderr'));
    }
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured();
  }

  protected override async attachRequest(response: DebugProtocol.AttachResponse): Promise<void> {
    if (this.attached === undefined) {
      this.sendErrorResponse(response, { id: 3, format: 'nothing to attach to: this adapter runs over stdio; start the VM with `rvreplay … --dap PORT` and attach to that port, or "launch" the program', showUser: true });
      return;
    }
    if (this.vm !== undefined) {
      this.sendErrorResponse(response, { id: 4, format: 'already attached', showUser: true });
      return;
    }
    this.vm = this.attached;
    // As QEMU does when gdb attaches: a snapshot now, so reverse execution reaches back to here.
    if (this.vm.travel.canTravel) this.vm.travel.autos.take(this.vm.travel.frontier);
    await this.begin(response, () => this.dbg.start(true, `attached at icount ${this.dbg.icount}`));
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.finish();
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.finish();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  /** The client went away (or SIGTERM): the recording still gets its end frame. */
  override shutdown(): void {
    this.finish();
    super.shutdown();
  }

  /** The guest's exit status if it exited live during this session (an attached VM's owner ends its recording with it). */
  get liveExitStatus(): number | undefined {
    return this.exitStatus;
  }

  /**
   * An attached VM outlives its client: stop whatever this session had it doing (a continue
   * left running), so that it waits, stopped, for the next client. Resolves once it has stopped.
   */
  async release(): Promise<void> {
    const d = this.d;
    if (d === undefined) return;
    d.pause();
    await d.idle();
  }

  /** Ends the recording (its end frame) once. */
  private finish(): void {
    // An attached VM's recording belongs to whoever started it (adapter/server.ts's caller);
    // the VM itself stays, stopped, for the next client.
    if (this.attached !== undefined) { void this.release(); return; }
    if (this.finished || this.vm === undefined) return;
    this.finished = true;
    this.d?.pause();
    if (this.vm.mode !== 'record') return;
    try {
      const exited = this.exitStatus !== undefined;
      this.vm.gate.finish(exited ? 'exit' : 'quit', exited ? this.exitStatus! : 130);
    } catch (e) {
      this.sendEvent(new OutputEvent(`rvreplay: could not finish the recording: ${e instanceof Error ? e.message : String(e)}\n`, 'stderr'));
    }
  }

  // ---- stops --------------------------------------------------------------------------------------

  // ---- progress of long operations (DAP progress events; cancel = pause) ---------------------------

  /** The client shows progress (initialize's supportsProgressReporting). */
  private progressClient = false;
  /** The progress shown now, if any. */
  private progressId: string | undefined;
  private progressCount = 0;

  private onProgress(p: Progress): void {
    if (!this.progressClient) return;
    if (this.progressId === undefined) {
      this.progressId = `rvreplay-${++this.progressCount}`;
      const ev = new ProgressStartEvent(this.progressId, p.title) as DebugProtocol.ProgressStartEvent;
      ev.body.cancellable = true;
      if (p.percentage !== undefined) ev.body.percentage = p.percentage;
      this.sendEvent(ev);
    } else {
      const ev = new ProgressUpdateEvent(this.progressId) as DebugProtocol.ProgressUpdateEvent;
      if (p.percentage !== undefined) ev.body.percentage = p.percentage;
      this.sendEvent(ev);
    }
  }

  private endProgress(): void {
    if (this.progressId === undefined) return;
    this.sendEvent(new ProgressEndEvent(this.progressId));
    this.progressId = undefined;
  }

  /** Cancel on a progress (VS Code's Cancel button on the notification): pause. */
  protected override cancelRequest(response: DebugProtocol.CancelResponse, args: DebugProtocol.CancelArguments): void {
    if (args.progressId !== undefined && args.progressId === this.progressId) this.d?.pause();
    this.sendResponse(response);
  }

  private onStop(s: Stop): void {
    this.endProgress();
    this.refs.reset();
    this.lineInfoCache.clear();
    if (s.reason === 'exit' && s.live) this.exitStatus = this.vm!.machine.exitCode;
    if (s.reason === 'exit' && this.vm!.mode === 'none') {
      // Nothing to go back to: the session ends with the guest.
      this.sendEvent(new OutputEvent(`rvreplay: ${s.description}\n`, 'console'));
      this.sendEvent(new ExitedEvent(this.vm!.machine.exitCode ?? 0));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    if (s.text !== undefined && (s.reason === 'exception' || s.reason === 'end' || s.reason === 'exit')) {
      this.sendEvent(new OutputEvent(`rvreplay: ${s.text}\n`, 'console'));
    }
    const ev = new StoppedEvent(s.reason, THREAD_ID, s.reason === 'exception' ? s.text : undefined) as DebugProtocol.StoppedEvent;
    ev.body.description = s.description;
    ev.body.allThreadsStopped = true;
    if (s.breakpointIds.length > 0) ev.body.hitBreakpointIds = s.breakpointIds;
    if (s.text !== undefined && s.reason !== 'exception') ev.body.text = s.text;
    this.sendEvent(ev);
    if (s.jumped) this.sendEvent(new InvalidatedEvent(['all'], THREAD_ID));
    this.sendEvent(new Event('rvreplay/timeline', this.timeline()));
  }

  /** The timeline's snapshots, made again only when the snapshots or the axis changed (a stop costs 1–3 ms less with thousands). */
  private timelineSnapshots(): TimelineData['snapshots'] {
    const d = this.dbg;
    const end = Math.max(1, d.frontier, d.recordingEnd ?? 0);
    const key = `${d.travel.autos.changes}:${end}:${d.travel.named.list.map((n) => `${n.name}@${n.snapshot.icount}`).join(',')}`;
    if (this.snapshotsCache?.key !== key) this.snapshotsCache = { key, list: aggregateSnapshots(d.snapshots(), end) };
    return this.snapshotsCache.list;
  }

  private snapshotsCache: { key: string; list: TimelineData['snapshots'] } | undefined;

  private timeline(): TimelineData {
    const d = this.dbg;
    const kinds = new Set<string>(['uart-rx', 'rtc', 'semihost', 'console', 'reset']);
    const all = d.recordedEvents().filter((e) => kinds.has(e.kind)) as { icount: number; kind: TimelineEventKind }[];
    let events: TimelineData['events'] = all;
    if (all.length > MAX_TIMELINE_EVENTS) {
      // Aggregated: per bucket of the icount range and kind, the first icount and the count.
      const end = Math.max(1, d.frontier);
      const buckets = new Map<string, { icount: number; kind: TimelineEventKind; count: number }>();
      for (const e of all) {
        const k = `${Math.min(TIMELINE_BUCKETS - 1, Math.floor((e.icount / end) * TIMELINE_BUCKETS))}:${e.kind}`;
        const b = buckets.get(k);
        if (b) b.count++; else buckets.set(k, { icount: e.icount, kind: e.kind, count: 1 });
      }
      events = [...buckets.values()].sort((a, b) => a.icount - b.icount);
    }
    return {
      mode: d.mode === 'replay' ? 'play' : d.mode,
      ...(d.gate.filename !== undefined ? { filename: d.gate.filename } : {}),
      icount: d.icount,
      frontier: d.frontier,
      ...(d.recordingEnd !== undefined ? { end: d.recordingEnd } : {}),
      vclockNs: d.vclockNs,
      snapshots: this.timelineSnapshots(),
      events,
      hits: d.hits.slice(-MAX_TIMELINE_EVENTS),
    };
  }

  // ---- threads, stack, variables ------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'hart 0')] };
    this.sendResponse(response);
  }

  /**
   * A source for a DWARF path. The program may have been built elsewhere (a copied workspace, a
   * CI build): a file at the same trailing path beside the program wins over the build's path
   * when that is not beside the program itself, so VS Code opens the copy the user works in.
   */
  private source(file: string | undefined): Source | undefined {
    if (file === undefined || file === '') return undefined;
    let p = this.sourcePaths.get(file);
    if (p === undefined) {
      p = file;
      if (this.vm !== undefined) {
        const dir = path.dirname(path.resolve(this.vm.program));
        if (!path.resolve(file).startsWith(dir + path.sep)) {
          const parts = file.split(/[\\/]/).filter((x) => x !== '');
          for (let k = 1; k <= parts.length; k++) {
            const cand = path.join(dir, ...parts.slice(parts.length - k));
            if (fs.existsSync(cand)) { p = cand; break; }
          }
        }
      }
      this.sourcePaths.set(file, p);
    }
    return new Source(path.basename(p), this.convertDebuggerPathToClient(p));
  }

  private readonly sourcePaths = new Map<string, string>();

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.guard(response, () => {
      const frames = this.dbg.stack();
      const start = args.startFrame ?? 0;
      const levels = args.levels && args.levels > 0 ? args.levels : frames.length;
      const out = frames.slice(start, start + levels).map((f) => {
        const src = this.source(f.file);
        const sf = new StackFrame(f.id, f.name, src, f.line !== undefined ? this.convertDebuggerLineToClient(f.line) : 0, f.column ?? 0) as DebugProtocol.StackFrame;
        sf.instructionPointerReference = hex(f.pc);
        if (src === undefined) sf.presentationHint = 'subtle';
        sf.canRestart = f.frame.level > 0 || f.id === 0;
        return sf;
      });
      response.body = { stackFrames: out, totalFrames: frames.length };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      const f = this.dbg.stack()[args.frameId];
      const scopes: DebugProtocol.Scope[] = [];
      if (f?.scope !== undefined) scopes.push(new Scope('Locals', this.refs.create({ kind: 'locals', frameId: args.frameId }), false));
      scopes.push(new Scope('Registers', this.refs.create({ kind: 'registers', frameId: args.frameId }), false));
      if (this.dbg.dbg?.hasDebugInfo) scopes.push(new Scope('Globals', this.refs.create({ kind: 'globals' }), true));
      const regs = scopes.find((s) => s.name === 'Registers')!;
      regs.presentationHint = 'registers';
      response.body = { scopes };
      this.sendResponse(response);
    });
  }

  private variable(nv: NamedValue, hexFormat: boolean, evaluateName?: string): DebugProtocol.Variable {
    const d = this.dbg;
    const v = nv.value;
    const expandable = d.hasChildren(v);
    const ref = expandable ? this.refs.create({ kind: 'value', value: v, evaluateName }) : 0;
    const out: DebugProtocol.Variable = { name: nv.name, value: d.formatValue(v, hexFormat), type: d.typeName(v), variablesReference: ref };
    if (evaluateName !== undefined) out.evaluateName = evaluateName;
    if (v.address !== undefined) out.memoryReference = hex(v.address);
    if (expandable) {
      const n = d.childCount(v);
      if (n > 100 && /\[\d+\]/.test(d.children(v, 0, 1)[0]?.name ?? '')) out.indexedVariables = n;
    }
    return out;
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.guard(response, () => {
      const d = this.dbg;
      const ref = this.refs.get(args.variablesReference);
      const hexFormat = args.format?.hex === true;
      let vars: DebugProtocol.Variable[] = [];
      if (ref === undefined) {
        vars = [];
      } else if (ref.kind === 'registers') {
        vars = d.registers(ref.frameId).map((r) => ({
          name: r.name,
          value: r.value === undefined ? '<not saved>' : r.name === 'privilege' ? (r.value === 3 ? 'M (3)' : r.value === 0 ? 'U (0)' : String(r.value)) : r.name === 'icount' ? String(r.value) : hex(r.value),
          variablesReference: 0,
          evaluateName: r.name === 'privilege' ? undefined : `$${r.id}`,
        }));
      } else if (ref.kind === 'locals') {
        vars = d.locals(ref.frameId).map((v) => this.variable(v, hexFormat, v.name));
      } else if (ref.kind === 'globals') {
        vars = d.globals().map((v) => this.variable(v, hexFormat, v.name));
      } else {
        const children = d.children(ref.value, args.filter === 'indexed' ? args.start : undefined, args.filter === 'indexed' ? args.count : undefined);
        vars = children.map((c) => this.variable(c, hexFormat, childExpression(ref.evaluateName, c.name)));
      }
      response.body = { variables: vars };
      this.sendResponse(response);
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.guard(response, () => {
      const d = this.dbg;
      const ref = this.refs.get(args.variablesReference);
      if (ref === undefined) throw new DebugError('that variable is gone (the machine moved)');
      const refusal = d.editRefusal();
      if (refusal !== undefined) throw new DebugError(refusal);
      if (ref.kind === 'registers') {
        if (ref.frameId !== 0) throw new DebugError('only the innermost frame\'s registers can be changed');
        const v = d.evaluateValue(args.value, 0);
        const n = scalar(v);
        const r = d.registers(0).find((x) => x.name === args.name);
        if (r === undefined) throw new DebugError(`no register ${args.name}`);
        d.setRegister(r.id, Number(BigInt.asIntN(32, n)));
        const now = d.registers(0).find((x) => x.name === args.name)!;
        response.body = { value: now.value === undefined ? '' : hex(now.value) };
      } else {
        const target = ref.kind === 'value' ? d.children(ref.value).find((c) => c.name === args.name)?.value
          : ref.kind === 'locals' ? d.locals(ref.frameId).find((v) => v.name === args.name)?.value
            : d.globals().find((v) => v.name === args.name)?.value;
        if (target === undefined) throw new DebugError(`no variable ${args.name} here`);
        if (target.address === undefined) throw new DebugError(`${args.name} is not in memory (in a register or optimized out): change the register instead`);
        if (target.bitSize !== undefined) throw new DebugError(`${args.name} is a bitfield: not supported yet`);
        const size = target.bytes.length;
        const n = scalar(d.evaluateValue(args.value, ref.kind === 'locals' ? ref.frameId : 0));
        const bytes = new Uint8Array(size);
        let x = BigInt.asUintN(size * 8, n);
        for (let i = 0; i < size; i++) { bytes[i] = Number(x & 0xffn); x >>= 8n; }
        d.writeMemory(target.address, bytes);
        this.sendEvent(new MemoryEvent(hex(target.address), 0, size));
        const after = d.readMem(target.address, size)!;
        response.body = { value: d.formatValue({ ...target, bytes: after }) };
      }
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables'], THREAD_ID));
    });
  }

  // ---- breakpoints --------------------------------------------------------------------------------

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.guard(response, () => {
      const d = this.dbg;
      const file = args.source.path ?? args.source.name ?? '';
      const reqs: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
      const resolved = reqs.map((b) => {
        const loc = d.dbg?.resolveBreakpoint(this.convertClientPathToDebugger(file), this.convertClientLineToDebugger(b.line));
        return { b, loc };
      });
      const specs = resolved.filter((r) => r.loc !== undefined && r.loc.addresses.length > 0).map((r) => ({
        pcs: r.loc!.addresses, condition: r.b.condition, hitCondition: r.b.hitCondition, logMessage: r.b.logMessage,
        label: `${path.basename(file)}:${r.loc!.line}`,
      }));
      const set = d.setBreakpoints(`source:${file}`, 'source', specs);
      let k = 0;
      response.body = {
        breakpoints: resolved.map((r) => {
          if (r.loc === undefined || r.loc.addresses.length === 0) {
            return { verified: false, line: r.b.line, message: d.dbg?.hasDebugInfo ? `no code for ${path.basename(file)}:${r.b.line}` : 'the program has no line information (build with -g)' };
          }
          const bp = set[k++];
          return { id: bp.id, verified: true, line: this.convertDebuggerLineToClient(r.loc.line), source: args.source, instructionReference: hex(r.loc.addresses[0]) };
        }),
      };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.guard(response, () => {
      const d = this.dbg;
      const found = args.breakpoints.map((b) => {
        // Past the prologue of each copy, every inlined copy, or an ELF symbol (assembly labels too).
        let pcs = d.dbg?.functionBreakpointAddresses(b.name) ?? [];
        if (pcs.length === 0) {
          const sym = d.machine.elf.symbol(b.name);
          if (sym !== undefined && (sym.type === 'func' || sym.type === 'notype') && sym.shndx !== 0) pcs = [sym.value >>> 0];
        }
        return { b, pcs };
      });
      const set = d.setBreakpoints('function', 'function', found.filter((f) => f.pcs.length > 0).map((f) => ({ pcs: f.pcs, condition: f.b.condition, hitCondition: f.b.hitCondition, label: f.b.name })));
      let k = 0;
      response.body = {
        breakpoints: found.map((f) => {
          if (f.pcs.length === 0) return { verified: false, message: `no function ${f.b.name}` };
          const bp = set[k++];
          const line = d.dbg?.lineFor(f.pcs[0]);
          return { id: bp.id, verified: true, instructionReference: hex(f.pcs[0]), ...(line ? { line: line.line, source: this.source(line.file) } : {}) };
        }),
      };
      this.sendResponse(response);
    });
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.guard(response, () => {
      const d = this.dbg;
      const found = args.breakpoints.map((b) => {
        const base = parseAddress(b.instructionReference);
        return { b, pc: base === undefined ? undefined : (base + (b.offset ?? 0)) >>> 0 };
      });
      const set = d.setBreakpoints('instruction', 'instruction', found.filter((f) => f.pc !== undefined).map((f) => ({ pcs: [f.pc!], condition: f.b.condition, hitCondition: f.b.hitCondition, label: hex(f.pc!) })));
      let k = 0;
      response.body = {
        breakpoints: found.map((f) => (f.pc === undefined ? { verified: false, message: `bad address ${f.b.instructionReference}` } : { id: set[k++].id, verified: true, instructionReference: hex(f.pc) })),
      };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.guard(response, () => {
      const d = this.dbg;
      const none = (why: string): void => { response.body = { dataId: null, description: why }; this.sendResponse(response); };
      const accessTypes: DebugProtocol.DataBreakpointAccessType[] = ['write', 'read', 'readWrite'];
      if (args.asAddress) {
        const addr = parseAddress(args.name);
        if (addr === undefined) return none(`'${args.name}' is not an address`);
        const size = Math.max(1, args.bytes ?? 4);
        response.body = { dataId: `${hex(addr)}/${size}`, description: `${size} bytes at ${hex(addr)}`, accessTypes, canPersist: true };
        this.sendResponse(response);
        return;
      }
      let value: Value | undefined;
      let label = args.name;
      const ref = args.variablesReference !== undefined ? this.refs.get(args.variablesReference) : undefined;
      if (ref !== undefined) {
        const list = ref.kind === 'locals' ? d.locals(ref.frameId) : ref.kind === 'globals' ? d.globals() : ref.kind === 'value' ? d.children(ref.value) : [];
        value = list.find((v) => v.name === args.name)?.value;
        if (ref.kind === 'value' && ref.evaluateName) label = childExpression(ref.evaluateName, args.name) ?? args.name;
      } else {
        try {
          value = d.evaluateValue(args.name, args.frameId ?? 0);
        } catch (e) {
          if (!(e instanceof ExprError)) throw e;
          return none(e.message);
        }
      }
      if (value === undefined) return none(`no variable ${args.name}`);
      if (value.address === undefined) return none(`${args.name} is not in memory`);
      const size = Math.max(1, args.bytes ?? value.bytes.length);
      response.body = { dataId: `${hex(value.address)}/${size}/${label}`, description: `${label} (${size} bytes at ${hex(value.address)})`, accessTypes, canPersist: false };
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.guard(response, () => {
      const parsed = args.breakpoints.map((b) => {
        const [a, s, ...label] = b.dataId.split('/');
        const addr = parseAddress(a);
        const size = Number(s);
        return { b, addr, size, label: label.join('/') || `${a}/${s}` };
      });
      const ok = parsed.filter((p) => p.addr !== undefined && Number.isInteger(p.size) && p.size > 0 && p.size <= 4096);
      const set = this.dbg.setWatchpoints(ok.map((p) => ({
        addr: p.addr!, size: p.size, access: (p.b.accessType ?? 'write') as WatchAccess, condition: p.b.condition, hitCondition: p.b.hitCondition, label: p.label,
      })));
      let k = 0;
      response.body = { breakpoints: parsed.map((p) => (ok.includes(p) ? { id: set[k++].id, verified: true } : { verified: false, message: `bad data breakpoint ${p.b.dataId}` })) };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse): void {
    response.body = { breakpoints: [] };
    this.sendResponse(response);
  }

  // ---- execution ----------------------------------------------------------------------------------

  private run(response: DebugProtocol.Response, f: (d: Debugger) => void): void {
    this.guard(response, () => {
      f(this.dbg);
      this.sendResponse(response);
    });
  }

  private static granularity(g: DebugProtocol.SteppingGranularity | undefined): 'line' | 'instruction' {
    return g === 'instruction' ? 'instruction' : 'line';
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.run(response, (d) => d.continue());
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.run(response, (d) => d.step('next', RvReplaySession.granularity(args.granularity)));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.run(response, (d) => d.step('in', RvReplaySession.granularity(args.granularity)));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.run(response, (d) => d.step('out', RvReplaySession.granularity(args.granularity)));
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.run(response, (d) => d.stepBack(RvReplaySession.granularity(args.granularity)));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.run(response, (d) => d.reverseContinue());
  }

  protected override restartFrameRequest(response: DebugProtocol.RestartFrameResponse, args: DebugProtocol.RestartFrameArguments): void {
    // Back in time to the call that created the frame (a reverse step out of it).
    this.run(response, (d) => {
      const f = d.stack()[args.frameId];
      if (f === undefined) throw new DebugError(`no frame ${args.frameId}`);
      d.reverseStepOut(f.frame.level + 1);
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.run(response, (d) => d.pause());
  }

  // ---- memory and disassembly ----------------------------------------------------------------------

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.guard(response, () => {
      const base = parseAddress(args.memoryReference);
      if (base === undefined) throw new DebugError(`bad memory reference ${args.memoryReference}`);
      const addr = (base + (args.offset ?? 0)) >>> 0;
      const count = Math.max(0, Math.min(args.count, 1 << 20));
      let data = this.dbg.readMem(addr, count);
      if (data === undefined) {
        // The readable prefix, then unreadable bytes.
        let n = 0;
        while (n < count && this.dbg.readMem(addr + n, 1) !== undefined) n++;
        data = n > 0 ? this.dbg.readMem(addr, n)! : new Uint8Array(0);
      }
      response.body = { address: hex(addr), data: Buffer.from(data).toString('base64'), ...(data.length < count ? { unreadableBytes: count - data.length } : {}) };
      this.sendResponse(response);
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.guard(response, () => {
      const base = parseAddress(args.memoryReference);
      if (base === undefined) throw new DebugError(`bad memory reference ${args.memoryReference}`);
      const addr = (base + (args.offset ?? 0)) >>> 0;
      const data = new Uint8Array(Buffer.from(args.data, 'base64'));
      this.dbg.writeMemory(addr, data);
      response.body = { bytesWritten: data.length };
      this.sendResponse(response);
      this.sendEvent(new MemoryEvent(hex(addr), 0, data.length));
      this.sendEvent(new InvalidatedEvent(['variables'], THREAD_ID));
    });
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.guard(response, () => {
      const base = parseAddress(args.memoryReference);
      if (base === undefined) throw new DebugError(`bad memory reference ${args.memoryReference}`);
      const target = (base + (args.offset ?? 0)) >>> 0;
      response.body = { instructions: this.disassemble(target, args.instructionOffset ?? 0, args.instructionCount, args.resolveSymbols ?? true) };
      this.sendResponse(response);
    });
  }

  /** `count` instructions starting `offset` instructions from `addr` (negative: before it). */
  private disassemble(addr: number, offset: number, count: number, symbols: boolean): DebugProtocol.DisassembledInstruction[] {
    const d = this.dbg;
    const elf = d.machine.elf;
    const symbolize = symbols ? (a: number): string | undefined => {
      const s = elf.symbolAt(a);
      if (s === undefined || s.name === '') return undefined;
      return a === s.value ? `<${s.name}>` : `<${s.name}+0x${(a - s.value).toString(16)}>`;
    } : undefined;
    // Decode from an instruction boundary at or before where we must start: a symbol's start
    // (instructions are variable length, so going backwards needs an anchor).
    const want = Math.max(0, -offset);
    const sym = elf.symbolAt(addr);
    let anchor = sym !== undefined && addr - sym.value < 0x10000 ? sym.value >>> 0 : addr;
    if (addr - anchor < want * 2) anchor = Math.max(0, addr - want * 4) >>> 0;
    const list: { addr: number; raw: number; len: number; text: string }[] = [];
    const decodeFrom = (from: number, n: number): { addr: number; raw: number; len: number; text: string }[] => {
      const bytes = d.readMem(from, n * 4) ?? (() => {
        let k = 0;
        while (k < n * 4 && d.readMem(from + k, 2) !== undefined) k += 2;
        return k > 0 ? d.readMem(from, k)! : new Uint8Array(0);
      })();
      return disassembleBytes(bytes, from, n, symbolize);
    };
    if (want > 0) {
      const before = decodeFrom(anchor, Math.ceil((addr - anchor) / 2) + 1).filter((i) => i.addr < addr);
      list.push(...before.slice(Math.max(0, before.length - want)));
      while (list.length < want) list.unshift({ addr: (list[0]?.addr ?? addr) - 2, raw: 0, len: 2, text: '??' });
    }
    const start = want > 0 ? addr : addr;
    const after = decodeFrom(start, count + Math.max(0, offset));
    list.push(...after.slice(Math.max(0, offset)));
    const out: DebugProtocol.DisassembledInstruction[] = [];
    let lastFile: string | undefined;
    for (let i = 0; i < count; i++) {
      const ins = list[i];
      if (ins === undefined) {
        const prev = out[out.length - 1];
        const a = prev !== undefined ? parseAddress(prev.address)! + 2 : addr;
        out.push({ address: hex(a), instruction: '??', presentationHint: 'invalid' });
        continue;
      }
      const item: DebugProtocol.DisassembledInstruction = {
        address: hex(ins.addr),
        instruction: ins.text,
        instructionBytes: ins.text === '??' ? undefined : ins.raw.toString(16).padStart(ins.len * 2, '0'),
      };
      if (ins.text === '??') item.presentationHint = 'invalid';
      const s = elf.symbolAt(ins.addr);
      if (s !== undefined && s.value === ins.addr) item.symbol = s.name;
      const line = d.dbg?.lineFor(ins.addr);
      if (line !== undefined) {
        if (line.file !== lastFile) item.location = this.source(line.file);
        lastFile = line.file;
        item.line = line.line;
      }
      out.push(item);
    }
    return out;
  }

  // ---- evaluate ------------------------------------------------------------------------------------

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.guard(response, () => {
      const d = this.dbg;
      const text = args.expression.trim();
      if ((args.context === 'repl' || args.context === undefined) && isMonitorCommand(text)) {
        const out = runMonitorCommand(d, text);
        response.body = { result: out, variablesReference: 0 };
        this.sendResponse(response);
        return;
      }
      if (d.isRunning) throw new DebugError('the machine is running: pause it to evaluate');
      const v = d.evaluateValue(text, args.frameId ?? 0);
      const hexFormat = args.format?.hex === true;
      const ref = d.hasChildren(v) ? this.refs.create({ kind: 'value', value: v, evaluateName: text }) : 0;
      response.body = { result: d.formatValue(v, hexFormat), type: d.typeName(v), variablesReference: ref, ...(v.address !== undefined ? { memoryReference: hex(v.address) } : {}) };
      this.sendResponse(response);
    });
  }

  // ---- rvreplay's own requests ---------------------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    this.guard(response, () => {
      const d = this.dbg;
      switch (command) {
        case 'rvreplay/gotoIcount': {
          const a = args as GotoIcountArguments;
          d.goto(Number(a?.icount));
          break;
        }
        case 'rvreplay/snapshot': {
          const a = args as SnapshotArguments;
          if (typeof a?.name !== 'string') throw new DebugError('rvreplay/snapshot needs a name');
          if (a.action === 'take') d.saveSnapshot(a.name);
          else if (a.action === 'delete') d.deleteSnapshot(a.name);
          else if (a.action === 'goto') d.loadSnapshot(a.name);
          else throw new DebugError(`rvreplay/snapshot: action must be take, delete or goto, got ${JSON.stringify(a.action)}`);
          if (a.action !== 'goto') this.sendEvent(new Event('rvreplay/timeline', this.timeline()));
          break;
        }
        case 'rvreplay/uartInput': {
          const a = args as UartInputArguments;
          if (typeof a?.text !== 'string') throw new DebugError('rvreplay/uartInput needs text');
          d.uartInput(a.text);
          break;
        }
        case 'rvreplay/lineInfo': {
          const a = args as LineInfoArguments;
          response.body = this.lineInfo(Number(a?.icount));
          break;
        }
        case 'rvreplay/reverseStepOut':
          d.reverseStepOut();
          break;
        case 'rvreplay/timeline':
          response.body = this.timeline();
          break;
        default:
          super.customRequest(command, response, args);
          return;
      }
      this.sendResponse(response);
    });
  }

  /** The pc, source line and virtual time at an icount (seeks there and back when it is not now). */
  private lineInfo(icount: number): LineInfoResponse {
    const d = this.dbg;
    const known = this.lineInfoCache.get(icount);
    if (known !== undefined) return known;
    const here = (): LineInfoResponse => ({ ...d.currentLine(), pc: d.pc, vclockNs: d.vclockNs });
    let info: LineInfoResponse;
    if (icount === d.icount) {
      info = here();
    } else {
      info = d.peekAt(icount, here);
    }
    if (this.lineInfoCache.size > 1000) this.lineInfoCache.clear();
    this.lineInfoCache.set(icount, info);
    return info;
  }
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function parseAddress(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16) >>> 0;
  if (/^\d+$/.test(t)) return Number(t) >>> 0;
  return undefined;
}

/** The C expression of a child: a.b, a[3], *p. */
function childExpression(parent: string | undefined, child: string): string | undefined {
  if (parent === undefined) return undefined;
  if (child.startsWith('[')) return `(${parent})${child}`;
  if (child === '*') return `*(${parent})`;
  return `(${parent}).${child}`;
}

function scalar(v: Value): bigint {
  return scalarOfValue(v, 'new value');
}

/**
 * The timeline's snapshots: named ones as they are, automatic ones one by one up to
 * MAX_TIMELINE_SNAPSHOTS, else one entry per bucket of the icount range (its first icount,
 * `count` snapshots).
 */
export function aggregateSnapshots(list: TimelineData['snapshots'], end: number): TimelineData['snapshots'] {
  const autos = list.filter((s) => s.kind === 'auto');
  if (autos.length <= MAX_TIMELINE_SNAPSHOTS) return list;
  const out: TimelineData['snapshots'] = list.filter((s) => s.kind !== 'auto');
  let bucket = -1;
  let cur: { icount: number; kind: 'auto'; count: number } | undefined;
  for (const s of autos) {
    const b = Math.min(TIMELINE_BUCKETS - 1, Math.floor((s.icount / end) * TIMELINE_BUCKETS));
    if (cur !== undefined && b === bucket) { cur.count++; continue; }
    bucket = b;
    cur = { icount: s.icount, kind: 'auto', count: 1 };
    out.push(cur);
  }
  return out.sort((a, b) => a.icount - b.icount);
}

/**
 * How long an operation runs before it reports progress: RVREPLAY_PROGRESS_AFTER_MS, for tests
 * (an operation long enough to show progress on one machine is too short on a faster one);
 * otherwise the debugger's default.
 */
function progressAfterMs(): number | undefined {
  const v = Number(process.env.RVREPLAY_PROGRESS_AFTER_MS);
  return process.env.RVREPLAY_PROGRESS_AFTER_MS !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
}
