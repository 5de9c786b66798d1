// A scripted debug adapter: a test double for the real one (adapter/), speaking DAP on a TCP port
// so that a launch configuration with `"debugServer": PORT` makes VS Code use it. It pretends to
// debug examples/hello.c (one frame in main, lines 6–9, one instruction per 100 icounts) and sends
// rvreplay's custom events, and it records every request, so test/e2e/extension-ui.test.ts can
// check what the extension asked for. It knows nothing of the emulator.
import * as net from 'node:net';
import * as path from 'node:path';
import { DebugSession, Event, InitializedEvent, OutputEvent, StoppedEvent, TerminatedEvent, Thread, StackFrame, Source, Scope } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { LaunchArguments, TimelineData } from '../../adapter/protocol';

export interface Received { command: string; arguments: unknown }

class Scripted extends DebugSession {
  icount = 0;
  line = 6;
  launch?: LaunchArguments & Record<string, unknown>;
  named: { icount: number; name: string }[] = [];
  hits: TimelineData['hits'] = [];
  events: TimelineData['events'] = [];
  frontier = 0;

  constructor(private readonly log: Received[], private readonly onUart: (text: string) => void) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  private get mode(): TimelineData['mode'] {
    return this.launch?.rr === 'replay' ? 'play' : this.launch?.rr === 'none' ? 'none' : 'record';
  }

  private timeline(): void {
    const t: TimelineData = {
      mode: this.mode, filename: this.launch?.rrfile, icount: this.icount, frontier: this.frontier,
      end: this.mode === 'play' ? 2000 : undefined, vclockNs: this.icount,
      snapshots: [{ icount: 0, kind: 'auto' }, { icount: 500, kind: 'auto' }, ...this.named.map((n) => ({ icount: n.icount, kind: 'named' as const, name: n.name }))],
      events: this.events, hits: this.hits,
    };
    this.sendEvent(new Event('rvreplay/timeline', t));
  }

  private moveTo(icount: number, reason: string): void {
    this.icount = icount;
    this.frontier = Math.max(this.frontier, icount);
    this.line = 6 + Math.min(3, Math.floor(icount / 300));
    this.sendEvent(new StoppedEvent(reason, 1));
    this.timeline();
  }

  uart(text: string): void {
    this.sendEvent(new Event('rvreplay/uartOutput', { text }));
    this.onUart(text);
  }

  override dispatchRequest(request: DebugProtocol.Request): void {
    this.log.push({ command: request.command, arguments: request.arguments });
    super.dispatchRequest(request);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = { supportsConfigurationDoneRequest: true, supportsStepBack: true };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    this.launch = args as LaunchArguments & Record<string, unknown>;
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    response.body = { breakpoints: (args.breakpoints ?? []).map((b) => ({ verified: true, line: b.line })) };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    // "Runs" to the breakpoint on line 8 (icount 600), printing the greeting on the way.
    this.uart('Hello from a RISC-V guest on the virt board!\nfib(0) = 0\n');
    if (this.mode === 'record') this.events.push({ icount: 120, kind: 'rtc' });
    this.hits.push({ icount: 600, kind: 'breakpoint', label: 'hello.c:8' });
    this.moveTo(this.mode === 'play' && this.launch?.stopOnEntry ? 0 : 600, this.launch?.stopOnEntry ? 'entry' : 'breakpoint');
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(1, 'hart 0')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const file = path.join(path.dirname(String(this.launch?.program)), 'hello.c');
    response.body = { stackFrames: [new StackFrame(1, 'main', new Source('hello.c', file), this.line, 3)], totalFrames: 1 };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = { scopes: [new Scope('Locals', 0, false)] };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse): void {
    response.body = { variables: [] };
    this.sendResponse(response);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.moveTo(this.icount + 300, 'step');
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.sendResponse(response);
    this.moveTo(Math.max(0, this.icount - 300), 'step');
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.sendResponse(response);
    this.uart('retired instructions so far: 1200\n');
    this.moveTo(1200, 'pause');
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.sendResponse(response);
    this.moveTo(0, 'entry');
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: Record<string, unknown>): void {
    switch (command) {
      case 'rvreplay/gotoIcount':
        this.sendResponse(response);
        this.moveTo(Number(args.icount), 'goto');
        return;
      case 'rvreplay/snapshot':
        if (args.action === 'take') this.named.push({ icount: this.icount, name: String(args.name) });
        if (args.action === 'delete') this.named = this.named.filter((n) => n.name !== args.name);
        this.sendResponse(response);
        if (args.action === 'goto') this.moveTo(this.named.find((n) => n.name === args.name)?.icount ?? 0, 'goto');
        else this.timeline();
        return;
      case 'rvreplay/uartInput':
        if (this.mode === 'play') { this.sendErrorResponse(response, 1, 'replaying: input comes from the recording'); return; }
        this.sendResponse(response);
        this.events.push({ icount: this.icount, kind: 'uart-rx' });
        this.uart(String(args.text).replace(/\r/g, '\n').toUpperCase());
        this.timeline();
        return;
      case 'rvreplay/lineInfo':
        response.body = { file: 'hello.c', line: 6 + Math.min(3, Math.floor(Number(args.icount) / 300)), pc: 0x80000000 + Number(args.icount) * 4, vclockNs: Number(args.icount) };
        this.sendResponse(response);
        return;
      case 'rvreplay/reverseStepOut':
        this.sendResponse(response);
        this.moveTo(0, 'step');
        return;
      default:
        this.sendErrorResponse(response, 2, `unknown request ${command}`);
    }
  }

  output(text: string): void { this.sendEvent(new OutputEvent(text)); }
}

export interface ScriptedAdapter {
  port: number;
  /** Every request received, by every session, in order. */
  received: Received[];
  /** Everything the guest "printed". */
  uart: string[];
  close(): Promise<void>;
}

export function startScriptedAdapter(): Promise<ScriptedAdapter> {
  const received: Received[] = [];
  const uart: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const s = new Scripted(received, (t) => uart.push(t));
    s.setRunAsServer(true);
    s.start(socket, socket);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as net.AddressInfo).port, received, uart,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  })));
}
