// Run state of a VM that something outside controls (a QMP client now, the debug adapter
// later): running or paused, with STOP/RESUME notifications, on top of the time-travel
// controller. The session loop runs the machine while `status === 'running'`.
import type { VirtMachine } from '../machine/virt';
import type { TimeTravel } from './time-travel';

export type RunStatus = 'running' | 'paused' | 'debug' | 'shutdown';

export interface VmListener {
  stopped(status: RunStatus): void;
  resumed(): void;
}

export class VmControl {
  status: RunStatus;
  private readonly listeners = new Set<VmListener>();
  private waiters: (() => void)[] = [];
  quitRequested = false;

  constructor(readonly machine: VirtMachine, readonly travel: TimeTravel, startPaused: boolean) {
    this.status = startPaused ? 'paused' : 'running';
  }

  listen(l: VmListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** Stops the VM (no-op when already stopped). */
  pause(status: Exclude<RunStatus, 'running'> = 'paused'): void {
    if (this.status !== 'running') { this.status = status; return; }
    this.status = status;
    for (const l of this.listeners) l.stopped(status);
  }

  cont(): void {
    if (this.status === 'running') return;
    this.status = 'running';
    for (const l of this.listeners) l.resumed();
    this.wake();
  }

  quit(): void {
    this.quitRequested = true;
    this.wake();
  }

  /** Resolves when the VM runs again or quit is requested. */
  waitRunning(): Promise<void> {
    if (this.running || this.quitRequested) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
