// Named snapshots (savevm / loadvm / delvm / rrsnapshot), kept in memory and, when the machine
// replays or records a file, persisted in the snapshot file beside it.
import type { Snapshot, Snapshotter } from '../snapshot/snapshot';
import { RamImageStore } from '../snapshot/ram-image';
import type { MachineState } from '../machine/virt';
import { HostClock } from '../replay/host-clock';
import { readSnapshotFile, writeSnapshotFile, SnapshotFileError, type StoredSnapshot } from '../replay/snapshot-file';

export interface NamedSnapshot { id: number; name: string; dateMs: number; snapshot: Snapshot; vmStateSize: number }

export class NamedSnapshots {
  readonly list: NamedSnapshot[] = [];

  private readonly clock = new HostClock();

  /** `file`: where they persist (undefined: memory only); `recording`: the recording they belong to. */
  constructor(private readonly snapshotter: Snapshotter, private readonly file: string | undefined, private readonly recording: string) {
    if (file === undefined) return;
    const stored = readSnapshotFile(file);
    if (stored === undefined) return;
    if (stored.recording !== recording) throw new SnapshotFileError(`snapshot file ${file} belongs to another recording (${stored.recording}, this one is ${recording})`);
    for (const s of stored.snapshots) {
      const ram = snapshotter.images.fromPages(s.pages.map((p, i) => [p, s.data![i]]));
      const snapshot: Snapshot = { icount: s.icount, vmClockNs: s.vmClockNs, state: s.state as MachineState, ram };
      this.list.push({ id: s.id, name: s.name, dateMs: s.dateMs, snapshot, vmStateSize: RamImageStore.sizeOf(ram) });
    }
  }

  get(name: string): NamedSnapshot | undefined {
    return this.list.find((s) => s.name === name);
  }

  /** savevm: captures the machine now under `name`, replacing a snapshot of that name. */
  save(name: string): NamedSnapshot {
    const snapshot = this.snapshotter.capture();
    const old = this.get(name);
    if (old) this.remove(old);
    const id = this.list.reduce((m, s) => Math.max(m, s.id), 0) + 1;
    // The date is informational (QEMU's DATE column); it never reaches the guest.
    const entry = { id, name, dateMs: Number(this.clock.wallNs() / 1_000_000n), snapshot, vmStateSize: RamImageStore.sizeOf(snapshot.ram) };
    this.list.push(entry);
    this.persist();
    return entry;
  }

  /** delvm: false when there is no such snapshot. */
  delete(name: string): boolean {
    const s = this.get(name);
    if (!s) return false;
    this.remove(s);
    this.persist();
    return true;
  }

  private remove(s: NamedSnapshot): void {
    this.list.splice(this.list.indexOf(s), 1);
    this.snapshotter.release(s.snapshot);
  }

  /** The latest named snapshot at or before `icount`. */
  nearest(icount: number): NamedSnapshot | undefined {
    let best: NamedSnapshot | undefined;
    for (const s of this.list) if (s.snapshot.icount <= icount && (!best || s.snapshot.icount > best.snapshot.icount)) best = s;
    return best;
  }

  private persist(): void {
    if (this.file === undefined) return;
    const snapshots: StoredSnapshot[] = this.list.map((s) => {
      const pages = this.snapshotter.images.pages(s.snapshot.ram);
      return {
        id: s.id, name: s.name, dateMs: s.dateMs, vmClockNs: s.snapshot.vmClockNs, icount: s.snapshot.icount,
        state: s.snapshot.state, pages: pages.map(([p]) => p), data: pages.map(([, d]) => d),
      };
    });
    writeSnapshotFile(this.file, { recording: this.recording, snapshots });
  }

  /** QEMU's `info snapshots` table, with the ICOUNT column of record/replay builds. */
  table(): string {
    return snapshotTable(this.list.map((s) => ({ id: s.id, name: s.name, vmStateSize: s.vmStateSize, dateMs: s.dateMs, vmClockNs: s.snapshot.vmClockNs, icount: s.snapshot.icount })));
  }
}

export interface SnapshotRow { id: number; name: string; vmStateSize: number; dateMs: number; vmClockNs: number; icount: number }

export function snapshotTable(list: SnapshotRow[]): string {
  if (list.length === 0) return 'There is no snapshot available.\n';
  const rows = ['List of snapshots present on all disks:', 'ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT'];
  const p2 = (n: number): string => String(n).padStart(2, '0');
  for (const s of [...list].sort((a, b) => a.id - b.id)) {
    const d = new Date(s.dateMs);
    const date = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
    const secs = Math.floor(s.vmClockNs / 1e9);
    const clock = `${p2(Math.floor(secs / 3600))}:${p2(Math.floor(secs / 60) % 60)}:${p2(secs % 60)}.${String(Math.floor((s.vmClockNs % 1e9) / 1e6)).padStart(3, '0')}`;
    rows.push(`${String(s.id).padEnd(10)}${s.name.padEnd(18)}${formatSize(s.vmStateSize).padStart(10)} ${date} ${clock} ${String(s.icount).padStart(10)}`);
  }
  return rows.join('\n') + '\n';
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}
