// QMP commands with the names, arguments, results and error texts of QEMU's (qapi/replay.json,
// qapi/run-state.json, qapi/misc.json), so scripts written for QEMU's replay work here.
import type { VmControl } from '../debug/vm-control';
import { TravelError } from '../debug/time-travel';
import { humanMonitorCommand } from './hmp';
import { VERSION } from '../version';

export class QmpError extends Error {
  constructor(readonly errorClass: 'GenericError' | 'CommandNotFound', message: string) {
    super(message);
  }
}

type Args = Record<string, unknown>;

function intArg(args: Args, name: string): number {
  const v = args[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new QmpError('GenericError', `Parameter '${name}' is missing or not an integer`);
  return v;
}

const commands: Record<string, (c: VmControl, args: Args) => unknown> = {
  'query-status': (c) => ({ status: c.status, singlestep: false, running: c.running }),
  'query-version': () => ({ qemu: { major: 7, minor: 2, micro: 0 }, package: `rvreplay ${VERSION}` }),
  'query-commands': () => Object.keys(commands).concat('qmp_capabilities').map((name) => ({ name })),
  stop: (c) => { c.pause('paused'); return {}; },
  cont: (c) => {
    if (c.status === 'shutdown') throw new QmpError('GenericError', 'the guest has ended; seek back or quit');
    c.cont();
    return {};
  },
  quit: (c) => { c.quit(); return {}; },
  'query-replay': (c) => {
    const g = c.machine.gate;
    const mode = g.mode === 'replay' ? 'play' : g.mode;
    return { mode, ...(g.filename ? { filename: g.filename } : {}), icount: c.machine.hart.icount };
  },
  'replay-break': (c, a) => { c.travel.setBreak(intArg(a, 'icount')); return {}; },
  'replay-delete-break': (c) => { c.travel.deleteBreak(); return {}; },
  'replay-seek': (c, a) => {
    c.travel.seek(intArg(a, 'icount'));
    // QEMU restarts the VM and stops it at the target: the same events, here after the fact.
    c.cont();
    c.pause('paused');
    return {};
  },
  'human-monitor-command': (c, a) => {
    const line = a['command-line'];
    if (typeof line !== 'string') throw new QmpError('GenericError', "Parameter 'command-line' is missing");
    return humanMonitorCommand(c, line);
  },
};

/** Runs one QMP command; throws QmpError with QEMU's error class and text. */
export function executeQmp(c: VmControl, name: string, args: Args): unknown {
  const f = commands[name];
  if (f === undefined) throw new QmpError('CommandNotFound', `The command ${name} has not been found`);
  try {
    return f(c, args);
  } catch (e) {
    if (e instanceof TravelError) throw new QmpError('GenericError', e.message);
    throw e;
  }
}
