// The debug adapter as VS Code sees it: the built dist/adapter.js driven over DAP by
// @vscode/debugadapter-testsupport's DebugClient. The guest is test/fixtures/debugger/debugme.c
// (-O0, DWARF 5); line numbers below refer to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, CLI, EXAMPLES, runProcess } from './helpers/run';
import { launchVm } from '../core/debug/launch';
import { serveDap } from '../adapter/server';

const ADAPTER = path.join(ROOT, 'dist', 'adapter.js');
const FIXTURE = path.join(__dirname, 'fixtures', 'debugger');
const ELF = path.join(FIXTURE, 'debugme.elf');
const SRC = path.join(FIXTURE, 'debugme.c');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-adapter-'));
let n = 0;

/** A DebugClient on a fresh adapter process that records what it is sent. */
class Client {
  readonly dc = new DebugClient(process.execPath, ADAPTER, 'rvreplay');
  readonly events: DebugProtocol.Event[] = [];
  stdout = '';
  uart = '';

  async start(): Promise<void> {
    // Generous: these bound waits for events that must come, they are not measurements.
    this.dc.defaultTimeout = 60_000;
    await this.dc.start();
    this.dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') this.stdout += e.body.output; });
    this.dc.on('rvreplay/uartOutput', (e: DebugProtocol.Event) => { this.uart += (e.body as { text: string }).text; });
    for (const name of ['stopped', 'invalidated', 'rvreplay/timeline', 'terminated', 'exited']) this.dc.on(name, (e: DebugProtocol.Event) => this.events.push(e));
  }

  /** Launches with breakpoints on these lines and waits for the first stop. */
  async launch(args: Record<string, unknown>, lines: number[] = []): Promise<DebugProtocol.StoppedEvent> {
    const stopped = this.dc.waitForEvent('stopped');
    await Promise.all([
      this.dc.waitForEvent('initialized')
        .then(() => this.dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: lines.map((line) => ({ line })) }))
        .then(() => this.dc.configurationDoneRequest()),
      this.dc.launch({ program: ELF, rrfile: path.join(tmp, `a${n++}.rr`), ...args }),
    ]);
    return (await stopped) as DebugProtocol.StoppedEvent;
  }

  /** Sends a request that runs the machine and waits for the stop it causes. */
  async run(f: (dc: DebugClient) => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
    const stopped = this.dc.waitForEvent('stopped');
    try {
      await f(this.dc);
    } catch (e) {
      stopped.catch(() => {}); // no stop comes after a refused request
      throw e;
    }
    return (await stopped) as DebugProtocol.StoppedEvent;
  }

  async top(): Promise<DebugProtocol.StackFrame> {
    return (await this.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
  }

  async scope(name: string, frameId?: number): Promise<number> {
    const fid = frameId ?? (await this.top()).id;
    const s = (await this.dc.scopesRequest({ frameId: fid })).body.scopes.find((x) => x.name === name);
    assert.ok(s, `scope ${name}`);
    return s.variablesReference;
  }

  async locals(): Promise<Record<string, string>> {
    const vars = (await this.dc.variablesRequest({ variablesReference: await this.scope('Locals') })).body.variables;
    return Object.fromEntries(vars.map((v) => [v.name, v.value]));
  }

  async stop(): Promise<void> {
    await this.dc.disconnectRequest({}).catch(() => {});
    await this.dc.stop();
  }
}

async function withClient(f: (c: Client) => Promise<void>): Promise<void> {
  const c = new Client();
  await c.start();
  try {
    await f(c);
  } finally {
    await c.stop();
  }
}

test('breakpoint on a source line, next x5, stepBack x5 through the same lines and values; live, then in history', () => withClient(async (c) => {
  const first = await c.launch({}, [28]);
  assert.equal(first.body.reason, 'breakpoint');
  assert.match(first.body.description!, /live/);
  const top = await c.top();
  assert.equal(top.name, 'main');
  assert.equal(top.line, 28);
  assert.equal(path.basename(top.source!.path!), 'debugme.c');
  await c.dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [] });
  const seen: string[] = [];
  const state = async (): Promise<string> => { const l = await c.locals(); return `${(await c.top()).line}:${l.i}:${l.sum}`; };
  seen.push(await state());
  for (let k = 0; k < 5; k++) {
    const s = await c.run((dc) => dc.nextRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'step');
    seen.push(await state());
  }
  assert.deepEqual(seen.map((x) => Number(x.split(':')[0])), [28, 29, 26, 27, 28, 29]);
  const back = [await state()];
  for (let k = 0; k < 5; k++) {
    const inval = c.dc.waitForEvent('invalidated');
    const s = await c.run((dc) => dc.stepBackRequest({ threadId: 1 }));
    await inval;
    assert.equal(s.body.reason, 'step');
    assert.match(s.body.description!, /in history \(icount \d+ of \d+\)/);
    back.push(await state());
  }
  assert.deepEqual(back.reverse(), seen);
  // A timeline event followed every stop.
  const timelines = c.events.filter((e) => e.event === 'rvreplay/timeline');
  assert.ok(timelines.length >= 11);
  const tl = timelines.at(-1)!.body as { mode: string; icount: number; frontier: number; snapshots: unknown[] };
  assert.equal(tl.mode, 'record');
  assert.ok(tl.icount < tl.frontier);
  assert.ok(tl.snapshots.length >= 1);
}));

test('reverseContinue finds the previous hit of a breakpoint in a loop, with the counter one lower', () => withClient(async (c) => {
  await c.launch({}, [29]);
  await c.run((dc) => dc.continueRequest({ threadId: 1 }));
  await c.run((dc) => dc.continueRequest({ threadId: 1 }));
  assert.equal((await c.locals()).i, '2');
  const s = await c.run((dc) => dc.reverseContinueRequest({ threadId: 1 }));
  assert.equal(s.body.reason, 'breakpoint');
  assert.equal((await c.top()).line, 29);
  assert.equal((await c.locals()).i, '1');
}));

test('a data breakpoint from the Variables view: continue to the crash, reverseContinue stops on the line that wrote the global', () => withClient(async (c) => {
  const end = await c.launch({}, []);
  assert.equal(end.body.reason, 'exit');
  assert.match(c.stdout, /guard corrupted/);
  const globals = await c.scope('Globals');
  const info = await c.dc.dataBreakpointInfoRequest({ variablesReference: globals, name: 'g_guard' });
  assert.ok(info.body.dataId);
  assert.ok(info.body.accessTypes?.includes('write'));
  const set = await c.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
  assert.equal(set.body.breakpoints[0].verified, true);
  const s = await c.run((dc) => dc.reverseContinueRequest({ threadId: 1 }));
  assert.equal(s.body.reason, 'data breakpoint');
  assert.deepEqual(s.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
  const top = await c.top();
  assert.equal(top.name, 'fill');
  assert.equal(top.line, 19);
  assert.equal((await c.locals()).i, '4');
}));

test('"Break on Value Change" on a struct member in the Variables view', () => withClient(async (c) => {
  await c.launch({}, [23]);
  const globals = (await c.dc.variablesRequest({ variablesReference: await c.scope('Globals') })).body.variables;
  const origin = globals.find((v) => v.name === 'g_origin')!;
  assert.equal(origin.value, '{x = 3, y = 4}');
  const members = (await c.dc.variablesRequest({ variablesReference: origin.variablesReference })).body.variables;
  assert.deepEqual(members.map((m) => [m.name, m.value, m.evaluateName]), [['x', '3', '(g_origin).x'], ['y', '4', '(g_origin).y']]);
  const info = await c.dc.dataBreakpointInfoRequest({ variablesReference: origin.variablesReference, name: 'y' });
  const base = parseInt(origin.memoryReference!, 16);
  assert.equal(info.body.dataId!.split('/')[0], `0x${(base + 4).toString(16).padStart(8, '0')}`);
  assert.match(info.body.description, /\(g_origin\)\.y \(4 bytes/);
}));

test('record mode over DAP: step back 3 lines, continue, the program finishes live; after disconnect the rrfile replays the same output', async () => {
  const rrfile = path.join(tmp, 'live-edge.rr');
  const c = new Client();
  await c.start();
  try {
    await c.launch({ rrfile }, [29]);
    await c.dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [] });
    for (let k = 0; k < 3; k++) {
      const s = await c.run((dc) => dc.stepBackRequest({ threadId: 1 }));
      assert.match(s.body.description!, /in history/);
    }
    const end = await c.run((dc) => dc.continueRequest({ threadId: 1 }));
    assert.equal(end.body.reason, 'exit');
    assert.match(end.body.description!, /live/);
  } finally {
    await c.stop();
  }
  const rep = await runProcess(process.execPath, [CLI, 'replay', '--rrfile', rrfile, ELF], { stdin: '' });
  assert.equal(rep.stdout, c.stdout);
  assert.equal(rep.code, 1, 'the guest\'s own exit status, as recorded');
  assert.match(rep.stderr, /replay complete: .* matches the recording/);
});

test('a watchpoint on an address range stops forward on a write', () => withClient(async (c) => {
  await c.launch({}, [24]);
  const addr = (await c.dc.evaluateRequest({ expression: '&g_total', context: 'watch', frameId: (await c.top()).id })).body.result.split(' ')[0];
  const info = await c.dc.dataBreakpointInfoRequest({ name: addr, asAddress: true, bytes: 4 });
  await c.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
  await c.dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [] });
  const s = await c.run((dc) => dc.continueRequest({ threadId: 1 }));
  assert.equal(s.body.reason, 'data breakpoint');
  // "write" stops when the bytes change: the loop's first `g_total = sum` writes 0 over 0.
  assert.equal((await c.dc.evaluateRequest({ expression: 'g_total', context: 'watch' })).body.result, '1');
  const again = await c.run((dc) => dc.continueRequest({ threadId: 1 }));
  assert.equal(again.body.reason, 'data breakpoint');
  assert.equal((await c.dc.evaluateRequest({ expression: 'g_total', context: 'watch' })).body.result, '5');
}));

test('evaluate: monitor commands and expressions; registers refused for writes in history', () => withClient(async (c) => {
  await c.launch({}, [28]);
  const q = await c.dc.evaluateRequest({ expression: 'query-replay', context: 'repl' });
  const info = JSON.parse(q.body.result) as { mode: string; icount: number };
  assert.equal(info.mode, 'record');
  assert.ok(info.icount > 0);
  const e = await c.dc.evaluateRequest({ expression: 'g_origin.x * 10 + g_origin.y', context: 'repl', frameId: (await c.top()).id });
  assert.equal(e.body.result, '34');
  const regs = await c.scope('Registers');
  const set = await c.dc.setVariableRequest({ variablesReference: regs, name: 'a5', value: '0x1234' });
  assert.equal(set.body.value, '0x00001234');
  await c.run((dc) => dc.stepBackRequest({ threadId: 1 }));
  const regs2 = await c.scope('Registers');
  await assert.rejects(c.dc.setVariableRequest({ variablesReference: regs2, name: 'a5', value: '1' }), /recorded past.*live edge/);
  await assert.rejects(c.dc.customRequest('writeMemory', { memoryReference: '0x80000000', data: Buffer.from([1]).toString('base64') }), /recorded past/);
  const mem = await c.dc.customRequest('readMemory', { memoryReference: '0x80000000', count: 8 });
  assert.equal(Buffer.from((mem.body as { data: string }).data, 'base64').length, 8);
}));

test('guest UART output arrives as output events and rvreplay/uartOutput, once', () => withClient(async (c) => {
  const s = await c.launch({}, []);
  assert.equal(s.body.reason, 'exit');
  assert.equal(c.stdout, 'start\nsum=30\nguard corrupted\nunexpected trap mcause=00000001 mepc=00000032\n');
  assert.equal(c.uart, c.stdout);
  // Going back and forward again shows nothing twice.
  await c.run((dc) => dc.customRequest('rvreplay/gotoIcount', { icount: 10 }));
  await c.run((dc) => dc.continueRequest({ threadId: 1 }));
  assert.equal(c.stdout, 'start\nsum=30\nguard corrupted\nunexpected trap mcause=00000001 mepc=00000032\n');
}));

test('instruction granularity, disassembly and custom requests', () => withClient(async (c) => {
  await c.launch({ stopOnEntry: true }, []);
  const entry = c.events.find((e) => e.event === 'stopped') as DebugProtocol.StoppedEvent;
  assert.equal(entry.body.reason, 'entry');
  const pcs: string[] = [];
  for (let k = 0; k < 6; k++) {
    pcs.push((await c.top()).instructionPointerReference!);
    await c.run((dc) => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
  }
  pcs.push((await c.top()).instructionPointerReference!);
  assert.equal(pcs[0], '0x00001000', 'the reset vector in MROM');
  const back = [pcs.at(-1)!];
  for (let k = 0; k < 6; k++) {
    await c.run((dc) => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
    back.push((await c.top()).instructionPointerReference!);
  }
  assert.deepEqual(back.reverse(), pcs);
  const dis = await c.dc.disassembleRequest({ memoryReference: '0x00001000', instructionCount: 6 });
  // QEMU's reset vector, in objdump's spelling (addi prints as add).
  assert.deepEqual(dis.body!.instructions.map((i) => i.instruction.split(' ')[0]), ['auipc', 'add', 'csrr', 'lw', 'lw', 'jr']);
  type Tl = { snapshots: { icount: number; kind: string; name?: string }[] };
  const before = (await c.dc.customRequest('rvreplay/timeline')).body as Tl;
  const snap = await c.dc.customRequest('rvreplay/snapshot', { action: 'take', name: 'start' });
  assert.equal(snap.success, true);
  // The timeline's snapshots are cached between changes: the new one shows at once.
  const after = (await c.dc.customRequest('rvreplay/timeline')).body as Tl;
  assert.deepEqual(after.snapshots.filter((x) => x.kind === 'named').map((x) => x.name), ['start']);
  assert.equal(before.snapshots.filter((x) => x.kind === 'named').length, 0);
  const li = await c.dc.customRequest('rvreplay/lineInfo', { icount: 0 });
  assert.equal((li.body as { pc: number }).pc, 0x1000);
  await assert.rejects(c.dc.customRequest('rvreplay/gotoIcount', { icount: 300 }), /beyond the recording's frontier \(6\)/);
  const g = await c.run((dc) => dc.customRequest('rvreplay/gotoIcount', { icount: 3 }));
  assert.equal(g.body.reason, 'goto');
  const ic = JSON.parse((await c.dc.evaluateRequest({ expression: 'query-replay', context: 'repl' })).body.result).icount;
  assert.equal(ic, 3);
  assert.equal((await c.top()).instructionPointerReference, pcs[3]);
  await c.run((dc) => dc.customRequest('rvreplay/snapshot', { action: 'goto', name: 'start' }));
  assert.equal((await c.top()).instructionPointerReference, '0x00001000');
}));

test('launch errors name the attribute', () => withClient(async (c) => {
  await c.dc.initializeRequest();
  await assert.rejects(c.dc.launchRequest({ program: ELF, rr: 'sometimes' } as DebugProtocol.LaunchRequestArguments), /"rr" must be "none", "record" or "replay"/);
  await assert.rejects(c.dc.launchRequest({ rr: 'record' } as DebugProtocol.LaunchRequestArguments), /"program" is missing/);
  await assert.rejects(c.dc.launchRequest({ program: SRC } as DebugProtocol.LaunchRequestArguments), /"program"/);
}));

test('rr none: the session ends with the guest', () => withClient(async (c) => {
  const terminated = c.dc.waitForEvent('terminated');
  await Promise.all([
    c.dc.waitForEvent('initialized').then(() => c.dc.configurationDoneRequest()),
    c.dc.launch({ program: ELF, rr: 'none' }),
  ]);
  await terminated;
  const exited = c.events.find((e) => e.event === 'exited') as DebugProtocol.ExitedEvent;
  assert.equal(exited.body.exitCode, 1);
}));

test('a program built elsewhere: sources are shown from beside the program', () => withClient(async (c) => {
  const dir = fs.mkdtempSync(path.join(tmp, 'copy-'));
  fs.copyFileSync(ELF, path.join(dir, 'debugme.elf'));
  fs.copyFileSync(SRC, path.join(dir, 'debugme.c'));
  const stopped = c.dc.waitForEvent('stopped');
  await Promise.all([
    c.dc.waitForEvent('initialized')
      .then(() => c.dc.setBreakpointsRequest({ source: { path: path.join(dir, 'debugme.c') }, breakpoints: [{ line: 28 }] }))
      .then(() => c.dc.configurationDoneRequest()),
    c.dc.launch({ program: path.join(dir, 'debugme.elf') }),
  ]);
  assert.equal(((await stopped) as DebugProtocol.StoppedEvent).body.reason, 'breakpoint');
  const top = await c.top();
  assert.equal(top.line, 28);
  assert.equal(top.source!.path, path.join(dir, 'debugme.c'));
}));

// The socket DebugClient's requests have no time limit of their own: the test has one.
test('attach: a VM served over TCP (what `--dap PORT` does) is debugged through "attach", from a snapshot taken at attach', { timeout: 60_000 }, async () => {
  const vm = launchVm({ program: ELF, rrfile: path.join(tmp, 'attach.rr') });
  vm.machine.run(100); // the VM ran a little before anyone attached
  const server = await serveDap(vm, 0);
  const dc = new DebugClient(process.execPath, ADAPTER, 'rvreplay');
  try {
    await dc.start(server.port);
    await dc.initializeRequest();
    const initialized = dc.waitForEvent('initialized');
    const first = dc.waitForEvent('stopped');
    await dc.attachRequest({ port: server.port } as DebugProtocol.AttachRequestArguments);
    await initialized;
    await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [{ line: 28 }] });
    await dc.configurationDoneRequest();
    const s0 = (await first) as DebugProtocol.StoppedEvent;
    assert.equal(s0.body.reason, 'entry');
    assert.match(s0.body.description!, /attached at icount 100/);
    let stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    assert.equal(((await stopped) as DebugProtocol.StoppedEvent).body.reason, 'breakpoint');
    assert.equal((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].line, 28);
    await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [] });
    stopped = dc.waitForEvent('stopped');
    await dc.reverseContinueRequest({ threadId: 1 });
    const back = (await stopped) as DebugProtocol.StoppedEvent;
    assert.equal(back.body.reason, 'entry');
    const q = JSON.parse((await dc.evaluateRequest({ expression: 'query-replay', context: 'repl' })).body.result) as { icount: number };
    assert.equal(q.icount, 0, 'history reaches back to the start of the recording');
    const detached = server.detached();
    await dc.disconnectRequest({});
    await dc.stop();
    await detached;
  } finally {
    server.close();
    vm.gate.finish('quit', 130);
  }
});

test('a long goto shows its progress (DAP progress events), and cancelling it pauses', { timeout: 180_000 }, async () => {
  const elf = path.join(EXAMPLES, 'bench.elf');
  const rrfile = path.join(tmp, 'bench-progress.rr');
  const rec = await runProcess(process.execPath, [CLI, 'record', '--rrfile', rrfile, elf], { stdin: '' });
  assert.equal(rec.code, 0, rec.stderr);
  const end = Number(/icount (\d+)/.exec(rec.stderr)![1]);
  for (const cancel of [false, true]) {
    // Progress after 100 ms, not 500: the goto below takes 0.5 s or less on a fast machine.
    const dc = new DebugClient(process.execPath, ADAPTER, 'rvreplay', { env: { ...process.env, RVREPLAY_PROGRESS_AFTER_MS: '100' } });
    dc.defaultTimeout = 60_000;
    await dc.start();
    try {
      const init = await dc.initializeRequest({ adapterID: 'rvreplay', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsProgressReporting: true });
      assert.equal(init.body?.supportsCancelRequest, true);
      const first = dc.waitForEvent('stopped');
      await Promise.all([
        dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
        dc.launchRequest({ program: elf, rr: 'replay', rrfile, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments),
      ]);
      await first;
      const progress: DebugProtocol.Event[] = [];
      for (const name of ['progressStart', 'progressUpdate', 'progressEnd']) dc.on(name, (e: DebugProtocol.Event) => progress.push(e));
      if (cancel) dc.once('progressStart', (e: DebugProtocol.ProgressStartEvent) => { void dc.customRequest('cancel', { progressId: e.body.progressId }); });
      const stopped = dc.waitForEvent('stopped');
      // The first visit to the end replays all of bench.elf (2.9e8 instructions): 0.5 s or more.
      await dc.customRequest('rvreplay/gotoIcount', { icount: end - 1 });
      const st = (await stopped) as DebugProtocol.StoppedEvent;
      const start = progress.find((e) => e.event === 'progressStart') as DebugProtocol.ProgressStartEvent | undefined;
      assert.ok(start !== undefined, 'progress shown');
      assert.match(start.body.title, new RegExp(`Going to icount ${end - 1}`));
      assert.equal(start.body.cancellable, true);
      assert.equal(progress.at(-1)!.event, 'progressEnd', 'the stop ends the progress');
      assert.ok(progress.every((e) => (e.body as { progressId: string }).progressId === start.body.progressId));
      const icount = JSON.parse((await dc.evaluateRequest({ expression: 'query-replay', context: 'repl' })).body.result).icount as number;
      if (cancel) {
        assert.equal(st.body.reason, 'pause');
        assert.ok(icount < end - 1, `paused on the way, at ${icount}`);
      } else {
        assert.equal(st.body.reason, 'goto');
        assert.equal(icount, end - 1);
        const pct = progress.map((e) => (e.body as { percentage?: number }).percentage).filter((x): x is number => x !== undefined);
        assert.ok(pct.length >= 1 && pct.every((x, i) => x >= 0 && x <= 100 && (i === 0 || x >= pct[i - 1])), `percentages ${pct.join(' ')}`);
      }
    } finally {
      await dc.disconnectRequest({}).catch(() => {});
      await dc.stop();
    }
  }
});
