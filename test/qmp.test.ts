// QMP at the command level, as a script written for QEMU's reverse debugging would drive it:
// query-replay, replay-break, cont, STOP, replay-seek back, savevm/loadvm/info snapshots, and
// named snapshots that survive a restart of the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, EXAMPLES, runProcess } from './helpers/run';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-qmp-'));
const ELF = path.join(EXAMPLES, 'bench-small.elf');

type Msg = Record<string, unknown>;

/** A minimal QMP client: plain TCP, one JSON message per line. */
class Qmp {
  private buf = '';
  private queue: Msg[] = [];
  private waiters: ((m: Msg) => void)[] = [];
  readonly events: string[] = [];
  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        if (!line) continue;
        const m = JSON.parse(line) as Msg;
        if (typeof m.event === 'string') this.events.push(m.event);
        const w = this.waiters.shift();
        if (w) w(m); else this.queue.push(m);
      }
    });
  }
  static async connect(port: number): Promise<Qmp> {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r, j) => { sock.once('connect', r); sock.once('error', j); });
    return new Qmp(sock);
  }
  next(): Promise<Msg> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((r) => this.waiters.push(r));
  }
  /** Sends a command and returns its reply (events that arrive first are skipped). */
  async execute(cmd: string, args?: Msg): Promise<Msg> {
    this.events.length = 0; // waitEvent() looks only at events caused by this command or later
    this.sock.write(JSON.stringify(args ? { execute: cmd, arguments: args } : { execute: cmd }) + '\n');
    for (;;) {
      const m = await this.next();
      if (!('event' in m)) return m;
    }
  }
  async waitEvent(name: string): Promise<void> {
    for (;;) {
      if (this.events.includes(name)) { this.events.splice(this.events.indexOf(name), 1); return; }
      const m = await this.next();
      if ('event' in m) continue; // recorded in `events` by the reader
      throw new Error(`unexpected reply while waiting for ${name}: ${JSON.stringify(m)}`);
    }
  }
  close(): void { this.sock.destroy(); }
}

async function startReplay(file: string, extra: string[] = []): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'replay', '--rrfile', file, '--qmp', 'tcp:127.0.0.1:0', '--paused', ...extra, ELF], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stdout!.resume();
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d: string) => {
      err += d;
      const m = /QMP listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`replay exited: ${err}`)));
  });
  return { child, port, stderr: () => err };
}

async function recordBenchSmall(name: string): Promise<string> {
  const file = path.join(tmp, name);
  const r = await runProcess(process.execPath, [CLI, 'record', '--rrfile', file, ELF]);
  assert.equal(r.code, 0, r.stderr);
  return file;
}

test('QEMU\'s reverse-debugging scenario over QMP: break at N, stop, seek back to N/2', async () => {
  const file = await recordBenchSmall('scenario.rr');
  const { child, port } = await startReplay(file);
  const q = await Qmp.connect(port);
  try {
    const greeting = await q.next();
    assert.ok('QMP' in greeting);
    assert.deepEqual(await q.execute('query-replay'), { error: { class: 'CommandNotFound', desc: "Expecting capabilities negotiation with 'qmp_capabilities'" } });
    assert.deepEqual(await q.execute('qmp_capabilities'), { return: {} });
    const qr = await q.execute('query-replay');
    assert.deepEqual(qr, { return: { mode: 'play', filename: file, icount: 0 } });
    assert.deepEqual(await q.execute('query-status'), { return: { status: 'paused', singlestep: false, running: false } });
    const N = 20_000_000;
    assert.deepEqual(await q.execute('replay-break', { icount: N }), { return: {} });
    assert.deepEqual(await q.execute('cont'), { return: {} });
    await q.waitEvent('STOP');
    assert.deepEqual(await q.execute('query-replay'), { return: { mode: 'play', filename: file, icount: N } });
    assert.deepEqual(await q.execute('replay-break', { icount: 5 }), { error: { class: 'GenericError', desc: 'cannot set breakpoint at the instruction in the past' } });
    assert.deepEqual(await q.execute('replay-seek', { icount: N / 2 }), { return: {} });
    assert.deepEqual(await q.execute('query-replay'), { return: { mode: 'play', filename: file, icount: N / 2 } });
    assert.deepEqual(await q.execute('no-such-command'), { error: { class: 'CommandNotFound', desc: 'The command no-such-command has not been found' } });
    // Forward to the end of the recording: the guest ends, the VM stops, QMP stays up.
    assert.deepEqual(await q.execute('cont'), { return: {} });
    await q.waitEvent('STOP');
    const end = await q.execute('query-replay');
    assert.ok((end.return as Msg).icount as number > N);
    assert.deepEqual(await q.execute('replay-seek', { icount: 1000 }), { return: {} });
    assert.deepEqual(await q.execute('query-replay'), { return: { mode: 'play', filename: file, icount: 1000 } });
    assert.deepEqual(await q.execute('quit'), { return: {} });
  } finally {
    q.close();
    child.kill(); // no-op when quit already ended it; a failed assertion must not leave it running
    await new Promise((r) => { if (child.exitCode !== null) r(null); else child.on('exit', r); });
  }
});

test('savevm/loadvm/delvm and info snapshots; named snapshots survive a restart', async () => {
  const file = await recordBenchSmall('named.rr');
  {
    const { child, port } = await startReplay(file);
    const q = await Qmp.connect(port);
    await q.next();
    await q.execute('qmp_capabilities');
    await q.execute('replay-break', { icount: 3_000_000 });
    await q.execute('cont');
    await q.waitEvent('STOP');
    assert.deepEqual(await q.execute('human-monitor-command', { 'command-line': 'savevm at3m' }), { return: '' });
    const info = (await q.execute('human-monitor-command', { 'command-line': 'info snapshots' })).return as string;
    assert.match(info, /^List of snapshots present on all disks:\nID\s+TAG\s+VM SIZE\s+DATE\s+VM CLOCK\s+ICOUNT\n1\s+at3m\s+.*\s3000000\n$/);
    assert.deepEqual(await q.execute('human-monitor-command', { 'command-line': 'info replay' }), { return: `Replaying execution '${file}': instruction count = 3000000\n` });
    await q.execute('quit');
    q.close();
    await new Promise((r) => child.on('exit', r));
  }
  // A new process: the snapshot is still there, and loadvm moves the replay to its icount.
  const listed = await runProcess(process.execPath, [CLI, 'snapshots', file]);
  assert.match(listed.stdout, /1\s+at3m\s+.*\s3000000\n$/);
  {
    const { child, port } = await startReplay(file);
    const q = await Qmp.connect(port);
    await q.next();
    await q.execute('qmp_capabilities');
    assert.deepEqual(await q.execute('human-monitor-command', { 'command-line': 'loadvm at3m' }), { return: '' });
    assert.deepEqual(await q.execute('query-replay'), { return: { mode: 'play', filename: file, icount: 3_000_000 } });
    assert.deepEqual(await q.execute('human-monitor-command', { 'command-line': 'loadvm nothere' }), { return: "Error: Snapshot 'nothere' does not exist\n" });
    assert.deepEqual(await q.execute('human-monitor-command', { 'command-line': 'delvm at3m' }), { return: '' });
    assert.match((await q.execute('human-monitor-command', { 'command-line': 'info snapshots' })).return as string, /There is no snapshot available/);
    await q.execute('quit');
    q.close();
    await new Promise((r) => child.on('exit', r));
  }
});

test('a corrupt snapshot file gives a clear error', async () => {
  const file = await recordBenchSmall('corrupt.rr');
  const r0 = await runProcess(process.execPath, [CLI, 'record', '--force', '--rrsnapshot', 'start', '--rrfile', file, ELF]);
  assert.equal(r0.code, 0, r0.stderr);
  const snap = `${file}.snapshots`;
  const b = fs.readFileSync(snap);
  b[b.length >> 1] ^= 0xff;
  fs.writeFileSync(snap, b);
  const r = await runProcess(process.execPath, [CLI, 'replay', '--rrfile', file, '--rrsnapshot', 'start', ELF]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^rvreplay: snapshot file .*corrupt\.rr\.snapshots is damaged: CRC mismatch/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const l = await runProcess(process.execPath, [CLI, 'snapshots', file]);
  assert.equal(l.code, 125);
  assert.match(l.stderr, /is damaged/);
});

test('--qmp binds to loopback by default and rejects bad addresses', async () => {
  const file = await recordBenchSmall('addr.rr');
  const r = await runProcess(process.execPath, [CLI, 'replay', '--rrfile', file, '--qmp', 'bogus', ELF]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /--qmp expects tcp:HOST:PORT/);
  const { child, port } = await startReplay(file);
  const addrs = Object.values(os.networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal);
  if (addrs.length > 0) {
    const s = net.connect(port, addrs[0]!.address);
    const err = await new Promise<string>((res) => { s.once('error', (e: NodeJS.ErrnoException) => res(e.code ?? 'error')); s.once('connect', () => res('connected')); });
    s.destroy();
    assert.notEqual(err, 'connected', 'not reachable from another interface');
  }
  child.kill();
});
