// Record and replay of bench.elf, rvreplay against QEMU's rr=record / rr=replay in the same run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RrFigures {
  ourPlain: number; ourRecord: number; ourReplay: number; ourLogBytes: number;
  /** Record / plain run time, per back-to-back pair: their median, lowest and highest. */
  overhead: { median: number; min: number; max: number; pairs: number };
  qemuRecord: number; qemuReplay: number; qemuLogBytes: number;
}

function timed(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'latin1', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Back-to-back plain/record pairs for the record overhead (see measureRecordReplay). */
const OVERHEAD_PAIRS = 9;

export function measureRecordReplay(cli: string, elf: string, runs: number, haveQemu: boolean): RrFigures {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-bench-rr-'));
  const ours = path.join(dir, 'bench.rr');
  const theirs = path.join(dir, 'bench.qemu.rr');
  const qemu = (mode: string): string[] => ['-M', 'virt', '-nographic', '-bios', 'none', '-icount', `shift=0,rr=${mode},rrfile=${theirs}`, '-kernel', elf];
  const s: Record<string, number[]> = { plain: [], rec: [], rep: [], qrec: [], qrep: [] };
  for (let i = 0; i < runs; i++) {
    // Interleaved, so a noisy neighbour slows every figure alike.
    s.plain.push(timed(process.execPath, [cli, 'run', elf]));
    s.rec.push(timed(process.execPath, [cli, 'record', '--force', '--rrfile', ours, elf]));
    s.rep.push(timed(process.execPath, [cli, 'replay', '--rrfile', ours, elf]));
    if (haveQemu) {
      s.qrec.push(timed('qemu-system-riscv32', qemu('record')));
      s.qrep.push(timed('qemu-system-riscv32', qemu('replay')));
    }
    process.stderr.write(`rr run ${i + 1}/${runs}\n`);
  }
  // Record overhead: a few percent, under the noise of whole-process times taken minutes apart
  // on a shared machine. So: the ratio of each back-to-back pair (alternating which goes first),
  // and the median of those ratios.
  const ratios: number[] = [];
  for (let i = 0; i < OVERHEAD_PAIRS; i++) {
    const plain = (): number => timed(process.execPath, [cli, 'run', elf]);
    const rec = (): number => timed(process.execPath, [cli, 'record', '--force', '--rrfile', ours, elf]);
    if (i % 2 === 0) { const p = plain(); ratios.push(rec() / p); } else { const r = rec(); ratios.push(r / plain()); }
  }
  process.stderr.write(`record overhead pairs: ${ratios.map((r) => r.toFixed(3)).join(' ')}\n`);
  const f: RrFigures = {
    ourPlain: median(s.plain), ourRecord: median(s.rec), ourReplay: median(s.rep), ourLogBytes: fs.statSync(ours).size,
    overhead: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), pairs: ratios.length },
    qemuRecord: haveQemu ? median(s.qrec) : NaN, qemuReplay: haveQemu ? median(s.qrep) : NaN,
    qemuLogBytes: haveQemu ? fs.statSync(theirs).size : NaN,
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return f;
}

export function rrTableRows(f: RrFigures): string[] {
  const t = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${x.toFixed(3)} s`);
  const r = (q: number, o: number): string => (Number.isNaN(q) ? 'n/a' : `${(q / o).toFixed(2)}×`);
  return [
    `| record, wall time | ${t(f.ourRecord)} | ${t(f.qemuRecord)} | ${r(f.qemuRecord, f.ourRecord)} |`,
    `| replay, wall time | ${t(f.ourReplay)} | ${t(f.qemuReplay)} | ${r(f.qemuReplay, f.ourReplay)} |`,
    `| recording size | ${f.ourLogBytes} B | ${Number.isNaN(f.qemuLogBytes) ? 'n/a' : `${f.qemuLogBytes} B`} | |`,
    `| record overhead over our plain run: median of ${f.overhead.pairs} back-to-back pairs (lowest–highest) | ${f.overhead.median.toFixed(3)}× (${f.overhead.min.toFixed(3)}–${f.overhead.max.toFixed(3)}) | | goal ≤ 1.05×, limit 1.10× |`,
  ];
}
