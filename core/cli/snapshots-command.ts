// `rvreplay snapshots FILE`: the named snapshots saved beside a recording, as QEMU's `info snapshots`.
import { parseArgs, UsageError } from './args';
import { readSnapshotFile, snapshotFileFor } from '../replay/snapshot-file';
import { snapshotTable } from '../debug/named-snapshots';

export const SNAPSHOTS_USAGE = `usage: rvreplay snapshots FILE
Lists the named snapshots of the recording FILE (kept in FILE.snapshots).`;

export function snapshotsCommand(argv: string[]): number {
  const args = parseArgs(argv, {});
  const [file] = args.positionals;
  if (file === undefined || args.positionals.length > 1) throw new UsageError('snapshots needs exactly one FILE');
  const stored = readSnapshotFile(snapshotFileFor(file));
  const rows = (stored?.snapshots ?? []).map((s) => ({ id: s.id, name: s.name, vmStateSize: s.pages.length * 4096, dateMs: s.dateMs, vmClockNs: s.vmClockNs, icount: s.icount }));
  process.stdout.write(snapshotTable(rows));
  return 0;
}
