// Continue, reverse continue and stepping with watchpoints at full speed (the hart's watchpoint hook, see
// Hart.setWatchpoints and Debugger.hartWatchHit / reverseToBreakpoint) against the one-
// instruction-at-a-time reference (Debugger.singleStep): from several positions, a series of
// continues (and of reverse continues) must stop at the same icounts and pcs, with the same
// reasons, descriptions and ids, for write (the bytes change: stores of the same value do not
// count), read and readWrite watchpoints, with conditions and hit counts, together with
// breakpoints on the accessing instruction and on the one after it (where a watchpoint stop
// lands). Stepping (over, into, out of lines) with watchpoints set must stop where the reference
// stops too: at the step's end, or at a watchpoint hit on the way. Guests: the debugger fixture (-O0), bughunt (-O0) and bench-small (-O2: the sieve
// stores the same byte again and again, byte loops of 1e5 instructions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { WatchSpec, BreakpointSpec } from '../core/debug/debugger';
import { EXAMPLES } from './helpers/run';
import { DebugSession } from './helpers/debug-session';

const DEBUGME = path.join(__dirname, 'fixtures', 'debugger', 'debugme.elf');

class Session extends DebugSession {
  /** Stops of the machine at a hart watchpoint (the fast path was taken). */
  hartWatchStops = 0;

  constructor(program: string) {
    super({ program });
    const m = this.vm.machine;
    const run = m.run.bind(m);
    m.run = (limit: number) => {
      const s = run(limit);
      if (s.kind === 'watchpoint') this.hartWatchStops++;
      return s;
    };
  }

  symbol(name: string): number {
    const s = this.d.machine.elf.symbols.find((x) => x.name === name);
    assert.ok(s !== undefined, `symbol ${name}`);
    return s.value >>> 0;
  }
}

interface Scenario {
  name: string;
  watches: WatchSpec[];
  breaks?: BreakpointSpec[];
}

/** Continues, reverse continues, step series (STEPS) or step-back series (BACKS). */
type Dir = 'fwd' | 'rev' | 'step' | 'back';

const STOPS = new Set(['data breakpoint', 'breakpoint', 'instruction breakpoint', 'function breakpoint', 'step']);

/** The steps of a 'step' series, in turn. */
const STEPS: ((d: DebugSession['d']) => void)[] = [
  (d) => d.step('next'), (d) => d.step('next'), (d) => d.step('in'), (d) => d.step('next'),
  (d) => d.step('out'), (d) => d.step('next'), (d) => d.step('in'), (d) => d.step('next'),
];

/** The steps of a 'back' series: Step Back (line) and the reverse step out, which stop at hits on the way. */
const BACKS: ((d: DebugSession['d']) => void)[] = [
  (d) => d.stepBack('line'), (d) => d.stepBack('line'), (d) => d.stepBack('line'), (d) => d.reverseStepOut(),
];

/**
 * `count` continues (or reverse continues) from `at` with the scenario's watchpoints and
 * breakpoints set afresh (hit counts from 0), fast or one instruction at a time.
 */
async function series(s: Session, sc: Scenario, at: number, dir: Dir, count: number, single: boolean): Promise<string[]> {
  await s.do((d) => d.goto(at));
  s.d.setBreakpoints('instruction', 'instruction', sc.breaks ?? []);
  const ws = s.d.setWatchpoints(sc.watches);
  const labels = new Map<number, string>([...ws.map((w) => [w.id, w.label] as const), ...s.d.allBreakpoints().map((b) => [b.id, b.label] as const)]);
  s.d.singleStep = single;
  const out: string[] = [];
  try {
    for (let k = 0; k < count; k++) {
      const st = await s.do((d) => (dir === 'fwd' ? d.continue() : dir === 'rev' ? d.reverseContinue() : dir === 'back' ? BACKS[k % BACKS.length](d) : STEPS[k % STEPS.length](d)));
      out.push(`${st.reason} @${st.icount} pc=0x${s.d.pc.toString(16)} [${st.breakpointIds.map((id) => labels.get(id) ?? `?${id}`).join(',')}] ${st.description}${st.text !== undefined ? ` (${st.text})` : ''}`);
      if (!STOPS.has(st.reason)) break;
    }
    out.push(`hits ${ws.map((w) => `${w.label}=${w.hits}`).join(' ')} ${s.d.allBreakpoints().map((b) => `${b.label}=${b.hits}`).join(' ')}`);
  } finally {
    s.d.singleStep = false;
    s.d.setBreakpoints('instruction', 'instruction', []);
    s.d.setWatchpoints([]);
  }
  return out;
}

/** Compares both paths; returns the reference's stops (for the caller's checks). */
async function compare(s: Session, sc: Scenario, at: number, dir: Dir, count: number): Promise<string[]> {
  const before = s.hartWatchStops;
  const slow = await series(s, sc, at, dir, count, true);
  assert.equal(s.hartWatchStops, before, 'the reference runs without the hart watchpoint hook');
  const fast = await series(s, sc, at, dir, count, false);
  assert.deepEqual(fast, slow, `${sc.name}, ${dir} from icount ${at}`);
  if ((dir === 'fwd' || dir === 'rev') && slow.some((l) => l.startsWith('data breakpoint'))) assert.ok(s.hartWatchStops > before, `${sc.name}: the fast path stopped at hart watchpoints`);
  return slow;
}

/** compare() for every scenario, from each starting point of each direction; the number of stops compared. */
async function compareAll(s: Session, scenarios: Scenario[], from: Record<Dir, number[]>, count: Record<Dir, number>): Promise<number> {
  let stops = 0;
  for (const sc of scenarios) {
    for (const dir of ['fwd', 'rev', 'step', 'back'] as const) {
      for (const at of from[dir]) stops += (await compare(s, sc, at, dir, count[dir])).length;
    }
  }
  return stops;
}

/**
 * Breakpoints on the instructions around the first stops of a write watchpoint (one instruction
 * at a time): on the store itself, and on the instruction after it, where the watchpoint stop
 * lands.
 */
async function aroundStores(s: Session, w: WatchSpec, from: number, count: number): Promise<{ store: number[]; after: number[] }> {
  await s.do((d) => d.goto(from));
  s.d.setWatchpoints([w]);
  s.d.singleStep = true;
  const store: number[] = [];
  const after: number[] = [];
  try {
    for (let k = 0; k < count; k++) {
      const st = await s.do((d) => d.continue());
      if (st.reason !== 'data breakpoint') break;
      after.push(s.d.pc);
      store.push(s.d.peekAt(st.icount - 1, () => s.d.pc));
    }
  } finally {
    s.d.singleStep = false;
    s.d.setWatchpoints([]);
  }
  assert.ok(store.length > 0, 'the watchpoint stops');
  return { store: [...new Set(store)], after: [...new Set(after)] };
}

const ins = (pc: number, extra: Partial<BreakpointSpec> = {}): BreakpointSpec => ({ pcs: [pc], label: `0x${pc.toString(16)}${extra.condition !== undefined ? '?' : ''}${extra.hitCondition ?? ''}`, ...extra });

test('debugme: write, read and readWrite watchpoints with conditions, hit counts and breakpoints, forwards and backwards', async () => {
  const s = new Session(DEBUGME);
  const end = await s.runToEnd();
  const total = s.symbol('g_total');
  const guard = s.symbol('g_guard');
  const values = s.symbol('g_values');
  const origin = s.symbol('g_origin');
  const wTotal: WatchSpec = { addr: total, size: 4, access: 'write', label: 'g_total' };
  const around = await aroundStores(s, wTotal, 0, 10);
  const aroundGuard = await aroundStores(s, { addr: guard, size: 4, access: 'write', label: 'g_guard' }, 0, 10);
  const scenarios: Scenario[] = [
    { name: 'write', watches: [wTotal] },
    { name: 'write with a condition and a hit count, read, readWrite with a hit count', watches: [
      { ...wTotal, condition: 'g_total > 4', hitCondition: '%2' },
      { addr: guard, size: 4, access: 'read', label: 'g_guard read' },
      { addr: values + 4, size: 8, access: 'readWrite', label: 'g_values[1..2]', hitCondition: '>1' },
      { addr: origin, size: 8, access: 'read', label: 'g_origin' },
    ] },
    { name: 'breakpoints on the stores and after them', watches: [wTotal, { addr: guard, size: 4, access: 'write', label: 'g_guard' }],
      breaks: [...around.store.map((pc) => ins(pc)), ...around.after.map((pc) => ins(pc)), ...aroundGuard.after.map((pc) => ins(pc))] },
    { name: 'watchpoints whose condition fails, breakpoints after the stores (hit after the failed watchpoint)', watches: [
      { ...wTotal, access: 'readWrite', condition: '$icount % 3 == 0' },
      { addr: values, size: 16, access: 'write', label: 'g_values', condition: 'g_values[1] == 20' },
    ], breaks: [...around.after.map((pc) => ins(pc, { hitCondition: '%2' })), ...around.store.map((pc) => ins(pc, { condition: '$icount % 2 == 0' }))] },
  ];
  const stops = await compareAll(s, scenarios, { fwd: [0, 300], rev: [end, 760], step: [0, 300], back: [end - 1, 760] }, { fwd: 12, rev: 12, step: 16, back: 12 });
  assert.ok(stops > 100, `${stops} stops compared`);
});

test('bughunt: the out-of-bounds write, the readings read back, and breakpoints around the stores', async () => {
  const s = new Session(path.join(EXAMPLES, 'bughunt.elf'));
  const end = await s.runToEnd();
  const readings = s.symbol('readings');
  const max = s.symbol('g_max_temp');
  const alarms = s.symbol('g_alarms');
  const wMax: WatchSpec = { addr: max, size: 4, access: 'write', label: 'g_max_temp' };
  const around = await aroundStores(s, { addr: readings, size: 32, access: 'write', label: 'readings' }, 0, 10);
  const scenarios: Scenario[] = [
    { name: 'write on the corrupted global', watches: [wMax] },
    { name: 'readWrite readings, read g_max_temp, write g_alarms with a condition', watches: [
      { addr: readings + 8, size: 12, access: 'readWrite', label: 'readings[2..4]', hitCondition: '%3' },
      { addr: max, size: 4, access: 'read', label: 'g_max_temp read', condition: '$icount % 2 == 1' },
      { addr: alarms, size: 4, access: 'write', label: 'g_alarms', condition: 'g_alarms > 1' },
    ] },
    { name: 'breakpoints on the stores and after them', watches: [{ addr: readings, size: 32, access: 'write', label: 'readings', hitCondition: '>2' }, wMax],
      breaks: [...around.store.map((pc) => ins(pc, { condition: '$icount % 5 != 0' })), ...around.after.map((pc) => ins(pc))] },
  ];
  const mid = Math.floor(end / 2);
  const stops = await compareAll(s, scenarios, { fwd: [0, mid], rev: [end, mid], step: [0, mid], back: [end - 1, mid] }, { fwd: 12, rev: 12, step: 16, back: 12 });
  assert.ok(stops > 60, `${stops} stops compared`);
});

test('bench-small: the sieve stores the same bytes again (a write watchpoint ignores them, readWrite does not), reads in hot loops', async () => {
  const s = new Session(path.join(EXAMPLES, 'bench-small.elf'));
  const end = await s.runToEnd();
  const sieve = s.symbol('sieve');
  const buf = s.symbol('buf');
  const wSieve: WatchSpec = { addr: sieve + 100, size: 4, access: 'write', label: 'sieve[100..103]' };
  const around = await aroundStores(s, wSieve, 2_000_000, 6);
  const scenarios: Scenario[] = [
    { name: 'write: only changes', watches: [wSieve] },
    { name: 'readWrite: every store, a hit count; read in the crc loop with a condition', watches: [
      { ...wSieve, access: 'readWrite', label: 'sieve rw', hitCondition: '%4' },
      { addr: buf + 10, size: 2, access: 'read', label: 'buf[10..11]', condition: '$icount % 2 == 0' },
    ] },
    { name: 'breakpoints on the stores and after them', watches: [wSieve], breaks: [...around.store.map((pc) => ins(pc, { hitCondition: '%50' })), ...around.after.map((pc) => ins(pc, { condition: '$icount % 7 == 0' }))] },
  ];
  const points = [2_000_000, Math.floor(end / 2)];
  await compareAll(s, scenarios, { fwd: points, rev: points.map((at) => at + 1_500_000), step: points, back: [points[0] + 1_500_000] }, { fwd: 8, rev: 8, step: 10, back: 4 });
});
