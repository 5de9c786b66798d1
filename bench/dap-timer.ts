// A DebugClient on the built adapter (dist/adapter.js) that times requests the way a user feels
// them: from sending the request to the `stopped` event it causes. Also reads the adapter
// process's peak RSS (Linux: VmHWM in /proc/PID/status).
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface Timed { ms: number; stop: DebugProtocol.StoppedEvent }

/** A request that did not stop within its time limit (the adapter was paused afterwards). */
export class TimeoutError extends Error {
  constructor(readonly limitMs: number, what: string) { super(`${what}: no stop within ${limitMs / 1000} s`); }
}

export class TimedDap {
  readonly dc: DebugClient;
  /** When start() spawned the adapter (performance.now()). */
  spawnedAt = 0;

  constructor(adapter: string) {
    this.dc = new DebugClient(process.execPath, adapter, 'rvreplay');
    // Bounds waits for events that must come; the measurements have their own limits.
    this.dc.defaultTimeout = 600_000;
  }

  async start(): Promise<void> {
    this.spawnedAt = performance.now();
    await this.dc.start();
  }

  /** The adapter's process id (DebugClient keeps its child private). */
  get pid(): number | undefined {
    // The field is private in DebugClient's typings; it is the ChildProcess spawned by start().
    return (this.dc as unknown as { _adapterProcess?: ChildProcess | null })._adapterProcess?.pid;
  }

  /** Peak resident set size of the adapter process so far, in bytes (NaN where /proc has none). */
  peakRssBytes(): number {
    const pid = this.pid;
    if (pid === undefined) return NaN;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  /**
   * initialize + launch, with source breakpoints (file → lines) and function breakpoints set
   * in the configuration phase, as VS Code does; resolves at the first stop, timed from `t0`
   * (default: now).
   */
  async launch(args: Record<string, unknown>, opts: { lines?: Record<string, number[]>; functions?: string[]; t0?: number } = {}): Promise<Timed> {
    const t0 = opts.t0 ?? performance.now();
    const stopped = this.dc.waitForEvent('stopped');
    await Promise.all([
      this.dc.waitForEvent('initialized').then(async () => {
        for (const [file, lines] of Object.entries(opts.lines ?? {})) {
          await this.dc.setBreakpointsRequest({ source: { path: file }, breakpoints: lines.map((line) => ({ line })) });
        }
        if (opts.functions) await this.dc.setFunctionBreakpointsRequest({ breakpoints: opts.functions.map((name) => ({ name })) });
        await this.dc.configurationDoneRequest();
      }),
      this.dc.launch(args),
    ]);
    const stop = (await stopped) as DebugProtocol.StoppedEvent;
    return { ms: performance.now() - t0, stop };
  }

  /**
   * Sends a request that runs the machine and times it until the `stopped` event. Past
   * `limitMs` the machine is paused (and the pause's stop awaited) and TimeoutError thrown.
   */
  async timed(what: string, f: (dc: DebugClient) => Promise<unknown>, limitMs = 600_000): Promise<Timed> {
    const stopped = this.dc.waitForEvent('stopped', limitMs);
    const t0 = performance.now();
    try {
      await f(this.dc);
    } catch (e) {
      stopped.catch(() => {}); // no stop comes after a refused request
      throw e;
    }
    try {
      const stop = (await stopped) as DebugProtocol.StoppedEvent;
      return { ms: performance.now() - t0, stop };
    } catch {
      const paused = this.dc.waitForEvent('stopped', 30_000);
      await this.dc.pauseRequest({ threadId: 1 }).catch(() => {});
      await paused.catch(() => {});
      throw new TimeoutError(limitMs, what);
    }
  }

  async goto(icount: number): Promise<Timed> {
    return this.timed(`goto ${icount}`, (dc) => dc.customRequest('rvreplay/gotoIcount', { icount }));
  }

  async icount(): Promise<number> {
    const r = await this.dc.customRequest('rvreplay/timeline');
    return (r.body as { icount: number }).icount;
  }

  async timeline(): Promise<{ icount: number; frontier: number; end?: number; snapshots: { kind: string; count?: number }[] }> {
    return (await this.dc.customRequest('rvreplay/timeline')).body as { icount: number; frontier: number; end?: number; snapshots: { kind: string; count?: number }[] };
  }

  async stop(): Promise<void> {
    await this.dc.disconnectRequest({}).catch(() => {});
    await this.dc.stop().catch(() => {});
  }
}
