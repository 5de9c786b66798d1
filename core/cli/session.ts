// The loop shared by `run`, `record` and `replay`: runs the machine in slices, moves the
// terminal's input in and the guest's output out, shows progress, and turns how the machine
// stopped into a message and an exit status.
import type { VirtMachine } from '../machine/virt';
import type { HostConsole } from './console';
import type { TimeTravel, TravelStop } from '../debug/time-travel';
import type { VmControl } from '../debug/vm-control';
import { describeCause } from '../cpu/trap';
import type { EndReason } from '../replay/events';

/** Instructions per run slice: small enough to answer input and Ctrl-C quickly, big enough to amortize. */
const SLICE = 2_000_000;
const PROGRESS_AFTER_MS = 2000;

export const EXIT_LIMIT = 124;
export const EXIT_FAILED = 125;
export const EXIT_QUIT = 130;

export interface SessionOptions {
  maxInsns: number;
  /** Total icount expected (replay: the recording's length), for progress. */
  expectedIcount?: number;
  /** Called after every slice (the recorder flushes its file here when due). */
  afterSlice?: () => void;
  /** Called before waiting for the user's input (the recorder flushes everything here). */
  beforeWait?: () => void;
  /** Run through the time-travel controller (snapshots, replay-break) instead of the bare machine. */
  travel?: TimeTravel;
  /** Something outside (QMP) may pause and resume the VM; the session then also outlives the guest. */
  control?: VmControl;
}

export interface SessionResult {
  status: number;
  /** How the run ended, in the rrfile's terms. */
  reason: EndReason;
  stop: TravelStop | { kind: 'quit' };
  seconds: number;
}

const log = (msg: string): void => { process.stderr.write(`[rvreplay] ${msg}\n`); };

export async function runSession(machine: VirtMachine, console: HostConsole, opts: SessionOptions): Promise<SessionResult> {
  const t0 = performance.now();
  let lastProgress = t0;
  const control = opts.control;
  const onSigint = (): void => { console.requestQuit(); control?.quit(); };
  process.on('SIGINT', onSigint);
  console.start();
  const travel = opts.travel;
  if (travel) travel.onOutput = (b) => console.write(b);
  else machine.onOutput = (b) => console.write(b);
  const run = (until: number): TravelStop => (travel ? travel.run(until) : machine.run(until));
  const hart = machine.hart;
  let result: Omit<SessionResult, 'seconds'> | undefined;
  /** With a controller, how the guest last ended (the session waits on for more commands). */
  let ended: Omit<SessionResult, 'seconds'> | undefined;
  try {
    for (;;) {
      if (console.quitRequested || control?.quitRequested) {
        if (!ended) log(`quit at icount ${hart.icount}`);
        result = ended ?? { status: EXIT_QUIT, reason: 'quit', stop: { kind: 'quit' } };
        break;
      }
      if (control && !control.running) {
        console.flush();
        opts.beforeWait?.();
        await control.waitRunning();
        continue;
      }
      ended = undefined;
      const stop = run(Math.min(hart.icount + SLICE, opts.maxInsns));
      console.flush();
      opts.afterSlice?.();
      const end = endOf(stop, hart, opts.maxInsns);
      if (end !== undefined) {
        if (!control) { result = end; break; }
        if (stop.kind === 'replay-stop') log(stop.stop.message);
        ended = end;
        control.pause(end.reason === 'exit' && stop.kind === 'exit' ? 'shutdown' : 'paused');
        continue;
      }
      if (stop.kind === 'break') { control?.pause('paused'); continue; }
      if (stop.kind === 'input') {
        if (console.inputEnded) {
          log(`the guest waits for input at icount ${hart.icount}, but the input has ended; stopping`);
          result = { status: EXIT_FAILED, reason: 'idle', stop: { kind: 'idle' } };
          break;
        }
        opts.beforeWait?.();
        await console.waitForInput();
      }
      else await new Promise<void>((r) => setImmediate(r)); // let stdin, sockets and signals in
      const now = performance.now();
      if (now - t0 > PROGRESS_AFTER_MS && now - lastProgress > 250) {
        lastProgress = now;
        const of = opts.expectedIcount ? ` of ${opts.expectedIcount.toLocaleString('en-US')} (${((100 * hart.icount) / opts.expectedIcount).toFixed(0)}%)` : '';
        console.progress(`[rvreplay] icount ${hart.icount.toLocaleString('en-US')}${of}  ${(hart.icount / ((now - t0) * 1000)).toFixed(1)} MIPS`);
      }
    }
  } finally {
    console.flush();
    console.clearProgress();
    console.stop();
    process.off('SIGINT', onSigint);
  }
  return { ...result!, seconds: (performance.now() - t0) / 1000 };
}

/** How a stop ends the session (undefined: it does not), with its message logged. */
function endOf(stop: TravelStop, hart: VirtMachine['hart'], maxInsns: number): Omit<SessionResult, 'seconds'> | undefined {
  switch (stop.kind) {
    case 'exit': return { status: stop.code, reason: 'exit', stop };
    case 'replay-stop': return { status: stop.stop.status, reason: stop.stop.kind === 'end' ? 'exit' : 'error', stop };
    case 'idle':
      log(`the guest waits in wfi with no interrupt that could wake it (icount ${hart.icount}, pc 0x${hart.pc.toString(16)}); stopping`);
      return { status: EXIT_FAILED, reason: 'idle', stop };
    case 'trap-loop':
      log(`the guest is stuck in a trap loop at icount ${hart.icount}: ${describeCause(stop.mcause)} (mcause 0x${stop.mcause.toString(16)}) at pc 0x${stop.pc.toString(16)}, mtval 0x${stop.mtval.toString(16)}, and the handler at mtvec 0x${hart.mtvec.toString(16)} traps again; stopping`);
      return { status: EXIT_FAILED, reason: 'trap-loop', stop };
    case 'limit':
      if (hart.icount < maxInsns) return undefined;
      log(`stopped at icount ${hart.icount} (--max-insns)`);
      return { status: EXIT_LIMIT, reason: 'limit', stop };
    default: return undefined;
  }
}

export function printStats(machine: VirtMachine, r: SessionResult): void {
  log(`icount=${machine.hart.icount} wall=${r.seconds.toFixed(3)}s mips=${(machine.hart.icount / r.seconds / 1e6).toFixed(1)} exit=${r.status}`);
}
