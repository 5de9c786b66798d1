// The human monitor commands QMP's human-monitor-command runs (QEMU's HMP): the replay and
// snapshot ones. Errors come back as text, as QEMU's HMP prints them.
import type { VmControl } from '../debug/vm-control';
import { TravelError } from '../debug/time-travel';

export function humanMonitorCommand(c: VmControl, line: string): string {
  const [cmd, ...rest] = line.trim().split(/\s+/);
  const arg = rest.join(' ');
  const tt = c.travel;
  try {
    switch (cmd) {
      case 'info':
        if (arg === 'snapshots') return tt.named.table();
        if (arg === 'replay') {
          const g = c.machine.gate;
          if (g.mode === 'none') return 'Record/replay is not active\n';
          return `${g.mode === 'record' ? 'Recording' : 'Replaying'} execution '${g.filename ?? ''}': instruction count = ${c.machine.hart.icount}\n`;
        }
        if (arg === 'status') return `VM status: ${c.status}\n`;
        return `info ${arg}: not supported by rvreplay (try snapshots, replay, status)\n`;
      case 'savevm': {
        const name = arg || `vm-${tt.named.list.length + 1}`;
        tt.named.save(name);
        return '';
      }
      case 'loadvm':
        if (!arg) return 'Error: loadvm needs a snapshot name\n';
        tt.loadNamed(arg);
        c.pause('paused');
        return '';
      case 'delvm':
        if (!tt.named.delete(arg)) return `Error: Snapshot '${arg}' not found\n`;
        return '';
      case 'replay_break': tt.setBreak(Number(arg)); return '';
      case 'replay_delete_break': tt.deleteBreak(); return '';
      case 'replay_seek': tt.seek(Number(arg)); c.pause('paused'); return '';
      case 'stop': c.pause('paused'); return '';
      case 'cont': case 'c': c.cont(); return '';
      default: return `unknown command: '${cmd}'\n`;
    }
  } catch (e) {
    if (e instanceof TravelError || (e instanceof Error && e.name === 'SnapshotFileError')) return `Error: ${e.message}\n`;
    throw e;
  }
}
