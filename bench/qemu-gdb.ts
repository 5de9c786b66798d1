// The QEMU + gdb side of the latency figures: what a user of QEMU's reverse debugging waits for.
// QEMU replays a recording (-icount shift=0,rr=replay,rrfile=…,rrsnapshot=init on a qcow2
// overlay, as QEMU's reverse debugging needs) with its gdbstub; `gdb-multiarch -batch` drives it
// and times each command with its own Python clock (`time.time()` around the command), so the
// figure is the command alone, not gdb's start-up.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GdbFigures {
  /** Forward `continue` from the start to a breakpoint at the end of the main loop. */
  continueS?: number;
  /** Where that breakpoint stopped (QEMU's `info replay` icount). */
  stopIcount?: number;
  reverseStepiS?: number;
  /** reverse-continue from there back to `break main`. */
  reverseContinueS?: number;
  /** `next` round trips from main, as many as fit in the time budget. */
  nextMs: number[];
  /** F5: start QEMU + gdb connect + break main + continue, to the stop. */
  f5Ms: number[];
  note?: string;
}

const QEMU = 'qemu-system-riscv32';
const GDB = 'gdb-multiarch';

export function haveQemuGdb(): string | undefined {
  for (const tool of [QEMU, 'qemu-img', GDB]) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not installed`;
  return undefined;
}

const port = (): number => 20000 + Math.floor(Math.random() * 20000);

/**
 * Runs gdb -batch with these commands; resolves with its output (also when killed at `limitMs`,
 * or `budget.ms` after it printed `budget.marker`: a gdb command cannot be interrupted from
 * inside gdb's batch mode, and `next` over a loop line can take minutes).
 */
function gdb(elf: string, commands: string[], limitMs: number, budget?: { marker: string; ms: number }): Promise<string> {
  const args = ['-batch', '-nx', '-ex', 'set architecture riscv:rv32', '-ex', `file ${elf}`, '-ex', 'set confirm off', '-ex', 'set pagination off', ...commands.flatMap((c) => ['-ex', c])];
  return new Promise((resolve) => {
    const child = spawn(GDB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let armed: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (budget && !armed && out.includes(budget.marker)) armed = setTimeout(() => child.kill('SIGKILL'), budget.ms);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', () => { clearTimeout(timer); clearTimeout(armed); resolve(out); });
  });
}

/** gdb commands that connect to QEMU's gdbstub, retrying while QEMU starts up. */
const connect = (p: number): string[] => [
  'python import time',
  `python\nfor _ in range(200):\n  try:\n    gdb.execute("target remote 127.0.0.1:${p}", to_string=True)\n    break\n  except gdb.error:\n    time.sleep(0.01)\nend`,
];

/** `cmd` timed with gdb's Python clock, printed as "BENCH label seconds". */
const timedCmd = (label: string, cmd: string): string =>
  `python\nt0 = time.time()\ngdb.execute(${JSON.stringify(cmd)}, to_string=True)\nprint("BENCH ${label} %.6f" % (time.time() - t0))\nend`;

const figure = (out: string, label: string): number | undefined => {
  const m = new RegExp(`BENCH ${label} ([\\d.]+)`).exec(out);
  return m ? Number(m[1]) : undefined;
};

/** The address of `csrr …,minstret` in main: just after bench.c's main loop. */
export function loopEndAddress(elf: string): number | undefined {
  const r = spawnSync(GDB, ['-batch', '-nx', '-ex', 'set architecture riscv:rv32', '-ex', `file ${elf}`, '-ex', 'disassemble main'], { encoding: 'utf8' });
  const m = /0x([0-9a-f]+)\s*<\+\d+>:\s*csrr\s+\w+,\s*minstret/.exec(r.stdout);
  return m ? parseInt(m[1], 16) : undefined;
}

/**
 * QEMU + gdb on `elf` (bench.elf: ≈2.9e8 instructions): record once, then in one replay
 * session continue to the end of the main loop, reverse-stepi, reverse-continue to main, and
 * `next` until `nextBudgetMs` is spent; and F5 `f5Runs` times.
 */
export async function measureQemuGdb(dir: string, elf: string, opts: { nexts: number; nextBudgetMs: number; f5Runs: number; limitMs: number }): Promise<GdbFigures> {
  const f: GdbFigures = { nextMs: [], f5Ms: [] };
  const missing = haveQemuGdb();
  if (missing) return { ...f, note: missing };
  const loopEnd = loopEndAddress(elf);
  if (loopEnd === undefined) return { ...f, note: `no csrr minstret in main of ${path.basename(elf)}` };
  const disk = path.join(dir, 'qemu-disk.qcow2');
  const log = path.join(dir, 'qemu-bench.rr');
  if (spawnSync('qemu-img', ['create', '-f', 'qcow2', disk, '16M']).status !== 0) return { ...f, note: 'qemu-img create failed' };
  const common = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'null', '-drive', `file=${disk},if=none,id=rr`, '-kernel', elf];
  if (spawnSync(QEMU, ['-icount', `shift=0,rr=record,rrfile=${log},rrsnapshot=init`, ...common]).status !== 0) return { ...f, note: 'QEMU record failed' };

  // Time travel in one replay session.
  const p = port();
  const qemu = spawn(QEMU, ['-icount', `shift=0,rr=replay,rrfile=${log},rrsnapshot=init`, ...common, '-gdb', `tcp:127.0.0.1:${p}`, '-S'], { stdio: 'ignore' });
  try {
    const nextLoop = `python\nprint("BENCH nexts", flush=True)\nfor i in range(${opts.nexts}):\n  t0 = time.time()\n  gdb.execute("next", to_string=True)\n  print("BENCH next %.6f" % (time.time() - t0), flush=True)\nend`;
    const out = await gdb(elf, [
      ...connect(p),
      `break *0x${loopEnd.toString(16)}`,
      timedCmd('continue', 'continue'),
      'monitor info replay',
      'delete',
      timedCmd('reverse-stepi', 'reverse-stepi'),
      'break main',
      timedCmd('reverse-continue', 'reverse-continue'),
      'delete',
      nextLoop,
    ], 3 * opts.limitMs + opts.nextBudgetMs, { marker: 'BENCH nexts', ms: opts.nextBudgetMs });
    f.continueS = figure(out, 'continue');
    const ic = /instruction count = (\d+)/.exec(out);
    if (ic) f.stopIcount = Number(ic[1]);
    f.reverseStepiS = figure(out, 'reverse-stepi');
    f.reverseContinueS = figure(out, 'reverse-continue');
    f.nextMs = [...out.matchAll(/BENCH next ([\d.]+)/g)].map((m) => Number(m[1]) * 1000);
    if (f.continueS === undefined) f.note = `gdb session failed: ${out.slice(-300).replace(/\s+/g, ' ')}`;
  } finally {
    qemu.kill('SIGKILL');
  }

  // F5: QEMU started from scratch (no recording: what `qemu -s -S` + gdb does), gdb connects,
  // break main, continue; timed from QEMU's spawn to gdb's stop (both on the wall clock).
  for (let i = 0; i < opts.f5Runs; i++) {
    const q = port();
    const t0 = Date.now() / 1000;
    const child = spawn(QEMU, ['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'null', '-icount', 'shift=0', '-kernel', elf, '-gdb', `tcp:127.0.0.1:${q}`, '-S'], { stdio: 'ignore' });
    try {
      const out = await gdb(elf, [...connect(q), 'break main', 'continue', 'python print("BENCH stopped-at %.6f" % time.time())'], 60_000);
      const at = figure(out, 'stopped-at');
      if (at !== undefined) f.f5Ms.push((at - t0) * 1000);
    } finally {
      child.kill('SIGKILL');
    }
  }
  fs.rmSync(disk, { force: true });
  fs.rmSync(log, { force: true });
  return f;
}
