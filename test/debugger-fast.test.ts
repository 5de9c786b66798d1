// Fast stepping (core/debug/debugger.ts: fastStep, reverseScan) against the one-instruction-at-a-
// time reference (Debugger.singleStep): at many positions of a run, every stepping operation must
// end at the same icount with the same reason. Guests: the debugger fixture (-O0, calls in loops),
// bench-small (-O2, one-line loops of 1e5-1e6 instructions, a call in the loop), timer (-O2, timer
// interrupts taken in the middle of the lines being stepped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { EXAMPLES } from './helpers/run';
import { DebugSession } from './helpers/debug-session';

const DEBUGME = path.join(__dirname, 'fixtures', 'debugger', 'debugme.elf');

type Op = 'next' | 'in' | 'out' | 'nexti' | 'back' | 'backi' | 'rout';

class Session extends DebugSession {
  constructor(program: string) {
    super({ program });
  }

  /** Where `op` from icount `at` ends, fast or one instruction at a time. */
  /** Before each operation (fresh breakpoints: hit counts start again). */
  before: () => void = () => {};

  async outcome(at: number, op: Op, single: boolean): Promise<string> {
    await this.do((d) => d.goto(at));
    this.before();
    this.d.singleStep = single;
    try {
      const s = await this.do((d) => {
        switch (op) {
          case 'next': d.step('next'); break;
          case 'in': d.step('in'); break;
          case 'out': d.step('out'); break;
          case 'nexti': d.step('next', 'instruction'); break;
          case 'back': d.stepBack('line'); break;
          case 'backi': d.stepBack('instruction'); break;
          case 'rout': d.reverseStepOut(); break;
        }
      });
      return `${s.reason} @${s.icount} pc=0x${this.d.pc.toString(16)} ${this.d.currentLine().line ?? '-'}`;
    } finally {
      this.d.singleStep = false;
    }
  }

  fn(): string | undefined {
    return this.d.stack()[0]?.name;
  }
}

function points(count: number, lo: number, hi: number, seed: number): number[] {
  let x = seed >>> 0;
  return Array.from({ length: count }, () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return lo + Math.floor((x / 2 ** 32) * (hi - lo)); });
}

async function compare(s: Session, at: number[], ops: (fn: string | undefined) => Op[], seen?: (r: string) => void): Promise<number> {
  let compared = 0;
  for (const p of at) {
    await s.do((d) => d.goto(p));
    for (const op of ops(s.fn())) {
      const fast = await s.outcome(p, op, false);
      const slow = await s.outcome(p, op, true);
      assert.equal(fast, slow, `${op} from icount ${p}`);
      seen?.(fast);
      compared++;
    }
  }
  return compared;
}

test('debugme: every stepping operation at 150 positions ends where one instruction at a time ends', async () => {
  const s = new Session(DEBUGME);
  const end = await s.runToEnd();
  const at = Array.from({ length: 150 }, (_, i) => 1 + Math.floor((i * (end - 2)) / 150));
  const k = await compare(s, at, () => ['next', 'in', 'out', 'nexti', 'back', 'rout']);
  assert.equal(k, 150 * 6);
});

test('debugme, skipping from the first instruction on (every line and call skipped, windows walked again for skipped calls)', async () => {
  const s = new Session(DEBUGME);
  const end = await s.runToEnd();
  s.d.cheapSteps = 0;
  const at = Array.from({ length: 120 }, (_, i) => 1 + Math.floor((i * (end - 2)) / 120));
  await compare(s, at, () => ['next', 'in', 'out', 'nexti', 'back', 'rout']);
  const st = s.d.fastStats;
  assert.ok(st.skips > 100 && st.calls > 100 && st.rescans > 0, JSON.stringify(st));
});

test('debugme: with breakpoints (one with a condition) inside the calls stepped over', async () => {
  const s = new Session(DEBUGME);
  const end = await s.runToEnd();
  const dbg = s.d.dbg!;
  s.before = () => s.d.setBreakpoints('source:debugme.c', 'source', [
    { pcs: dbg.resolveBreakpoint('debugme.c', 13)!.addresses, condition: 'v == 3', label: 'debugme.c:13' },
    { pcs: dbg.resolveBreakpoint('debugme.c', 19)!.addresses, hitCondition: '3', label: 'debugme.c:19' },
  ]);
  const at = Array.from({ length: 60 }, (_, i) => 1 + Math.floor((i * (end - 2)) / 60));
  const results = new Set<string>();
  await compare(s, at, () => ['next', 'out', 'back', 'rout'], (r) => results.add(r));
  s.d.cheapSteps = 0;
  await compare(s, at.slice(0, 20), () => ['back', 'rout'], (r) => results.add(r));
  await compare(s, at, () => ['next', 'in', 'out'], (r) => results.add(r));
  assert.ok([...results].some((r) => r.startsWith('breakpoint')), 'some steps stop at a breakpoint');
});

test('bench-small: line steps over and back across one-line loops, out of crc32, reverse step out of crc32', async () => {
  const s = new Session(path.join(EXAMPLES, 'bench-small.elf'));
  const end = await s.runToEnd();
  const at = points(8, 1000, end - 1000, 20261201);
  const k = await compare(s, at, (fn) => (fn === 'main' ? ['back', 'next'] : ['back', 'next', 'out', 'rout']));
  assert.ok(k >= 16);
  assert.ok(s.d.fastStats.skips > 0, JSON.stringify(s.d.fastStats));
});

test('timer: stepping while timer interrupts are taken in the middle of the line', async () => {
  const s = new Session(path.join(EXAMPLES, 'timer.elf'));
  const end = await s.runToEnd();
  const at = points(16, 1000, end - 1000, 7);
  const ops = (fn: string | undefined): Op[] => (fn === 'main' ? ['back', 'next', 'nexti'] : ['back', 'next', 'out', 'rout']);
  await compare(s, at, ops);
  assert.ok(s.d.fastStats.traps > 0, JSON.stringify(s.d.fastStats));
  s.d.cheapSteps = 0;
  await compare(s, at.slice(0, 8), ops);
});

test('timer, a breakpoint on the trap vector: a step the interrupt comes in stops at the handler\'s first instruction, as continue does', async () => {
  const s = new Session(path.join(EXAMPLES, 'timer.elf'));
  const end = await s.runToEnd();
  const vector = s.vm.machine.elf.symbols.find((x) => x.name === 'trap_entry')!.value >>> 0;
  s.before = () => s.d.setBreakpoints('instruction', 'instruction', [{ pcs: [vector], label: 'trap vector' }]);
  const at = points(12, 1000, end - 1000, 11);
  const results: string[] = [];
  await compare(s, at, (fn) => (fn === 'main' ? ['next', 'nexti', 'in'] : ['next', 'out']), (r) => results.push(r));
  s.d.cheapSteps = 0;
  await compare(s, at.slice(0, 6), (fn) => (fn === 'main' ? ['next'] : ['next', 'out']), (r) => results.push(r));
  const hits = results.filter((r) => r.startsWith(`instruction breakpoint`));
  assert.ok(hits.length >= 6, results.join('\n'));
  assert.ok(hits.every((r) => r.includes(`pc=0x${vector.toString(16)}`)), hits.join('\n'));
  // Backwards: a step back over a stretch an interrupt came in stops at the handler's first
  // instruction, the trap taken, as reverse continue does.
  const back: string[] = [];
  s.d.cheapSteps = 64;
  await compare(s, at, () => ['back', 'rout'], (r) => back.push(r));
  s.d.cheapSteps = 0;
  await compare(s, at.slice(0, 6), () => ['back'], (r) => back.push(r));
  const backHits = back.filter((r) => r.startsWith(`instruction breakpoint`));
  assert.ok(backHits.length >= 4, back.join('\n'));
  assert.ok(backHits.every((r) => r.includes(`pc=0x${vector.toString(16)}`)), backHits.join('\n'));
  await s.do((d) => d.goto(at[0]));
  s.before();
  const st = await s.do((d) => d.stepBack('line'));
  if (st.reason === 'instruction breakpoint') {
    assert.equal(s.d.pc >>> 0, vector);
    assert.match(s.d.formatValue(s.d.evaluateValue('$mcause')), /0x80000007|-2147483641/, 'a machine timer interrupt, taken');
  }
});

test('bench-small: step backs repeated at the same positions translate no new code (runs start inside translated blocks)', async () => {
  const s = new Session(path.join(EXAMPLES, 'bench-small.elf'));
  const end = await s.runToEnd();
  const at = points(6, 1000, end - 1000, 5);
  const stepBacks = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const p of at) {
      await s.do((d) => d.goto(p));
      const st = await s.do((d) => d.stepBack('line'));
      out.push(`${st.reason}@${st.icount}`);
    }
    return out;
  };
  const first = await stepBacks();
  const jit = s.vm.machine.hart.jit;
  const regions = jit.stats.regions;
  // More passes than the JIT's visits before translating (16): a run starting at the same
  // position inside a block every time must not count as a visit there.
  for (let pass = 0; pass < 20; pass++) assert.deepEqual(await stepBacks(), first);
  assert.equal(jit.stats.regions - regions, 0, 'regions translated by the repeated step backs');
});

test('a jump in time leaves a snapshot 4096 instructions before where it lands, so stepping back from there replays little', async () => {
  const s = new Session(path.join(EXAMPLES, 'bench-small.elf'));
  const end = await s.runToEnd();
  const mid = s.d.snapshots().find((x) => x.icount >= end / 2)!.icount;
  const t = mid + 100_000;
  const before = s.d.snapshots().filter((x) => x.icount <= t).at(-1)!.icount;
  assert.ok(t - before > 1 << 15, 'no snapshot near the target yet');
  await s.do((d) => d.goto(t));
  const autos = s.d.snapshots().map((x) => x.icount);
  assert.ok(autos.includes(t - 4096), 'settle snapshot');
  assert.ok(!autos.some((a) => a > t - 4096 && a <= t), 'no other one needed at the stop');
  const st = await s.do((d) => d.stepBack('instruction'));
  assert.equal(st.icount, t - 1);
});
