// Runs a guest on rvreplay's CLI (the built dist/cli.js, as users run it) or on QEMU, and
// returns what it printed and how it exited.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QEMU } from './tools';

export const ROOT = path.join(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const EXAMPLES = path.join(ROOT, 'examples');

export interface RunResult { stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }

export interface RunOptions {
  /** Bytes for stdin, written in one go (or chunks with pauses, `delayMs` apart). */
  stdin?: string | string[];
  delayMs?: number;
  timeoutMs?: number;
  cwd?: string;
  /** Send the child's stdout to this file descriptor instead of a pipe (RunResult.stdout is then empty). */
  stdoutFd?: number;
}

export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['pipe', opts.stdoutFd ?? 'pipe', 'pipe'] });
    const stdin = child.stdin!;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('utf8'), code, signal });
    });
    stdin.on('error', () => {}); // the guest may exit before reading everything
    const chunks = opts.stdin === undefined ? [] : Array.isArray(opts.stdin) ? opts.stdin : [opts.stdin];
    (async () => {
      for (const [i, c] of chunks.entries()) {
        if (i > 0 && opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        stdin.write(c);
      }
      stdin.end();
    })().catch(() => {});
  });
}

/** rvreplay run [extra...] elf [guestArgs...] */
export function runOurs(elf: string, extra: string[] = [], opts: RunOptions = {}, guestArgs: string[] = []): Promise<RunResult> {
  return runProcess(process.execPath, [CLI, 'run', ...extra, elf, ...guestArgs], opts);
}

/**
 * QEMU as the reference: `-icount shift=0,sleep=off` makes its virtual clock (and so the
 * instret it reports) deterministic; with the default sleep=on QEMU adds a host-timing bias.
 */
export async function runQemu(elf: string, extra: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  // QEMU's serial port drops a byte after a few failed writes to a full pipe, so its stdout goes
  // to a file (which never blocks) and is read back afterwards.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-qemu-'));
  const outFile = path.join(dir, 'stdout');
  const fd = fs.openSync(outFile, 'w');
  try {
    const r = await runProcess(QEMU, ['-M', 'virt', '-nographic', '-bios', 'none', '-icount', 'shift=0,sleep=off', ...extra, '-kernel', elf], { ...opts, stdoutFd: fd });
    return { ...r, stdout: fs.readFileSync(outFile, 'latin1') };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
