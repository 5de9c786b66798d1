// A debugger runtime (core/debug/debugger.ts) on a freshly launched VM, without DAP: each
// operation can be awaited until its stop. Recordings go to a temporary directory.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchVm, type DebugLaunchConfig, type LaunchedVm } from '../../core/debug/launch';
import { Debugger, type Stop } from '../../core/debug/debugger';

let tmp: string | undefined;
let n = 0;

export class DebugSession {
  readonly d: Debugger;
  readonly vm: LaunchedVm;
  readonly rrfile: string | undefined;
  output = '';
  messages = '';
  readonly stops: Stop[] = [];
  private waiting: ((s: Stop) => void) | undefined;

  /** rr defaults to record, into a new file of the temporary directory. */
  constructor(cfg: DebugLaunchConfig) {
    tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-debug-session-'));
    const rrfile = cfg.rr === 'none' ? undefined : path.join(tmp, `s${n++}.rr`);
    this.vm = launchVm({ rrfile, ...cfg });
    this.rrfile = this.vm.rrfile;
    const vm = this.vm;
    this.d = new Debugger({ machine: vm.machine, travel: vm.travel, debugInfo: vm.debugInfo, mode: vm.mode, recordingEnd: vm.recordingEnd }, {
      stopped: (s) => { this.stops.push(s); const w = this.waiting; this.waiting = undefined; w?.(s); },
      output: (t) => { this.output += t; },
      message: (t) => { this.messages += t; },
    });
  }

  /** Starts an operation and waits for its stop. */
  async do(op: (d: Debugger) => void): Promise<Stop> {
    const p = new Promise<Stop>((r) => { this.waiting = r; });
    op(this.d);
    return p;
  }

  /** Runs the whole program (the recording's frontier is then its end). */
  async runToEnd(): Promise<number> {
    const s = await this.do((d) => d.continue());
    assert.equal(s.reason, 'exit', s.description);
    return this.d.icount;
  }
}
