// Snapshots and seeking: restoring a snapshot and running on gives exactly the state a straight
// run gives at every later icount. 1000 random seeks, forwards and backwards, in a recording of
// bench-small.elf each land on the straight run's state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXAMPLES } from './helpers/run';
import { VirtMachine } from '../core/machine/virt';
import { Gate } from '../core/replay/gate';
import { RrReader, RrWriter, identityHash, type RecordingConfig } from '../core/replay/rrfile';
import { hartDigest } from '../core/replay/digest';
import { crc32 } from '../core/replay/crc32';
import { TimeTravel, TravelError } from '../core/debug/time-travel';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-seek-'));
const RAM_MIB = 4;

function config(elf: Uint8Array): RecordingConfig {
  const id = { elf: { name: 'x.elf', size: elf.length, sha256: 'test' }, ramMiB: RAM_MIB, icountShift: 0, devices: [], semihosting: null };
  return { ...id, configHash: identityHash(id), digestInterval: 1 << 22, recordedAt: '', recorder: 'test' };
}

/** Records `elf` in-process to a file; returns the file and the final icount. */
function record(elf: Uint8Array, name: string, input: string[] = []): { file: string; icount: number } {
  const file = path.join(tmp, `${name}.rr`);
  const gate = Gate.record();
  const m = new VirtMachine(elf, name, { ramMiB: RAM_MIB, gate });
  gate.startRecording(RrWriter.create(file, config(elf), true));
  let n = 0;
  for (;;) {
    if (n < input.length && m.hart.icount > (n + 1) * 50_000) gate.queueConsoleInput(Buffer.from(input[n++]));
    const stop = m.run(m.hart.icount + 10_000);
    if (stop.kind === 'exit') { gate.finish('exit', stop.code); break; }
  }
  return { file, icount: m.hart.icount };
}

function replayMachine(elf: Uint8Array, name: string, file: string): VirtMachine {
  return new VirtMachine(elf, name, { ramMiB: RAM_MIB, gate: Gate.replay(RrReader.open(file)) });
}

/** Hart, devices and the RAM the guest uses. */
function stateDigest(m: VirtMachine): string {
  const s = m.saveState();
  const devices = crc32(Buffer.from(JSON.stringify([s.clint, s.uart, s.rtc, s.warpNs, s.gate.reader, s.gate.lastFrameIcount])));
  return `${hartDigest(m.hart).toString(16)}:${crc32(m.ram.u8, 0, 256 * 1024).toString(16)}:${devices.toString(16)}`;
}

test('1000 random seeks in a recording of bench-small.elf land on the straight run\'s state', () => {
  const elf = fs.readFileSync(path.join(EXAMPLES, 'bench-small.elf'));
  const rec = record(elf, 'bench-small.elf');
  let seed = 12345;
  const rand = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return Math.floor((seed / 2 ** 32) * n); };
  const targets = Array.from({ length: 1000 }, () => rand(rec.icount));
  // The straight run: one pass, sampling the state at each target in order.
  const straight = new Map<number, string>();
  const m1 = replayMachine(elf, 'bench-small.elf', rec.file);
  for (const t of [...new Set(targets)].sort((a, b) => a - b)) {
    assert.equal(m1.run(t).kind, 'limit');
    assert.equal(m1.hart.icount, t);
    straight.set(t, stateDigest(m1));
  }
  // Now seek in random order with snapshots.
  const m2 = replayMachine(elf, 'bench-small.elf', rec.file);
  const tt = new TimeTravel(m2, { interval: 1 << 18 });
  let backwards = 0;
  for (const t of targets) {
    if (t < tt.icount) backwards++;
    tt.seek(t);
    assert.equal(m2.hart.icount, t);
    assert.equal(stateDigest(m2), straight.get(t), `state after seeking to ${t}`);
  }
  assert.ok(backwards > 300, `${backwards} of the seeks went backwards`);
  assert.ok(tt.autos.list.length > 10, 'automatic snapshots were taken');
});

test('snapshots keep device state and the log position: echo input replays after a seek back', () => {
  const elf = fs.readFileSync(path.join(EXAMPLES, 'echo.elf'));
  const rec = record(elf, 'echo.elf', ['hello\n', 'world\n', 'quit\n']);
  const m = replayMachine(elf, 'echo.elf', rec.file);
  const tt = new TimeTravel(m, { interval: 20_000 });
  let out = '';
  tt.onOutput = (b) => { out += Buffer.from(b).toString('latin1'); };
  const first = tt.run(Infinity);
  assert.equal(first.kind, 'exit');
  const full = out;
  assert.match(full, /HELLO #041720b2\nWORLD #c20aa200\nbye/);
  // Back to the middle, forward again: same end state, and no output repeated.
  const end = stateDigest(m);
  tt.seek(Math.floor(rec.icount / 2));
  const again = tt.run(Infinity);
  assert.equal(again.kind, 'exit');
  assert.equal(stateDigest(m), end);
  assert.equal(out, full, 'output is not shown twice');
});

test('seek errors are QEMU\'s', () => {
  const elf = fs.readFileSync(path.join(EXAMPLES, 'hello.elf'));
  const live = new TimeTravel(new VirtMachine(elf, 'hello.elf', { ramMiB: RAM_MIB }));
  assert.throws(() => live.seek(10), (e: unknown) => e instanceof TravelError && e.message === 'replay must be enabled to seek');
  assert.throws(() => live.setBreak(10), /setting the breakpoint is allowed only in play mode/);
  const rec = record(elf, 'hello.elf');
  const tt = new TimeTravel(replayMachine(elf, 'hello.elf', rec.file));
  tt.seek(1000);
  assert.throws(() => tt.setBreak(10), /cannot set breakpoint at the instruction in the past/);
  assert.throws(() => tt.seek(rec.icount + 100), /cannot seek to the specified instruction count/);
});

test('automatic snapshots stay under their memory budget', () => {
  const elf = fs.readFileSync(path.join(EXAMPLES, 'bench-small.elf'));
  const rec = record(elf, 'bench-small-budget.elf');
  const m = replayMachine(elf, 'bench-small-budget.elf', rec.file);
  const tt = new TimeTravel(m, { interval: 1 << 14, budgetMiB: 1 });
  assert.equal(tt.run(Infinity).kind, 'exit');
  assert.ok(tt.autos.bytes <= 1024 * 1024, `${tt.autos.bytes} bytes`);
  assert.ok(tt.autos.dropped > 0, 'thinning happened');
  assert.ok(tt.autos.interval > 1 << 14, 'the interval grew');
  // Thinned with distance: the newest gap is no wider than the widest gap in the older half.
  const l = tt.autos.list.map((s) => s.icount);
  assert.ok(l.length >= 4, `snapshots ${l.join(',')}`);
  const gaps = l.slice(1).map((x, i) => x - l[i]);
  const olderWidest = Math.max(...gaps.slice(0, Math.ceil(gaps.length / 2)));
  assert.ok(gaps[gaps.length - 1] <= olderWidest, `snapshots ${l.join(',')}`);
});
