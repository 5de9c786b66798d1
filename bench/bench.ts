// `npm run bench`: rvreplay (with its JIT, and with the interpreter alone: RVREPLAY_JIT=0)
// against QEMU on the same workload in the same run, as ratios (these machines are noisy:
// absolute figures mean little, side-by-side ratios do). Prints a table and writes it to
// bench/results.md. BENCH_ONLY=run,rr,seek,latency (any of them, comma-separated) runs only
// those parts; BENCH_QUICK=1 shortens the latency part (bench/latency-bench.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureRecordReplay, rrTableRows } from './rr-bench';
import { measureSeeks, seekTableRows } from './seek-bench';
import { latencyNotes, latencyOptions, latencyTableRows, measureLatency } from './latency-bench';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const BENCH_ELF = path.join(ROOT, 'examples', 'bench.elf');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const QEMU = 'qemu-system-riscv32';
const ONLY = new Set((process.env.BENCH_ONLY ?? 'run,rr,seek,latency').split(',').map((s) => s.trim()));

interface Sample { seconds: number; stdout: string }

function timeCommand(cmd: string, args: string[], env?: Record<string, string>): Sample {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'latin1', maxBuffer: 1 << 24, env: { ...process.env, ...env } });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function instret(stdout: string): number {
  const m = /instret=(\d+)/.exec(stdout);
  if (!m) throw new Error(`bench.elf printed no instret: ${stdout}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const haveQemu = spawnSync('sh', ['-c', `command -v ${QEMU}`]).status === 0;
  const lines = [
    `# rvreplay benchmarks`,
    ``,
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average at the start ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`,
  ];
  if (ONLY.has('run')) lines.push(...plainRun(haveQemu));
  // Record/replay and time travel (issues 3 and 4): same table shape, QEMU side by side.
  if (ONLY.has('rr') || ONLY.has('seek')) {
    const rr = ONLY.has('rr') ? rrTableRows(measureRecordReplay(CLI, BENCH_ELF, RUNS, haveQemu)) : [];
    const seek = ONLY.has('seek') ? seekTableRows(await measureSeeks(CLI, BENCH_ELF, Number(process.env.BENCH_SEEKS ?? 200), haveQemu)) : [];
    lines.push(
      ``,
      `## Record, replay and seek`,
      ``,
      `| figure | rvreplay | QEMU | QEMU / rvreplay |`,
      `|---|---|---|---|`,
      ...rr,
      ...seek,
      ``,
      `Seeks: a recording of bench.elf played once (laying down automatic snapshots with the default`,
      `settings), then random replay-seeks in-process; QEMU: rr=record with rrsnapshot=init on a qcow2`,
      `overlay, then replay-seek over QMP, timed until its STOP event.`,
    );
  }
  // Interactive and time-travel latency over DAP (issues 5 and 7), QEMU + gdb side by side.
  if (ONLY.has('latency')) {
    const lat = await measureLatency(latencyOptions(haveQemu));
    lines.push(
      ``,
      `## Debugger latency`,
      ``,
      `| figure | rvreplay | QEMU+gdb | ratio (QEMU / rvreplay) | goal |`,
      `|---|---|---|---|---|`,
      ...latencyTableRows(lat),
      ``,
      ...latencyNotes(lat),
    );
  }
  const text = lines.join('\n') + '\n';
  process.stdout.write(text);
  // A partial run (BENCH_ONLY) must not replace the committed table.
  const all = ['run', 'rr', 'seek', 'latency'].every((p) => ONLY.has(p));
  const out = all ? path.join(ROOT, 'bench', 'results.md') : path.join(ROOT, 'bench', '.cache', `results-${[...ONLY].join('-')}.md`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text);
  process.stderr.write(`wrote ${path.relative(ROOT, out)}\n`);
}

/** Plain run of bench.elf: JIT, interpreter, QEMU, interleaved. */
function plainRun(haveQemu: boolean): string[] {
  const ours: number[] = [];
  const interp: number[] = [];
  const qemu: number[] = [];
  let insns = 0;
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so a noisy neighbour slows every side alike.
    const o = timeCommand(process.execPath, [CLI, 'run', BENCH_ELF]);
    ours.push(o.seconds);
    insns = instret(o.stdout);
    const n = timeCommand(process.execPath, [CLI, 'run', BENCH_ELF], { RVREPLAY_JIT: '0' });
    if (instret(n.stdout) !== insns) throw new Error(`the interpreter retired ${instret(n.stdout)} instructions, the JIT ${insns}`);
    interp.push(n.seconds);
    if (haveQemu) qemu.push(timeCommand(QEMU, ['-M', 'virt', '-nographic', '-bios', 'none', '-icount', 'shift=0', '-kernel', BENCH_ELF]).seconds);
    process.stderr.write(`run ${i + 1}/${RUNS}: rvreplay ${o.seconds.toFixed(2)}s, interpreter ${n.seconds.toFixed(2)}s${haveQemu ? `, QEMU ${qemu[i].toFixed(2)}s` : ''}\n`);
  }
  const o = median(ours);
  const n = median(interp);
  const q = haveQemu ? median(qemu) : NaN;
  const fmt = (s: number): string => (Number.isNaN(s) ? 'n/a' : `${s.toFixed(3)} s`);
  const mips = (s: number): string => (Number.isNaN(s) ? 'n/a' : (insns / s / 1e6).toFixed(1));
  const ratio = (s: number): string => (haveQemu ? (q / s).toFixed(2) + '×' : 'n/a');
  return [
    `Workload: examples/bench.elf (${insns.toLocaleString('en-US')} instructions); median of ${RUNS} runs, wall time of the whole process.`,
    `QEMU: \`${QEMU} -M virt -nographic -bios none -icount shift=0 -kernel bench.elf\`${haveQemu ? '' : ' (not installed: no comparison)'}.`,
    ``,
    `| figure | rvreplay | QEMU | QEMU time / rvreplay time |`,
    `|---|---|---|---|`,
    `| plain run, wall time | ${fmt(o)} | ${fmt(q)} | ${ratio(o)} |`,
    `| plain run, MIPS | ${mips(o)} | ${mips(q)} | |`,
    `| interpreter only (RVREPLAY_JIT=0), wall time | ${fmt(n)} | ${fmt(q)} | ${ratio(n)} |`,
    `| interpreter only, MIPS | ${mips(n)} | ${mips(q)} | |`,
    ``,
    `A ratio of 1.0× means as fast as QEMU; the interpreter's floor is 0.25× (issue 2), the JIT's goal 1.0× (issue 7).`,
    `Wall time is the whole process, start-up and the JIT's warm-up included; see docs/performance.md.`,
  ];
}

main().catch((e: unknown) => { process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
