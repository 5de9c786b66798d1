// Fault injection on rrfiles: every truncation point of a small recording, and hundreds of
// random byte flips, must each end in a clean (partial) replay or a clear one-line error: never
// an exception of another kind, never a run that does not stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, EXAMPLES, runProcess } from './helpers/run';
import { VirtMachine } from '../core/machine/virt';
import { Gate, ReplayStop } from '../core/replay/gate';
import { RrReader, RrFileError } from '../core/replay/rrfile';

const ELF = path.join(EXAMPLES, 'semihosting', 'cat.elf');
const elfBytes = fs.readFileSync(ELF);
const RAM_MIB = 4;

async function makeRecording(): Promise<{ bytes: Uint8Array; icount: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-faults-'));
  fs.writeFileSync(path.join(dir, 'in.txt'), 'fault injection input\n'.repeat(20));
  const file = path.join(dir, 'cat.rr');
  const r = await runProcess(process.execPath, [CLI, 'record', '--rrfile', file, '--ram', String(RAM_MIB), '--semihosting', '--semihosting-root', dir, ELF, 'in.txt']);
  assert.equal(r.code, 0, r.stderr);
  const bytes = fs.readFileSync(file);
  return { bytes, icount: RrReader.fromBytes(file, bytes).lastIcount() };
}

type Outcome = 'complete' | 'stopped' | 'rejected';

/** Replays `bytes` in-process; returns how it ended, asserting it ended properly. */
function replay(bytes: Uint8Array, budget: number): Outcome {
  let reader: RrReader;
  try {
    reader = RrReader.fromBytes('cat.rr', bytes);
  } catch (e) {
    assert.ok(e instanceof RrFileError, `unexpected ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return 'rejected';
  }
  const gate = Gate.replay(reader);
  const machine = new VirtMachine(elfBytes, 'cat.elf', { ramMiB: RAM_MIB, gate, semihosting: { root: '/nonexistent', cmdline: 'cat.elf in.txt' } });
  machine.onOutput = () => {};
  const stop = machine.run(budget);
  assert.notEqual(stop.kind, 'limit', 'the replay stopped by itself');
  if (stop.kind === 'replay-stop') {
    assert.ok(!stop.stop.message.includes('\n'), 'one line');
    assert.match(stop.stop.message, /cut at offset|corrupt|diverged|no end frame|malformed payload|end of recording/);
    return 'stopped';
  }
  assert.equal(stop.kind, 'exit');
  try {
    gate.finish('exit', stop.kind === 'exit' ? stop.code : 0);
  } catch (e) {
    assert.ok(e instanceof ReplayStop, `unexpected ${String(e)}`);
    return 'stopped';
  }
  return 'complete';
}

test('every truncation point of a recording replays cleanly or is rejected', async () => {
  const rec = await makeRecording();
  assert.equal(replay(rec.bytes, rec.icount + 1_000_000), 'complete', 'the whole file replays');
  const seen = new Set<Outcome>();
  for (let cut = 0; cut < rec.bytes.length; cut++) {
    const o = replay(rec.bytes.subarray(0, cut), rec.icount + 1_000_000);
    assert.notEqual(o, 'complete', `cut at ${cut} cannot replay to the end`);
    seen.add(o);
  }
  assert.deepEqual([...seen].sort(), ['rejected', 'stopped']);
});

test('random byte flips are caught (CRC, header) and never crash or hang', async () => {
  const rec = await makeRecording();
  let seed = 0x2545f491;
  const rand = (n: number): number => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };
  const counts: Record<Outcome, number> = { complete: 0, stopped: 0, rejected: 0 };
  for (let i = 0; i < 300; i++) {
    const b = Uint8Array.from(rec.bytes);
    const at = rand(b.length);
    b[at] ^= 1 << rand(8);
    counts[replay(b, rec.icount + 1_000_000)]++;
  }
  assert.equal(counts.complete, 0, 'no flipped file passes as intact');
  assert.ok(counts.stopped > 0 && counts.rejected > 0, JSON.stringify(counts));
});
