// Record/replay end to end through the CLI: a recording replays to the same output, icount and
// state digest with no host input at all; bad rrfiles get one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, EXAMPLES, runProcess, type RunOptions, type RunResult } from './helpers/run';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-rr-'));
const node = process.execPath;

function cli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(node, [CLI, ...args], opts);
}

interface Summary { icount: number; digest: string }
function recorded(r: RunResult): Summary {
  const m = /recorded .*: icount (\d+), .* final digest (0x[0-9a-f]{8})/.exec(r.stderr);
  assert.ok(m, `record summary in: ${r.stderr}`);
  return { icount: Number(m[1]), digest: m[2] };
}
function replayed(r: RunResult): Summary {
  const m = /replay complete: icount (\d+), \d+ events, final digest (0x[0-9a-f]{8}) matches/.exec(r.stderr);
  assert.ok(m, `replay summary in: ${r.stderr}`);
  return { icount: Number(m[1]), digest: m[2] };
}

async function recordAndReplay(elf: string, extra: string[] = [], recOpts: RunOptions = {}, guestArgs: string[] = []): Promise<{ rec: RunResult; rep: RunResult; file: string }> {
  const file = path.join(tmp, `${path.basename(elf)}-${Math.random().toString(36).slice(2)}.rr`);
  const rec = await cli(['record', '--rrfile', file, ...extra, elf, ...guestArgs], recOpts);
  const rep = await cli(['replay', '--rrfile', file, ...extra, elf, ...guestArgs], { stdin: '' });
  return { rec, rep, file };
}

test('echo.elf: input typed slowly, with pauses, replays byte for byte with stdin closed', async () => {
  const { rec, rep } = await recordAndReplay(path.join(EXAMPLES, 'echo.elf'), [], { stdin: ['he', 'llo\n', 'wo', 'rld\n', 'quit\n'], delayMs: 400 });
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /HELLO #041720b2\nWORLD #c20aa200\nbye sum=c20aa200 instret=\d+\n$/);
  assert.equal(rep.code, 0, rep.stderr);
  assert.equal(rep.stdout, rec.stdout);
  assert.deepEqual(replayed(rep), recorded(rec));
});

test('uart-irq.elf: input that wakes a wfi through the PLIC replays identically', async () => {
  const { rec, rep } = await recordAndReplay(path.join(EXAMPLES, 'uart-irq.elf'), [], { stdin: ['ab\n', 'cd\n', 'q'], delayMs: 300 });
  assert.equal(rec.code, 0, rec.stderr);
  assert.equal(rec.stdout, 'irq ready\nbytes=7 lines=2 sum=b332c551 via interrupts\n');
  assert.equal(rep.stdout, rec.stdout);
  assert.deepEqual(replayed(rep), recorded(rec));
});

test('a guest waiting for input that never comes stops with a message', async () => {
  const r = await cli(['run', path.join(EXAMPLES, 'uart-irq.elf')], { stdin: 'ab' });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /the guest waits for input at icount \d+, but the input has ended; stopping/);
});

test('rtc.elf: the replay prints the recorded host times, not new ones', async () => {
  const { rec, rep } = await recordAndReplay(path.join(EXAMPLES, 'rtc.elf'));
  assert.equal(rec.code, 0, rec.stderr);
  await new Promise((r) => setTimeout(r, 20));
  const live = await cli(['run', path.join(EXAMPLES, 'rtc.elf')]);
  assert.notEqual(live.stdout, rec.stdout, 'a live run reads a different time');
  assert.equal(rep.stdout, rec.stdout);
  assert.deepEqual(replayed(rep), recorded(rec));
});

test('timer.elf: timer interrupts and wfi replay identically', async () => {
  const { rec, rep } = await recordAndReplay(path.join(EXAMPLES, 'timer.elf'));
  assert.match(rec.stdout, /^ticks=50 work-hash=fe97fbe7 instret=\d+\n$/);
  assert.equal(rep.stdout, rec.stdout);
  assert.deepEqual(replayed(rep), recorded(rec));
});

test('semihosting: host time and a host file deleted before the replay', async () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'sh-'));
  fs.writeFileSync(path.join(dir, 'data.txt'), 'recorded host file contents\n');
  const elf = path.join(EXAMPLES, 'semihosting', 'cat.elf');
  const file = path.join(dir, 'cat.rr');
  const rec = await cli(['record', '--rrfile', file, '--semihosting', '--semihosting-root', dir, elf, 'data.txt']);
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /^recorded host file contents\nchecksum=[0-9a-f]{8} time=\d+\n$/);
  fs.rmSync(path.join(dir, 'data.txt'));
  const rep = await cli(['replay', '--rrfile', file, '--semihosting', '--semihosting-root', dir, elf, 'data.txt']);
  assert.equal(rep.code, 0, rep.stderr);
  assert.equal(rep.stdout, rec.stdout);
  assert.deepEqual(replayed(rep), recorded(rec));
  assert.ok(!fs.existsSync(path.join(dir, 'data.txt')), 'the replay touched no host file');
});

test('an existing rrfile is never overwritten without --force', async () => {
  const file = path.join(tmp, 'keep.rr');
  fs.writeFileSync(file, 'precious');
  const r = await cli(['record', '--rrfile', file, path.join(EXAMPLES, 'hello.elf')]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /keep\.rr already exists; pass --force/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'precious');
  const f = await cli(['record', '--force', '--rrfile', file, path.join(EXAMPLES, 'hello.elf')]);
  assert.equal(f.code, 0, f.stderr);
  assert.notEqual(fs.readFileSync(file, 'utf8'), 'precious');
});

test('a bad program leaves no rrfile behind', async () => {
  const file = path.join(tmp, 'never.rr');
  const bad = path.join(tmp, 'bad.elf');
  fs.writeFileSync(bad, 'not an elf at all');
  const r = await cli(['record', '--rrfile', file, bad]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /not an ELF/);
  assert.ok(!fs.existsSync(file));
});

test('replay refuses recordings of another machine and says what differs', async () => {
  const file = path.join(tmp, 'hello.rr');
  const hello = path.join(EXAMPLES, 'hello.elf');
  assert.equal((await cli(['record', '--force', '--rrfile', file, hello])).code, 0);
  const cases: [string[], RegExp][] = [
    [[path.join(EXAMPLES, 'echo.elf')], /cannot replay .*hello\.rr: it was recorded with another program \(hello\.elf/],
    [['--ram', '64', hello], /recorded with --ram 128, not 64/],
    [['--icount-shift', '3', hello], /recorded with --icount-shift 0, not 3/],
    [['--semihosting', hello], /recorded with semihosting off, this is semihosting on/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(['replay', '--rrfile', file, ...args]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

test('not an rrfile, wrong version, damaged header: one-line errors', async () => {
  const hello = path.join(EXAMPLES, 'hello.elf');
  const good = path.join(tmp, 'v.rr');
  assert.equal((await cli(['record', '--force', '--rrfile', good, hello])).code, 0);
  const bytes = fs.readFileSync(good);
  const variants: [string, Buffer, RegExp][] = [
    ['text.rr', Buffer.from('hello world, not a recording'), /text\.rr is not an rrfile \(no RVREPLAY magic at offset 0\)/],
    ['v9.rr', (() => { const b = Buffer.from(bytes); b.writeUInt16LE(9, 8); return b; })(), /v9\.rr: rrfile format version 9, this rvreplay reads version 1/],
    ['hdr.rr', (() => { const b = Buffer.from(bytes); b[20] ^= 0x40; return b; })(), /hdr\.rr: header CRC mismatch at offset \d+/],
    ['short.rr', bytes.subarray(0, 12), /short\.rr: header cut at offset 12/],
  ];
  for (const [name, content, re] of variants) {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, content);
    for (const cmd of [['replay', '--rrfile', f, hello], ['dump', f]]) {
      const r = await cli(cmd);
      assert.equal(r.code, 125, `${cmd[0]} ${name}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  }
});

test('dump prints the header and one line per event', async () => {
  const file = path.join(tmp, 'dump.rr');
  const r = await cli(['record', '--force', '--rrfile', file, path.join(EXAMPLES, 'echo.elf')], { stdin: 'ab\nquit\n' });
  assert.equal(r.code, 0);
  const d = await cli(['dump', file]);
  assert.equal(d.code, 0);
  assert.match(d.stdout, /^# .*dump\.rr: rrfile format 1/);
  assert.match(d.stdout, /program echo\.elf/);
  const events = d.stdout.split('\n').filter((l) => /^\s+\d+\s/.test(l));
  assert.ok(events.some((l) => /uart-rx\s+\d+ bytes? "a/.test(l)), d.stdout);
  assert.match(events[events.length - 1], /end\s+exit, status 0/);
  assert.match(d.stdout, new RegExp(`# ${events.length} events`));
});

test('kill -9 of a recorder leaves an rrfile that replays to its last frame', async () => {
  const elf = path.join(EXAMPLES, 'echo.elf');
  let seed = 7;
  for (let i = 0; i < 3; i++) {
    const file = path.join(tmp, `killed-${i}.rr`);
    const child = spawn(node, [CLI, 'record', '--rrfile', file, elf], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString('latin1'); });
    const typer = setInterval(() => child.stdin.write('x\n'), 100);
    // Kill at a random moment after the guest has taken some input (however slow this machine
    // is), leaving the recorder well over its 50 ms flush interval to have written that input.
    const lines = 2 + (i % 3);
    while ((out.match(/X #/g) ?? []).length < lines) await new Promise((r) => setTimeout(r, 20));
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    await new Promise((r) => setTimeout(r, 400 + (seed % 600)));
    clearInterval(typer);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const rep = await cli(['replay', '--rrfile', file, elf], { stdin: '' });
    assert.equal(rep.code, 125, rep.stderr);
    assert.match(rep.stderr, /(has no end frame \(was the recorder killed\?\)|is cut at offset \d+)/);
    assert.ok(out.startsWith(rep.stdout), 'the replay reproduces what the recording printed up to its last frame');
    assert.match(rep.stdout, /^echo ready\n(X #[0-9a-f]{8}\n)+/, 'input typed before the kill is in the recording');
  }
});
