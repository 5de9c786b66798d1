// A snapshot is the whole machine at one icount: hart, CSRs, devices, virtual clock, the gate's
// place in the log (all plain data in `state`) and RAM (a RamImage sharing unchanged pages with
// other snapshots). Restoring one and running on gives exactly the state a straight run gives
// at every later icount.
import type { VirtMachine, MachineState } from '../machine/virt';
import { RamImageStore, type RamImage } from './ram-image';

export interface Snapshot {
  icount: number;
  /** Virtual clock in ns (QEMU's "VM CLOCK"). */
  vmClockNs: number;
  state: MachineState;
  ram: RamImage;
}

export class Snapshotter {
  readonly images: RamImageStore;

  constructor(private readonly machine: VirtMachine) {
    this.images = new RamImageStore(machine.ram);
  }

  capture(): Snapshot {
    const m = this.machine;
    // The state is deep-copied through JSON so that later machine changes can never reach it.
    const state = JSON.parse(JSON.stringify(m.saveState())) as MachineState;
    return { icount: m.hart.icount, vmClockNs: m.clock.nowNs(), state, ram: this.images.capture() };
  }

  restore(s: Snapshot): void {
    this.images.restore(s.ram);
    this.machine.restoreState(JSON.parse(JSON.stringify(s.state)) as MachineState);
  }

  release(s: Snapshot): void {
    this.images.release(s.ram);
  }
}
