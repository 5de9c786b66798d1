// The block JIT against the interpreter (the reference): every example guest and ISA test
// program runs on two machines, one with the JIT and one without, stopped at the same icounts
// (fine steps, coarse steps, and odd steps that split blocks everywhere); at each stop the hart
// state, the RAM written since the last stop, the dirty-page flags, the guest's output and the
// sequence of points where execute() returned to the machine must be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtMachine, type MachineOptions, type StopReason } from '../core/machine/virt';
import { Gate } from '../core/replay/gate';
import { HostClock } from '../core/replay/host-clock';
import { PAGE_SHIFT, PAGE_SIZE } from '../core/mem/ram';
import { ROOT, EXAMPLES } from './helpers/run';

/** Host time frozen, so that the two machines read the same RTC and semihosting clock. */
class FrozenClock extends HostClock {
  override wallNs(): bigint { return 1_700_000_000_123_456_789n; }
  override monotonicNs(): bigint { return 42_000_000n; }
}

interface Side { m: VirtMachine; out: number[]; returns: number[]; dir: string }

function side(elf: string, jit: boolean, opts: Omit<Guest, 'elf'>, ramMiB: number): Side {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-jit-'));
  for (const [name, text] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(dir, name), text);
  const mo: MachineOptions = { gate: Gate.none(new FrozenClock()), ramMiB };
  if (opts.semihosting) mo.semihosting = { root: dir, cmdline: [path.basename(elf), ...(opts.args ?? [])].join(' ') };
  const m = new VirtMachine(fs.readFileSync(elf), elf, mo);
  m.hart.useJit = jit;
  const s: Side = { m, out: [], returns: [], dir };
  m.onOutput = (b) => { for (const x of b) s.out.push(x); };
  // Where execute() hands control back to the machine matters to replay: log every return.
  const hart = m.hart;
  const execute = hart.execute.bind(hart);
  hart.execute = (limit: number) => {
    const ex = execute(limit);
    s.returns.push(hart.icount, hart.pc, ex);
    return ex;
  };
  if (opts.input !== undefined) {
    m.gate.queueConsoleInput(Buffer.from(opts.input, 'latin1'));
    m.gate.closeConsoleInput();
  }
  return s;
}

function compare(a: Side, b: Side, where: string): void {
  assert.deepEqual(a.m.hart.save(), b.m.hart.save(), `hart state ${where}`);
  assert.equal(a.m.hart.irqLines, b.m.hart.irqLines, `irq lines ${where}`);
  assert.deepEqual(a.returns, b.returns, `execute() returns ${where}`);
  a.returns.length = 0; b.returns.length = 0;
  assert.deepEqual(Buffer.from(a.out), Buffer.from(b.out), `output ${where}`);
  const ra = a.m.ram, rb = b.m.ram;
  assert.ok(Buffer.from(ra.dirty).equals(Buffer.from(rb.dirty)), `dirty pages ${where}`);
  for (let p = 0; p < ra.dirty.length; p++) {
    if (ra.dirty[p] === 0) continue;
    const lo = p << PAGE_SHIFT;
    if (!Buffer.from(ra.buffer, lo, PAGE_SIZE).equals(Buffer.from(rb.buffer, lo, PAGE_SIZE))) {
      assert.fail(`RAM page 0x${(0x80000000 + lo).toString(16)} differs ${where}`);
    }
  }
  ra.clearDirty(); rb.clearDirty();
}

/**
 * Runs both sides in lockstep: steps from `steps` (cycled) while below `fineUntil`, then `coarse`.
 * Returns the final stop and the number of checkpoints.
 */
function lockstep(a: Side, b: Side, steps: number[], fineUntil: number, coarse: number, maxIcount = 200_000_000): { stop: StopReason; checks: number } {
  let target = 0;
  let i = 0;
  let checks = 0;
  for (;;) {
    target += a.m.hart.icount < fineUntil ? steps[i++ % steps.length] : coarse;
    const sa = a.m.run(target);
    const sb = b.m.run(target);
    const where = `at icount ${a.m.hart.icount} (target ${target})`;
    assert.deepEqual(sa, sb, `stop reason ${where}`);
    compare(a, b, where);
    checks++;
    if (sa.kind === 'input') {
      a.m.gate.closeConsoleInput(); b.m.gate.closeConsoleInput();
      continue;
    }
    if (sa.kind !== 'limit') return { stop: sa, checks };
    if (target >= maxIcount) return { stop: sa, checks };
  }
}

interface Guest {
  elf: string; semihosting?: boolean; args?: string[];
  /** Console input, all there from the start (then closed). */
  input?: string;
  /** Files to put in the semihosting root first. */
  files?: Record<string, string>;
}

const GUESTS: Guest[] = [
  ...['hello', 'bench-small', 'timer', 'rtc', 'bughunt'].map((n) => ({ elf: path.join(EXAMPLES, `${n}.elf`) })),
  { elf: path.join(EXAMPLES, 'echo.elf'), input: 'hello\nworld\nquit\n' },
  { elf: path.join(EXAMPLES, 'uart-irq.elf'), input: 'hello\nworld\nq' },
  { elf: path.join(EXAMPLES, 'semihosting', 'hello.elf'), semihosting: true },
  { elf: path.join(EXAMPLES, 'semihosting', 'files.elf'), semihosting: true, args: ['one', 'two'] },
  { elf: path.join(EXAMPLES, 'semihosting', 'cat.elf'), semihosting: true, args: ['input.txt'], files: { 'input.txt': 'one line\nand another\n' } },
  ...fs.readdirSync(path.join(ROOT, 'test', 'isa')).filter((f) => f.endsWith('.elf')).sort().map((f) => ({ elf: path.join(ROOT, 'test', 'isa', f) })),
];

test('every example guest is in the differential test', () => {
  // bench.elf is bench-small.elf with 10 times the rounds (and guests-diff runs it, JIT on, against QEMU).
  const elfs = [...fs.readdirSync(EXAMPLES), ...fs.readdirSync(path.join(EXAMPLES, 'semihosting')).map((f) => `semihosting/${f}`)]
    .filter((f) => f.endsWith('.elf') && f !== 'bench.elf');
  for (const f of elfs) assert.ok(GUESTS.some((g) => g.elf === path.join(EXAMPLES, f)), `${f} is missing from GUESTS`);
});

for (const g of GUESTS) {
  const name = path.relative(ROOT, g.elf);
  test(`${name}: JIT and interpreter agree at every checkpoint`, () => {
    // Small RAM keeps the per-checkpoint work small; 12 MiB is not a power of two (the JIT's
    // other RAM bounds check).
    const schedules: { what: string; steps: number[]; fineUntil: number; coarse: number; ramMiB: number }[] = [
      { what: 'steps of 997, then 100003', steps: [997], fineUntil: 2_000_000, coarse: 100_003, ramMiB: 16 },
      // Odd little steps: stops land in the middle of nearly every block.
      { what: 'odd steps', steps: [1, 2, 3, 5, 7, 11, 13, 1, 1, 17, 4, 6], fineUntil: 30_000, coarse: 100_003, ramMiB: 12 },
    ];
    for (const sc of schedules) {
      const a = side(g.elf, true, g, sc.ramMiB);
      const b = side(g.elf, false, g, sc.ramMiB);
      try {
        const { stop, checks } = lockstep(a, b, sc.steps, sc.fineUntil, sc.coarse);
        assert.ok(checks > 1 || stop.kind !== 'limit', `${sc.what}: ran`);
        assert.notEqual(stop.kind, 'limit', `${sc.what}: the guest finished (${JSON.stringify(stop)})`);
        assert.ok(Buffer.from(a.m.ram.buffer).equals(Buffer.from(b.m.ram.buffer)), `${sc.what}: all of RAM at the end`);
        assert.equal(a.m.exitCode, b.m.exitCode);
        assert.ok(a.m.hart.jit.stats.regions > 0, 'the JIT compiled something');
        assert.equal(b.m.hart.jit.stats.regions, 0, 'the interpreter side never used the JIT');
      } finally {
        fs.rmSync(a.dir, { recursive: true, force: true });
        fs.rmSync(b.dir, { recursive: true, force: true });
      }
    }
  });
}
