// `rvreplay record|replay|run --dap PORT` (adapter/cli-dap.ts): the built dist/cli.js serves the
// VM over DAP, a DebugClient attaches over TCP as VS Code's "attach" configuration does, and the
// recording finished at SIGTERM replays to the same output. Also the option's errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, CLI, runProcess } from './helpers/run';

const ADAPTER = path.join(ROOT, 'dist', 'adapter.js');
const FIXTURE = path.join(__dirname, 'fixtures', 'debugger');
const ELF = path.join(FIXTURE, 'debugme.elf');
const SRC = path.join(FIXTURE, 'debugme.c');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-cli-dap-'));
// A DebugClient on a TCP port has no timeouts of its own (testsupport turns them off for
// sockets): a lost response or event would hang the file, so each served test has a bound.
const SERVED_TIMEOUT_MS = 60_000;
// Served CLIs still running at the end (a test that failed or timed out before its own kill).
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Served { child: ChildProcess; port: number; stdout: () => string; stderr: () => string; exited: Promise<number | null> }

/** Starts `node dist/cli.js <args>` and waits for the line saying where it listens. */
function serve(args: string[]): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.on('close', () => children.delete(child));
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no "listening" line in 30 s; stderr: ${err}`)); }, 30_000);
    child.stdout!.on('data', (b: Buffer) => { out += b.toString('latin1'); });
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString('utf8');
      const m = /listening on 127\.0\.0\.1:(\d+): attach from VS Code with (\{.*\}); Ctrl-C ends\n/.exec(err);
      if (m) {
        clearTimeout(timer);
        const snippet = JSON.parse(m[2]) as { type: string; request: string; port: number };
        assert.deepEqual({ type: snippet.type, request: snippet.request, port: snippet.port }, { type: 'rvreplay', request: 'attach', port: Number(m[1]) });
        resolve({ child, port: Number(m[1]), stdout: () => out, stderr: () => err, exited });
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`exited (${code}) before listening: ${err}`)); });
  });
}

/** A DebugClient attached (as VS Code's attach configuration) to a VM served on `port`, stopped at attach. */
async function attach(port: number, lines: number[]): Promise<{ dc: DebugClient; first: DebugProtocol.StoppedEvent }> {
  const dc = new DebugClient(process.execPath, ADAPTER, 'rvreplay');
  dc.defaultTimeout = 60_000;
  await dc.start(port);
  await dc.initializeRequest();
  const initialized = dc.waitForEvent('initialized');
  const first = dc.waitForEvent('stopped');
  await dc.attachRequest({ port } as DebugProtocol.AttachRequestArguments);
  await initialized;
  await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: lines.map((line) => ({ line })) });
  await dc.configurationDoneRequest();
  return { dc, first: (await first) as DebugProtocol.StoppedEvent };
}

async function run(dc: DebugClient, f: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped');
  await f();
  return (await stopped) as DebugProtocol.StoppedEvent;
}

function dapMessage(m: object): string {
  const body = JSON.stringify(m);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

async function topLine(dc: DebugClient): Promise<number> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].line;
}

async function evaluate(dc: DebugClient, expression: string): Promise<string> {
  const frameId = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
  return (await dc.evaluateRequest({ expression, frameId, context: 'watch' })).body.result;
}

test('record --dap 0: attach, breakpoint, continue, stepBack, detach; a second client finds the VM where the first left it; SIGTERM finishes an rrfile that replays to the same output', { timeout: SERVED_TIMEOUT_MS }, async () => {
  const rrfile = path.join(tmp, 'served.rr');
  const s = await serve(['record', '--rrfile', rrfile, '--dap', '0', ELF]);
  try {
    const { dc, first } = await attach(s.port, [28]);
    assert.equal(first.body.reason, 'entry');
    assert.match(first.body.description!, /attached at icount 0/);
    let st = await run(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(st.body.reason, 'breakpoint');
    assert.equal(await topLine(dc), 28);
    assert.equal(await evaluate(dc, 'i'), '0');
    st = await run(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(st.body.reason, 'breakpoint');
    assert.equal(await evaluate(dc, 'i'), '1');
    assert.match(st.body.description!, /live/);
    st = await run(dc, () => dc.stepBackRequest({ threadId: 1 }));
    assert.match(st.body.description!, /in history \(icount \d+ of \d+\)/);
    const backLine = await topLine(dc);
    assert.ok(backLine < 28 && backLine >= 26, `step back from line 28 lands on an earlier line of the loop, got ${backLine}`);
    // What the guest printed so far reached the CLI's stdout too (once).
    assert.equal(s.stdout(), 'start\n');
    await dc.disconnectRequest({});
    await dc.stop();

    // The VM stayed, stopped where the first client left it (in the past); a second client,
    // connecting at once (before the server has seen the first socket close: it waits for the
    // handover, adapter/server.ts), continues it to the same hit again and then live to the next.
    const second = await attach(s.port, [28]);
    assert.match(second.first.body.description!, /attached at icount \d+/);
    assert.equal(await topLine(second.dc), backLine);
    st = await run(second.dc, () => second.dc.continueRequest({ threadId: 1 }));
    assert.equal(await evaluate(second.dc, 'i'), '1', 'the hit at i == 1 again: it was in history');
    st = await run(second.dc, () => second.dc.continueRequest({ threadId: 1 }));
    assert.equal(await evaluate(second.dc, 'i'), '2');
    await second.dc.disconnectRequest({});
    await second.dc.stop();
  } finally {
    s.child.kill('SIGTERM');
  }
  const code = await s.exited;
  assert.equal(code, 130, `quit ends with 130; stderr: ${s.stderr()}`);
  assert.match(s.stderr(), /SIGTERM: stopping/);
  assert.match(s.stderr(), /recorded .*served\.rr: \d+ instructions, ended by quit/);
  const stdout = s.stdout();
  assert.equal(stdout, 'start\n', 'the output up to where the recording got to, shown once');

  const r = await runProcess(process.execPath, [CLI, 'replay', '--rrfile', rrfile, ELF]);
  assert.equal(r.stdout, stdout, `the replay prints what the served recording printed; stderr: ${r.stderr}`);
  assert.equal(r.code, 130, r.stderr);
  assert.doesNotMatch(r.stderr, /diverged|damaged|error/i);
});

test('record --dap: the guest runs to its exit under the debugger; the rrfile ends with its exit status and replays to it', { timeout: SERVED_TIMEOUT_MS }, async () => {
  const rrfile = path.join(tmp, 'exit.rr');
  const s = await serve(['record', '--rrfile', rrfile, '--dap', '0', ELF]);
  try {
    const { dc } = await attach(s.port, []);
    const st = await run(dc, () => dc.continueRequest({ threadId: 1 }));
    // debugme jumps through its corrupted guard: the guest ends in a trap loop or an exit.
    assert.ok(['exit', 'exception'].includes(st.body.reason), st.body.reason);
    await dc.disconnectRequest({});
    await dc.stop();
  } finally {
    s.child.kill('SIGINT');
  }
  await s.exited;
  const r = await runProcess(process.execPath, [CLI, 'replay', '--rrfile', rrfile, ELF]);
  assert.equal(r.stdout, s.stdout(), r.stderr);
  assert.match(s.stdout(), /^start\nsum=30\nguard corrupted\n/);
  assert.doesNotMatch(r.stderr, /diverged|damaged/i, r.stderr);
});

test('replay --dap: a recording debugged from the command line, reverseContinue to the start; a second client meanwhile is closed', { timeout: SERVED_TIMEOUT_MS }, async () => {
  const rrfile = path.join(tmp, 'plain.rr');
  const rec = await runProcess(process.execPath, [CLI, 'record', '--rrfile', rrfile, ELF]);
  assert.match(rec.stdout, /^start\n/);
  const s = await serve(['replay', '--rrfile', rrfile, '--dap', '0', ELF]);
  try {
    const { dc } = await attach(s.port, [29]);
    await run(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(await topLine(dc), 29);
    // Another client while this one stays attached: it waits for the handover (a few seconds,
    // adapter/server.ts HANDOVER_MS), gets no answer, and is closed; this one is not disturbed.
    const other = net.createConnection(s.port, '127.0.0.1');
    let answered = '';
    other.on('data', (b: Buffer) => { answered += b.toString(); });
    other.on('error', () => {});
    other.write(dapMessage({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'rvreplay' } }));
    await new Promise<void>((r) => other.on('close', () => r()));
    assert.equal(answered, '', 'the second client got no answer');
    await dc.setBreakpointsRequest({ source: { path: SRC }, breakpoints: [] });
    const st = await run(dc, () => dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal(st.body.reason, 'entry');
    await dc.disconnectRequest({});
    await dc.stop();
  } finally {
    s.child.kill('SIGTERM');
  }
  assert.equal(await s.exited, 130);
  assert.equal(s.stdout(), 'start\n', 'a replay shows its output once, as far as it went');
});

test('--dap errors: one line naming the option, exit status 2, nothing created', async () => {
  const rrfile = path.join(tmp, 'never.rr');
  const cases: [string[], RegExp][] = [
    [['record', '--rrfile', rrfile, '--dap', 'abc', ELF], /^rvreplay: --dap must be a TCP port number from 0 to 65535 \(0: any free port\), got 'abc'\n$/],
    [['record', '--rrfile', rrfile, '--dap', '70000', ELF], /^rvreplay: --dap must be a TCP port number .* got '70000'\n$/],
    [['run', '--dap-host', '0.0.0.0', ELF], /^rvreplay: --dap-host needs --dap PORT\n$/],
    [['run', '--dap', '0', '--max-insns', '5', ELF], /^rvreplay: --max-insns cannot be combined with --dap/],
    [['run', '--dap', '0'], /^rvreplay: --dap needs a program/],
  ];
  for (const [args, re] of cases) {
    const r = await runProcess(process.execPath, [CLI, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  }
  // A port in use: said before any rrfile is created.
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = await runProcess(process.execPath, [CLI, 'record', '--rrfile', rrfile, '--dap', String(port), ELF]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `rvreplay: --dap ${port}: port ${port} on 127.0.0.1 is already in use (pick another, or 0 for any free port)\n`);
    assert.equal(fs.existsSync(rrfile), false, 'no rrfile left behind');
  } finally {
    blocker.close();
  }
  // An existing rrfile without --force: the record command's own message.
  fs.writeFileSync(rrfile, 'x');
  const r = await runProcess(process.execPath, [CLI, 'record', '--rrfile', rrfile, '--dap', '0', ELF]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /already exists; pass --force to overwrite it\n$/);
  assert.equal(fs.readFileSync(rrfile, 'utf8'), 'x');
});
