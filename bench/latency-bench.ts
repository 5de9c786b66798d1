// Interactive and time-travel latency as the user feels it: the built adapter (dist/adapter.js)
// driven over DAP, each figure timed from the request to the `stopped` event it causes, side by
// side with QEMU + gdb (bench/qemu-gdb.ts) in the same run. Issues 5 and 7 set the goals:
// stepBack ≤ 20 ms p99 at random points of a 1e9-instruction recording, reverseContinue across
// 3e8 instructions ≤ 1.5 s, seek ≤ 50 ms median, F5 to first stop ≤ 1 s, a step ≤ 50 ms.
// docs/performance.md ("Latency") says how each figure is taken.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TimedDap, TimeoutError } from './dap-timer';
import { benchElf1e9, type Workload } from './bench-elf';
import { measureQemuGdb, type GdbFigures } from './qemu-gdb';
import { snapshotMemory, type SnapshotMemory } from './snapshot-memory';

export interface LatencyOptions {
  /** Random points for stepBack (instruction) and goto; stepBack (line); `next` steps. */
  stepBacks: number; lineStepBacks: number; nexts: number;
  /** Time budget for the `next` series (each side), ms. */
  nextBudgetMs: number;
  /** Limit for one continue / reverseContinue across 3e8 instructions, ms. */
  limitMs: number;
  f5Runs: number;
  /** Distance of the continue / reverseContinue figures, instructions. */
  distance: number;
  haveQemu: boolean;
}

export function latencyOptions(haveQemu: boolean): LatencyOptions {
  const quick = process.env.BENCH_QUICK === '1';
  const limitS = Number(process.env.BENCH_LATENCY_LIMIT_S ?? (quick ? 20 : 120));
  return {
    stepBacks: quick ? 30 : 100, lineStepBacks: quick ? 20 : 100, nexts: quick ? 20 : 50,
    nextBudgetMs: quick ? 10_000 : 30_000, limitMs: limitS * 1000, f5Runs: quick ? 1 : 3, distance: 3e8, haveQemu,
  };
}

/** A run-to-breakpoint figure: time, or why there is none. */
interface Travel { ms?: number; from: number; to?: number; note?: string }

export interface LatencyFigures {
  opts: LatencyOptions;
  workload: Workload;
  insns: number;
  firstPassMs: number;
  seekMs: number[]; stepBackInsnMs: number[]; stepBackLineMs: number[];
  nextHistoryMs: number[]; nextLiveMs: number[];
  forward: Travel; reverse: Travel;
  f5BreakMs: number[]; f5EntryMs: number[];
  peakRssBytes: number; autoSnapshots: number; snapshots: SnapshotMemory;
  qemu: GdbFigures; qemuElf: string;
}

const ROOT = path.join(__dirname, '..');
const ADAPTER = path.join(ROOT, 'dist', 'adapter.js');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const BENCH_C = path.join(ROOT, 'examples', 'bench.c');

/** Percentile by nearest rank: the smallest value with at least p of the values at or below it. */
export const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};

function randomPoints(n: number, lo: number, hi: number, seed: number): number[] {
  let x = seed >>> 0;
  return Array.from({ length: n }, () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return lo + Math.floor((x / 2 ** 32) * (hi - lo)); });
}

/** The line of bench.c just after the main loop (`uint32_t n = instret();`). */
function loopEndLine(): number {
  const i = fs.readFileSync(BENCH_C, 'utf8').split('\n').findIndex((l) => /=\s*instret\(\)/.test(l));
  if (i < 0) throw new Error('examples/bench.c: no "= instret()" line');
  return i + 1;
}

const log = (s: string): void => { process.stderr.write(`latency: ${s}\n`); };

/** `next` until `n` steps or `budgetMs` are done (a `next` over one of bench.c's loop lines runs 1e5–1e6 instructions). */
async function nexts(d: TimedDap, n: number, budgetMs: number): Promise<number[]> {
  const out: number[] = [];
  const t0 = performance.now();
  while (out.length < n && performance.now() - t0 < budgetMs) {
    const s = await d.timed('next', (dc) => dc.nextRequest({ threadId: 1 }), budgetMs + 60_000);
    out.push(s.ms);
    if (s.stop.body.reason === 'exit' || s.stop.body.reason === 'end') break;
  }
  return out;
}

async function session<T>(f: (d: TimedDap) => Promise<T>): Promise<T> {
  const d = new TimedDap(ADAPTER);
  await d.start();
  try {
    return await f(d);
  } finally {
    await d.stop();
  }
}

export async function measureLatency(opts: LatencyOptions): Promise<LatencyFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-bench-latency-'));
  try {
    return await measure(dir, opts);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string, opts: LatencyOptions): Promise<LatencyFigures> {
  const workload = benchElf1e9(ROOT);
  if (workload.note) log(workload.note);
  const rrfile = path.join(dir, 'bench-1e9.rr');
  const rec = spawnSync(process.execPath, [CLI, 'record', '--rrfile', rrfile, workload.elf], { encoding: 'latin1' });
  if (rec.status !== 0) throw new Error(`record failed: ${rec.stderr}`);
  const replay = { program: workload.elf, rr: 'replay', rrfile, stopOnEntry: true };
  let peakRss = 0;

  // 1. Random points: goto, stepBack (instruction), stepBack (line), then `next` in history.
  log(`stepBack at random points of ${path.basename(workload.elf)}`);
  const a = await session(async (d) => {
    await d.launch(replay);
    const end = (await d.timeline()).end ?? 0;
    // The first visit plays the whole recording once (laying down automatic snapshots), as a
    // user dragging to the end of the timeline would; then the random points.
    const first = await d.goto(end - 1);
    const seekMs: number[] = [];
    const insnMs: number[] = [];
    for (const t of randomPoints(opts.stepBacks, 1, end, 20261201)) {
      seekMs.push((await d.goto(t)).ms);
      insnMs.push((await d.timed('stepBack', (dc) => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }))).ms);
    }
    const lineMs: number[] = [];
    for (const t of randomPoints(opts.lineStepBacks, 1, end, 7)) {
      seekMs.push((await d.goto(t)).ms);
      lineMs.push((await d.timed('stepBack line', (dc) => dc.stepBackRequest({ threadId: 1 }))).ms);
    }
    log(`next in history`);
    await d.goto(Math.floor(end / 2));
    const hist = await nexts(d, opts.nexts, opts.nextBudgetMs);
    const tl = await d.timeline();
    peakRss = Math.max(peakRss, d.peakRssBytes());
    return { end, firstPassMs: first.ms, seekMs, insnMs, lineMs, hist, autos: tl.snapshots.reduce((n, s) => n + (s.kind === 'auto' ? Math.max(1, s.count ?? 1) : 0), 0) };
  });

  // 2. continue and reverseContinue across `distance` instructions (fresh session: a time-out
  //    leaves the machine wherever the pause caught it).
  log(`continue / reverseContinue across ${opts.distance.toExponential(1)} instructions (limit ${opts.limitMs / 1000} s each)`);
  const travel = await session(async (d) => {
    await d.launch(replay);
    const end = (await d.timeline()).end ?? 0;
    const run = async (what: string, req: (dc: TimedDap['dc']) => Promise<unknown>): Promise<Travel> => {
      const from = await d.icount();
      try {
        const s = await d.timed(what, req, opts.limitMs);
        const to = await d.icount();
        return { ms: s.ms, from, to, note: s.stop.body.reason.includes('breakpoint') ? undefined : `stopped: ${s.stop.body.description ?? s.stop.body.reason}` };
      } catch (e) {
        if (e instanceof TimeoutError) return { from, note: `> ${opts.limitMs / 1000} s` };
        throw e;
      }
    };
    // Forward: from `distance` before the end of the main loop to a breakpoint there.
    await d.goto(Math.max(0, end - opts.distance));
    await d.dc.setBreakpointsRequest({ source: { path: BENCH_C }, breakpoints: [{ line: loopEndLine() }] });
    const forward = await run('continue', (dc) => dc.continueRequest({ threadId: 1 }));
    await d.dc.setBreakpointsRequest({ source: { path: BENCH_C }, breakpoints: [] });
    // Backward: from icount `distance` to a breakpoint on main (entered once, at the start).
    await d.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
    await d.goto(Math.min(end - 1, opts.distance));
    const reverse = await run('reverseContinue', (dc) => dc.reverseContinueRequest({ threadId: 1 }));
    peakRss = Math.max(peakRss, d.peakRssBytes());
    return { forward, reverse };
  });

  // 3. F5: spawn the adapter, initialize, launch (rr record), to the first stop; the live edge's `next`.
  log('F5 and next at the live edge');
  const f5Elf = path.join(ROOT, 'examples', 'bench.elf');
  const f5BreakMs: number[] = [];
  const f5EntryMs: number[] = [];
  let nextLiveMs: number[] = [];
  for (let i = 0; i < opts.f5Runs; i++) {
    const rr = { program: f5Elf, rr: 'record', rrfile: path.join(dir, `f5-${i}.rr`), rrfileOverwrite: true };
    const d = new TimedDap(ADAPTER);
    const t0 = performance.now();
    await d.start();
    try {
      f5BreakMs.push((await d.launch(rr, { functions: ['main'], t0 })).ms);
      if (i === 0) {
        await d.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
        nextLiveMs = await nexts(d, opts.nexts, opts.nextBudgetMs);
      }
    } finally {
      await d.stop();
    }
    const e = new TimedDap(ADAPTER);
    const t1 = performance.now();
    await e.start();
    try {
      f5EntryMs.push((await e.launch({ ...rr, stopOnEntry: true }, { t0: t1 })).ms);
    } finally {
      await e.stop();
    }
  }

  // 4. The adapter's snapshot memory for this recording (not reported over DAP): same setup, in-process.
  const snapshots = snapshotMemory(workload.elf, rrfile, a.end);

  // 5. QEMU + gdb on bench.elf (2.9e8 instructions: the issue's reference figures).
  let qemu: GdbFigures = { nextMs: [], f5Ms: [], note: 'QEMU not installed' };
  if (opts.haveQemu) {
    log('QEMU + gdb');
    qemu = await measureQemuGdb(dir, f5Elf, { nexts: opts.nexts, nextBudgetMs: opts.nextBudgetMs, f5Runs: opts.f5Runs, limitMs: opts.limitMs });
  }

  return {
    opts, workload, insns: a.end, firstPassMs: a.firstPassMs,
    seekMs: a.seekMs, stepBackInsnMs: a.insnMs, stepBackLineMs: a.lineMs, nextHistoryMs: a.hist, nextLiveMs,
    forward: travel.forward, reverse: travel.reverse, f5BreakMs, f5EntryMs,
    peakRssBytes: peakRss, autoSnapshots: a.autos, snapshots, qemu, qemuElf: 'bench.elf',
  };
}

export function latencyTableRows(f: LatencyFigures): string[] {
  const ms = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? 'n/a' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
  const ratio = (q: number | undefined, o: number | undefined): string => (q === undefined || o === undefined || Number.isNaN(q) || Number.isNaN(o) ? '' : `${(q / o).toFixed(1)}×`);
  const dist = (t: Travel): string => (t.to === undefined ? '' : ` (${Math.abs(t.to - t.from).toExponential(2)} insns)`);
  const travel = (t: Travel): string => (t.ms === undefined ? t.note ?? 'n/a' : `${ms(t.ms)}${dist(t)}${t.note ? `, ${t.note}` : ''}`);
  const q = f.qemu;
  const qna = q.note ? `n/a (${q.note})` : 'n/a';
  const qs = (s: number | undefined): string => (s === undefined ? qna : ms(s * 1000));
  const series = (xs: number[]): string => (xs.length === 0 ? 'n/a' : `${ms(pct(xs, 0.5))} / ${ms(pct(xs, 0.99))} (max ${ms(Math.max(...xs))}, n=${xs.length})`);
  const qleft = q.nextMs.length < f.opts.nexts ? `; the next one did not finish within the ${f.opts.nextBudgetMs / 1000} s budget` : '';
  const qnext = q.nextMs.length === 0 ? (q.note ? qna : `> ${f.opts.nextBudgetMs / 1000} s (the first did not finish)`) : `${ms(pct(q.nextMs, 0.5))} / max ${ms(Math.max(...q.nextMs))} (n=${q.nextMs.length}${qleft})`;
  const qIc = q.stopIcount === undefined ? '' : ` at icount ${q.stopIcount.toExponential(2)}`;
  const mib = (b: number): string => (Number.isNaN(b) ? 'n/a' : `${(b / 1024 / 1024).toFixed(0)} MiB`);
  return [
    `| stepBack (instruction), p50 / p99 at random points | ${series(f.stepBackInsnMs)} | ${qs(q.reverseStepiS)} (reverse-stepi${qIc}) | ${ratio(q.reverseStepiS === undefined ? undefined : q.reverseStepiS * 1000, pct(f.stepBackInsnMs, 0.99))} (vs p99) | ≤ 20 ms p99 |`,
    `| stepBack (line), p50 / p99 at random points | ${series(f.stepBackLineMs)} | n/a (gdb's reverse-next is a series of reverse-stepi here, each ≥ the one above) | | ≤ 20 ms p99 |`,
    `| goto icount (seek), p50 / p99 | ${series(f.seekMs)} | see replay-seek above | | ≤ 50 ms median |`,
    `| reverseContinue to a breakpoint ≈3e8 back | ${travel(f.reverse)} | ${qs(q.reverseContinueS)} (reverse-continue to main) | ${ratio(q.reverseContinueS === undefined ? undefined : q.reverseContinueS * 1000, f.reverse.ms)} | ≤ 1.5 s |`,
    `| continue to a breakpoint ≈3e8 ahead | ${travel(f.forward)} | ${qs(q.continueS)} (continue from 0 to the loop's end) | ${ratio(q.continueS === undefined ? undefined : q.continueS * 1000, f.forward.ms)} | |`,
    `| F5 to first stop (rr record, breakpoint at main), median | ${series(f.f5BreakMs).replace(/ \/ .* \(/, ' (')} | ${q.f5Ms.length ? `${ms(pct(q.f5Ms, 0.5))} (n=${q.f5Ms.length}, no recording)` : qna} | ${ratio(pct(q.f5Ms, 0.5), pct(f.f5BreakMs, 0.5))} | ≤ 1 s |`,
    `| F5 to first stop (stopOnEntry), median | ${series(f.f5EntryMs).replace(/ \/ .* \(/, ' (')} | | | ≤ 1 s |`,
    `| next round trip at the live edge, p50 / p99 | ${series(f.nextLiveMs)} | ${qnext} | ${ratio(pct(q.nextMs, 0.5), pct(f.nextLiveMs, 0.5))} (p50) | ≤ 50 ms |`,
    `| next round trip in history, p50 / p99 | ${series(f.nextHistoryMs)} | | | ≤ 50 ms |`,
    `| first goto to the end of the recording (plays it once, lays down snapshots) | ${ms(f.firstPassMs)} | | | |`,
    `| adapter peak RSS during the latency runs | ${mib(f.peakRssBytes)} (${f.autoSnapshots} automatic snapshots) | | | |`,
    `| automatic snapshots at the end of the recording: memory / budget | ${mib(f.snapshots.bytes)} / ${mib(f.snapshots.budgetBytes)} (${f.snapshots.count}, every ${f.snapshots.interval} insns; in-process, same setup) | | | under budget |`,
  ];
}

export function latencyNotes(f: LatencyFigures): string[] {
  return [
    `Latency: the built adapter (dist/adapter.js) over DAP (DebugClient), each figure from the request to its \`stopped\` event.`,
    `Time travel on a recording of ${f.workload.label} (${f.insns.toLocaleString('en-US')} instructions)${f.workload.note ? ` — ${f.workload.note}` : ''};`,
    `F5 and the live edge on examples/bench.elf. QEMU + gdb: ${f.qemuElf} (2.9e8) replayed with rr=replay,rrsnapshot=init under`,
    `\`gdb-multiarch -batch\`, each command timed by gdb's Python clock; its \`next\` series stops at the time budget (gdb single-steps`,
    `a loop line over the remote protocol). Time-outs: ${f.opts.limitMs / 1000} s per continue (BENCH_LATENCY_LIMIT_S; BENCH_QUICK=1 for a short run).`,
  ];
}
