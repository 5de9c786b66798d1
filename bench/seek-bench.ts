// Seek latency: random replay-seeks in a recording of bench.elf (≈2.9e8 instructions), with the
// default automatic-snapshot settings, against QEMU's replay-seek (loadvm of its rrsnapshot,
// then replay) over QMP.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtMachine } from '../core/machine/virt';
import { Gate } from '../core/replay/gate';
import { RrReader } from '../core/replay/rrfile';
import { TimeTravel } from '../core/debug/time-travel';

export interface SeekFigures {
  seeks: number; medianMs: number; p99Ms: number; snapshotBytes: number; budgetBytes: number; snapshots: number; peakRssBytes: number;
  qemuSeeks: number; qemuMedianMs: number; qemuNote?: string;
}

const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

function targets(n: number, max: number): number[] {
  let seed = 20261122;
  return Array.from({ length: n }, () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return Math.floor((seed / 2 ** 32) * max); });
}

export async function measureSeeks(cli: string, elf: string, count: number, haveQemu: boolean): Promise<SeekFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-bench-seek-'));
  const file = path.join(dir, 'bench.rr');
  const rec = spawnSync(process.execPath, [cli, 'record', '--rrfile', file, elf], { encoding: 'latin1' });
  if (rec.status !== 0) throw new Error(`record failed: ${rec.stderr}`);
  const bytes = fs.readFileSync(elf);
  const machine = new VirtMachine(bytes, 'bench.elf', { gate: Gate.replay(RrReader.open(file)) });
  const tt = new TimeTravel(machine);
  // Play the recording once, as a user stepping through it would: this lays down the snapshots.
  tt.run(Infinity);
  const end = machine.hart.icount;
  const ours: number[] = [];
  for (const t of targets(count, end)) {
    const t0 = performance.now();
    tt.seek(t);
    ours.push(performance.now() - t0);
  }
  const f: SeekFigures = {
    seeks: count, medianMs: pct(ours, 0.5), p99Ms: pct(ours, 0.99), snapshotBytes: tt.autos.bytes, budgetBytes: tt.autos.budgetBytes,
    snapshots: tt.autos.list.length, peakRssBytes: process.resourceUsage().maxRSS * 1024, qemuSeeks: 0, qemuMedianMs: NaN,
  };
  if (haveQemu) {
    try {
      const q = await qemuSeeks(dir, elf, targets(Math.min(count, 10), end));
      f.qemuSeeks = q.length;
      f.qemuMedianMs = pct(q, 0.5);
    } catch (e) {
      f.qemuNote = String(e instanceof Error ? e.message : e);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return f;
}

/** QEMU: record with rrsnapshot=init on a qcow2 overlay, then replay-seek over QMP, timing each until STOP. */
async function qemuSeeks(dir: string, elf: string, ts: number[]): Promise<number[]> {
  const disk = path.join(dir, 'disk.qcow2');
  const log = path.join(dir, 'qemu.rr');
  const img = spawnSync('qemu-img', ['create', '-f', 'qcow2', disk, '16M']);
  if (img.status !== 0) throw new Error('qemu-img create failed');
  const common = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'null', '-drive', `file=${disk},if=none,id=rr`, '-kernel', elf];
  const rec = spawnSync('qemu-system-riscv32', ['-icount', `shift=0,rr=record,rrfile=${log},rrsnapshot=init`, ...common]);
  if (rec.status !== 0) throw new Error('QEMU record failed');
  const port = 40000 + Math.floor(Math.random() * 20000);
  const child = spawn('qemu-system-riscv32', ['-icount', `shift=0,rr=replay,rrfile=${log},rrsnapshot=init`, ...common, '-S', '-qmp', `tcp:127.0.0.1:${port},server=on,wait=off`], { stdio: 'ignore' });
  try {
    let sock: net.Socket | undefined;
    for (let i = 0; i < 50 && !sock; i++) {
      await new Promise((r) => setTimeout(r, 100));
      sock = await new Promise<net.Socket | undefined>((res) => { const s = net.connect(port, '127.0.0.1'); s.once('connect', () => res(s)); s.once('error', () => res(undefined)); });
    }
    if (!sock) throw new Error('cannot reach QEMU QMP');
    sock.setEncoding('utf8');
    let buf = '';
    const lines: string[] = [];
    let wake: (() => void) | undefined;
    sock.on('data', (d: string) => { buf += d; let i; while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); } wake?.(); });
    const waitFor = async (re: RegExp): Promise<void> => {
      for (;;) {
        const i = lines.findIndex((l) => re.test(l));
        if (i >= 0) { lines.splice(0, i + 1); return; }
        await new Promise<void>((r) => { wake = r; setTimeout(r, 100); });
      }
    };
    sock.write('{"execute":"qmp_capabilities"}\n');
    await waitFor(/"return"/);
    const out: number[] = [];
    for (const t of ts) {
      const t0 = performance.now();
      sock.write(JSON.stringify({ execute: 'replay-seek', arguments: { icount: t } }) + '\n');
      await waitFor(/"STOP"/);
      out.push(performance.now() - t0);
    }
    sock.destroy();
    return out;
  } finally {
    child.kill('SIGKILL');
  }
}

export function seekTableRows(f: SeekFigures): string[] {
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  return [
    `| seek, median of ${f.seeks} random | ${f.medianMs.toFixed(1)} ms | ${Number.isNaN(f.qemuMedianMs) ? `n/a${f.qemuNote ? ` (${f.qemuNote})` : ''}` : `${f.qemuMedianMs.toFixed(0)} ms (median of ${f.qemuSeeks})`} | ${Number.isNaN(f.qemuMedianMs) ? '' : `${(f.qemuMedianMs / f.medianMs).toFixed(1)}×`} |`,
    `| seek, p99 | ${f.p99Ms.toFixed(1)} ms | | goal ≤ 50 ms median |`,
    `| automatic snapshots: memory / budget | ${mib(f.snapshotBytes)} / ${mib(f.budgetBytes)} (${f.snapshots} snapshots) | | |`,
    `| peak RSS of the seek benchmark | ${mib(f.peakRssBytes)} | | |`,
  ];
}
