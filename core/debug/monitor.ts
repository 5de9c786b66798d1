// Monitor commands typed into the Debug Console, with QEMU's names (QMP's and HMP's spellings
// both work): query-replay, replay-break N, replay-delete-break, replay-seek N, info snapshots,
// info replay, savevm NAME, loadvm NAME, delvm NAME. The ones that only read or keep state reuse
// the QMP/HMP implementations (core/qmp/); the ones that move the machine in time go through the
// debugger, so that the session sees the stop.
import type { Debugger } from './debugger';
import { VmControl } from './vm-control';
import { humanMonitorCommand } from '../qmp/hmp';
import { TravelError } from './time-travel';

export const MONITOR_HELP = `monitor commands (as QEMU's; "monitor" in front is optional):
  query-replay            record/replay mode, file and icount
  replay-break N          stop when execution reaches icount N (forward)
  replay-delete-break     remove it
  replay-seek N           go to icount N
  info snapshots          list named snapshots
  info replay             where the replay is
  savevm NAME / loadvm NAME / delvm NAME   named snapshots
anything else is evaluated as a C expression ($a0, *(int *)0x80001000, g_values[2]...)`;

const COMMANDS = /^(query-replay|replay[-_]break|replay[-_]delete[-_]break|replay[-_]seek|info|savevm|loadvm|delvm|help)\b/;

/** True when `line` is a monitor command rather than an expression. */
export function isMonitorCommand(line: string): boolean {
  return COMMANDS.test(line.trim().replace(/^monitor\s+/, ''));
}

/**
 * Runs a monitor command and returns its text output (errors as text, as QEMU's HMP prints
 * them). Commands that move in time start the move: the debugger reports the stop.
 */
export function runMonitorCommand(d: Debugger, input: string): string {
  const line = input.trim().replace(/^monitor\s+/, '');
  const [cmd, ...rest] = line.split(/\s+/);
  const arg = rest.join(' ');
  const name = cmd.replace(/_/g, '-');
  const num = (): number => {
    if (!/^\d+$/.test(arg)) throw new TravelError(`${cmd} needs an instruction count, got '${arg}'`);
    return Number(arg);
  };
  try {
    switch (name) {
      case 'help': return MONITOR_HELP;
      case 'query-replay': return JSON.stringify(d.queryReplay());
      case 'replay-break': d.travel.setBreak(num()); return `replay breakpoint at icount ${arg}`;
      case 'replay-delete-break': d.travel.deleteBreak(); return 'replay breakpoint deleted';
      case 'replay-seek': d.goto(num()); return '';
      case 'loadvm':
        if (!arg) return 'Error: loadvm needs a snapshot name';
        d.loadSnapshot(arg);
        return '';
      case 'savevm': {
        const n = arg || `vm-${d.travel.named.list.length + 1}`;
        d.saveSnapshot(n);
        return `saved snapshot '${n}' at icount ${d.icount}`;
      }
      case 'info': case 'delvm': {
        const control = new VmControl(d.machine, d.travel, true);
        return humanMonitorCommand(control, line).trimEnd();
      }
    }
    return `unknown command: '${cmd}'`;
  } catch (e) {
    if (e instanceof Error && (e.name === 'TravelError' || e.name === 'DebugError' || e.name === 'SnapshotFileError')) return `Error: ${e.message}`;
    throw e;
  }
}
