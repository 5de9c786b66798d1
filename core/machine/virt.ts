// The `virt` board: one hart, RAM at 0x80000000, MROM, CLINT, ns16550a UART, sifive_test,
// goldfish RTC, optional semihosting; and the run loop that ties the hart to devices, virtual
// time and the gate's inputs.
import { Hart, Exit, SEMIHOST_WAIT, type HartState } from '../cpu/hart';
import { Ram } from '../mem/ram';
import { Bus } from '../mem/bus';
import { VirtualClock } from './vclock';
import { Clint, type ClintState } from '../devices/clint';
import { Uart16550, type UartState } from '../devices/uart16550';
import { SifiveTest } from '../devices/sifive-test';
import { GoldfishRtc, type RtcState } from '../devices/goldfish-rtc';
import { Rom } from '../devices/rom';
import { Semihosting, SEMIHOST_RETRY } from '../devices/semihosting';
import { Gate, ReplayStop, type GateState } from '../replay/gate';
import { PokeSpace } from '../replay/events';
import { hartDigest } from '../replay/digest';
import { MIP_MTIP, MIP_MEIP, CSR, MSTATUS_WRITABLE, MIE_WRITABLE } from '../cpu/csr';
import { Plic, UART0_IRQ, type PlicState } from '../devices/plic';
import { parseElf, checkSegmentsFit, type ElfImage } from '../elf/elf';
import { UserError } from '../errors';
import { MROM_BASE, MROM_SIZE, RESET_PC, fdtAddress, resetVector } from './boot';

export const RAM_BASE = 0x80000000;

/** CSRs a debugger may change (by number): plain state, no side effects. */
export const POKEABLE_CSRS: Record<number, string> = {
  [CSR.mstatus]: 'mstatus', [CSR.mie]: 'mie', [CSR.mtvec]: 'mtvec', [CSR.mscratch]: 'mscratch',
  [CSR.mepc]: 'mepc', [CSR.mcause]: 'mcause', [CSR.mtval]: 'mtval', [CSR.mcounteren]: 'mcounteren',
};
export const DEFAULT_RAM_MIB = 128;

export interface MachineOptions {
  /** RAM size in MiB (default 128, like QEMU's virt). */
  ramMiB?: number;
  /** QEMU's -icount shift: each instruction advances virtual time by 2^shift ns (default 0). */
  icountShift?: number;
  /** Enable semihosting (QEMU's -semihosting); host files are confined to `root`. */
  semihosting?: { root: string; cmdline: string };
  gate?: Gate;
}

/** The machine's state apart from RAM: plain data (JSON-safe but for the gate's frame bytes). */
export interface MachineState {
  hart: HartState;
  clint: ClintState;
  uart: UartState;
  rtc: RtcState;
  plic: PlicState;
  semihosting: object | undefined;
  warpNs: number;
  exitCode: number | undefined;
  resetRequested: boolean;
  gate: GateState;
}

export type StopReason =
  | { kind: 'limit' }
  | { kind: 'exit'; code: number }
  /** wfi with no interrupt that could ever wake the hart. */
  | { kind: 'idle' }
  /** The guest waits for console input that has not arrived yet. */
  | { kind: 'input' }
  /** Trap after trap without retiring an instruction: the guest can make no progress. */
  | { kind: 'trap-loop'; pc: number; mcause: number; mtval: number }
  /** pc is at a hart breakpoint (Hart.setBreakpoints with breakOn), not executed yet. */
  | { kind: 'breakpoint' }
  /**
   * The instruction just run accessed a watched range (Hart.setWatchpoints with watchOn): it
   * retired (pc at the next one; or, had it trapped after writing, pc at the trap handler);
   * hart.watchHits says what it accessed.
   */
  | { kind: 'watchpoint' }
  /** Replay only: the recording ended, is damaged, or the replay diverged from it. */
  | { kind: 'replay-stop'; stop: ReplayStop };

export class VirtMachine {
  readonly ram: Ram;
  readonly bus: Bus;
  readonly hart: Hart;
  readonly clock: VirtualClock;
  readonly clint: Clint;
  readonly uart: Uart16550;
  readonly rtc: GoldfishRtc;
  readonly plic: Plic;
  readonly gate: Gate;
  readonly elf: ElfImage;
  readonly semihosting: Semihosting | undefined;
  readonly icountShift: number;
  /** Guest output (UART transmit and semihosting console writes), one chunk at a time. */
  onOutput: (bytes: Uint8Array) => void = () => {};
  exitCode: number | undefined;
  private resetRequested = false;
  private semihostWaiting = false;

  constructor(elfBytes: Uint8Array, elfName: string, opts: MachineOptions = {}) {
    const ramMiB = opts.ramMiB ?? DEFAULT_RAM_MIB;
    if (!Number.isInteger(ramMiB) || ramMiB < 1 || ramMiB > 2048) throw new UserError(`RAM size must be an integer from 1 to 2048 MiB, got ${ramMiB}`);
    this.elf = parseElf(elfBytes, elfName);
    checkSegmentsFit(this.elf, RAM_BASE, ramMiB * 1024 * 1024);
    this.gate = opts.gate ?? Gate.none();
    this.icountShift = opts.icountShift ?? 0;
    this.ram = new Ram(RAM_BASE, ramMiB * 1024 * 1024);
    this.bus = new Bus(this.ram);
    this.hart = new Hart({
      bus: this.bus,
      readTime: () => this.clint.mtime(),
      semihost: opts.semihosting ? (op, param) => this.semihostCall(op, param) : undefined,
    });
    this.clock = new VirtualClock(this.icountShift, () => this.hart.icount);
    const setIrq = (mask: number, level: boolean): void => {
      this.hart.irqLines = level ? this.hart.irqLines | mask : this.hart.irqLines & ~mask;
    };
    this.clint = new Clint(this.clock, setIrq);
    this.plic = new Plic((level) => setIrq(MIP_MEIP, level));
    this.uart = new Uart16550((b) => this.onOutput(Uint8Array.of(b)), (level) => this.plic.setLevel(UART0_IRQ, level));
    this.rtc = new GoldfishRtc(() => this.gate.rtcNowNs());
    this.bus.addDevice(new Rom('mrom', MROM_BASE, MROM_SIZE, resetVector(this.elf.entry, fdtAddress(RAM_BASE, this.ram.size))));
    this.bus.addDevice(new SifiveTest((code) => this.requestExit(code), () => { this.resetRequested = true; }));
    this.bus.addDevice(this.rtc);
    this.bus.addDevice(this.clint);
    this.bus.addDevice(this.uart);
    this.bus.addDevice(this.plic);
    if (opts.semihosting) {
      this.semihosting = new Semihosting(this.bus, {
        host: this.gate.semihostHost(opts.semihosting.root),
        readConsoleByte: () => this.gate.takeConsoleByte(),
        writeConsole: (bytes) => this.onOutput(bytes),
        exit: (code) => this.requestExit(code),
      }, {
        cmdline: opts.semihosting.cmdline, ramBase: RAM_BASE, ramSize: this.ram.size,
        loaded: this.elf.segments.map((s) => ({ addr: s.paddr >>> 0, size: s.memsz })),
      });
    }
    this.gate.attach({
      icount: () => this.hart.icount,
      pc: () => this.hart.pc,
      digest: () => hartDigest(this.hart),
      // With semihosting on, console input belongs to the semihosting console, not the UART.
      uartCanReceive: () => this.semihosting === undefined && this.uart.canReceive(),
      uartReceive: (b) => this.uart.receive(b),
      reset: () => this.reset(),
      poke: (space, index, bytes) => this.poke(space, index, bytes),
    });
    this.reset();
  }

  /** A debugger's change to the machine, between instructions (see Gate.poke, which logs it). */
  private poke(space: PokeSpace, index: number, bytes: Uint8Array): void {
    const word = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset).getInt32(0, true) : 0;
    const hart = this.hart as unknown as Record<string, number>;
    switch (space) {
      case PokeSpace.X: if (index > 0 && index < 32) this.hart.x[index] = word; break;
      case PokeSpace.PC: this.hart.pc = word >>> 0; break;
      case PokeSpace.MEM: this.bus.writeBytes(index >>> 0, bytes); break;
      case PokeSpace.CSR: {
        const name = POKEABLE_CSRS[index];
        // As a CSR write would leave them (WARL): only implemented bits.
        const mask: Record<string, number> = { mstatus: MSTATUS_WRITABLE, mie: MIE_WRITABLE, mepc: ~1, mcounteren: 7 };
        if (name !== undefined) hart[name] = word & (mask[name] ?? -1);
        break;
      }
    }
  }

  /** Everything but RAM, as plain data (the snapshot layer adds RAM). */
  saveState(): MachineState {
    return {
      hart: this.hart.save(), clint: this.clint.save(), uart: this.uart.save(), rtc: this.rtc.save(), plic: this.plic.save(),
      semihosting: this.semihosting?.save(), warpNs: this.clock.warpNs, exitCode: this.exitCode,
      resetRequested: this.resetRequested, gate: this.gate.save(),
    };
  }

  restoreState(s: MachineState): void {
    this.gate.restore(s.gate);
    this.hart.restore(s.hart);
    this.clock.warpNs = s.warpNs;
    this.clint.restore(s.clint);
    this.uart.restore(s.uart);
    this.rtc.restore(s.rtc);
    this.plic.restore(s.plic); // after the UART, whose restore may move its interrupt line
    if (this.semihosting && s.semihosting) this.semihosting.restore(s.semihosting);
    this.exitCode = s.exitCode;
    this.resetRequested = s.resetRequested;
  }

  /** The devices on the board, for the rrfile's machine identity. */
  deviceNames(): string[] {
    return [...this.bus.devices.map((d) => d.name), ...(this.semihosting ? ['semihosting'] : [])];
  }

  /** Power-on or sifive_test reset: reloads the program image, resets hart and devices. icount keeps counting. */
  reset(): void {
    for (const seg of this.elf.segments) {
      const off = (seg.paddr >>> 0) - RAM_BASE;
      this.ram.u8.set(seg.data, off);
      this.ram.u8.fill(0, off + seg.data.length, off + seg.memsz);
      this.ram.touchRange(off, seg.memsz);
    }
    const icount = this.hart.icount;
    this.hart.reset(RESET_PC);
    this.hart.icount = icount;
    this.hart.irqLines = 0;
    this.hart.flushDecodeCache();
    this.clint.reset();
    this.uart.reset();
    this.plic.reset();
    this.resetRequested = false;
  }

  private requestExit(code: number): void {
    if (this.exitCode === undefined) this.exitCode = code;
  }

  private semihostCall(op: number, param: number): number {
    const r = this.semihosting!.call(op, param);
    if (r === SEMIHOST_RETRY) { this.semihostWaiting = true; return SEMIHOST_WAIT; }
    return r;
  }

  /** Runs until the icount reaches `until`, the guest exits, or it must wait for the host. */
  run(until: number): StopReason {
    try {
      return this.runLoop(until);
    } catch (e) {
      if (e instanceof ReplayStop) return { kind: 'replay-stop', stop: e };
      throw e;
    }
  }

  private runLoop(until: number): StopReason {
    const hart = this.hart;
    while (this.exitCode === undefined) {
      // Return before touching any state, so that a run that resumes at this icount does the
      // same things in the same order as one that never stopped here (replay depends on it).
      if (hart.icount >= until) return { kind: 'limit' };
      if (this.resetRequested) this.reset();
      this.gate.boundary();
      this.clint.update();
      if (hart.waiting) {
        if (hart.wakeable()) hart.waiting = false;
        else if ((hart.mie & MIP_MTIP) && this.clint.armed()) {
          // Idle until the timer fires: virtual time jumps there at once (deterministic warp).
          this.clock.warpTo(this.clint.deadlineNs());
          this.clint.update();
          hart.waiting = false;
        } else if (hart.mie & MIP_MEIP) {
          // Only an external interrupt can end this wait: the UART's, when input arrives. Virtual
          // time stands still meanwhile (as QEMU's -icount sleep=off), so nothing host-dependent
          // enters the machine but the input itself.
          // Re-executing the past (a replay, or a recording before its frontier), the input
          // that woke the guest was delivered at this icount: waiting is a divergence.
          if (this.gate.inHistory) this.gate.idleWithoutInput();
          return { kind: 'input' };
        } else {
          return { kind: 'idle' };
        }
      }
      const irq = hart.pendingInterrupt();
      if (irq >= 0) hart.takeTrap(irq, 0, true);
      const limit = Math.min(until, this.clint.deadlineIcount(), this.gate.nextBoundary());
      this.semihostWaiting = false;
      const exit = hart.execute(limit);
      if (exit === Exit.INPUT_WAIT && this.semihostWaiting) return { kind: 'input' };
      if (exit === Exit.TRAP_LOOP) return { kind: 'trap-loop', pc: hart.mepc, mcause: hart.mcause, mtval: hart.mtval };
      if (exit === Exit.BREAKPOINT) return { kind: 'breakpoint' };
      if (exit === Exit.WATCHPOINT) return { kind: 'watchpoint' };
    }
    return { kind: 'exit', code: this.exitCode };
  }
}
