// Automatic-snapshot memory of a recording as the debug adapter holds it. The adapter does not
// report its snapshots' bytes over DAP, so this sets up the same machine in-process with the
// adapter's own launchVm (same snapshot interval and budget) and plays it to the end, as the
// latency benchmark's first goto does.
import { launchVm } from '../core/debug/launch';

export interface SnapshotMemory { bytes: number; budgetBytes: number; count: number; interval: number }

export function snapshotMemory(program: string, rrfile: string, end: number): SnapshotMemory {
  const vm = launchVm({ program, rr: 'replay', rrfile, stopOnEntry: true });
  vm.travel.seek(end - 1);
  const a = vm.travel.autos;
  return { bytes: a.bytes, budgetBytes: a.budgetBytes, count: a.list.length, interval: a.interval };
}
