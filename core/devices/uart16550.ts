// ns16550a UART at 0x10000000, modelled on QEMU's hw/char/serial.c closely enough for polled
// bare-metal drivers and, later, Linux's 8250 driver: divisor latch, FIFO control, the
// interrupt identification priorities, THR-empty interrupt semantics, scratch register.
// Transmission is instantaneous; received bytes come from the machine (the gate's input),
// which only offers a byte when `canReceive()` says there is room.
import type { MmioDevice } from '../mem/bus';

export const UART_BASE = 0x10000000;
const FIFO_SIZE = 16;

const LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08;
const IIR_NO_INT = 0x01, IIR_RLSI = 0x06, IIR_RDI = 0x04, IIR_THRI = 0x02, IIR_MSI = 0x00, IIR_FIFO = 0xc0;
const FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;
const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;
const MSR_DCD = 0x80, MSR_DSR = 0x20, MSR_CTS = 0x10, MSR_ANY_DELTA = 0x0f;

export interface UartState {
  rx: number[]; ier: number; lcr: number; mcr: number; lsr: number; msr: number; scr: number; fcr: number;
  dll: number; dlm: number; thrIpending: boolean;
}

export class Uart16550 implements MmioDevice {
  readonly name = 'uart0';
  readonly base = UART_BASE;
  readonly size = 0x100;
  private rx: number[] = [];
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private lsr = LSR_THRE | LSR_TEMT;
  private msr = MSR_DCD | MSR_DSR | MSR_CTS;
  private scr = 0;
  private fcr = 0;
  private dll = 0;
  private dlm = 0;
  /** The THR-empty interrupt is pending until IIR reports it or THR is written (16550 quirk). */
  private thrIpending = false;
  /** Current level of the interrupt line (wired to the PLIC once there is one). */
  irq = false;

  constructor(private readonly output: (byte: number) => void, private readonly onIrq: (level: boolean) => void = () => {}) {}

  reset(): void {
    this.restore({ rx: [], ier: 0, lcr: 0, mcr: 0, lsr: LSR_THRE | LSR_TEMT, msr: MSR_DCD | MSR_DSR | MSR_CTS, scr: 0, fcr: 0, dll: 0, dlm: 0, thrIpending: false });
  }

  /** Room for another received byte (QEMU's serial_can_receive). */
  canReceive(): boolean {
    return this.fcr & FCR_ENABLE ? this.rx.length < FIFO_SIZE : (this.lsr & LSR_DR) === 0;
  }

  receive(byte: number): void {
    if (this.fcr & FCR_ENABLE) {
      if (this.rx.length >= FIFO_SIZE) this.lsr |= LSR_OE;
      else this.rx.push(byte & 0xff);
    } else {
      if (this.lsr & LSR_DR) this.lsr |= LSR_OE;
      this.rx = [byte & 0xff];
    }
    this.lsr |= LSR_DR;
    this.updateIrq();
  }

  private iir(): number {
    let id = IIR_NO_INT;
    if ((this.ier & IER_RLSI) && (this.lsr & LSR_OE)) id = IIR_RLSI;
    else if ((this.ier & IER_RDI) && (this.lsr & LSR_DR)) id = IIR_RDI;
    else if ((this.ier & IER_THRI) && this.thrIpending) id = IIR_THRI;
    else if ((this.ier & IER_MSI) && (this.msr & MSR_ANY_DELTA)) id = IIR_MSI;
    return id | (this.fcr & FCR_ENABLE ? IIR_FIFO : 0);
  }

  private updateIrq(): void {
    const level = (this.iir() & IIR_NO_INT) === 0;
    if (level !== this.irq) { this.irq = level; this.onIrq(level); }
  }

  read(off: number, size: number): number | undefined {
    if (size !== 1) return undefined;
    switch (off & 7) {
      case 0:
        if (this.lcr & LCR_DLAB) return this.dll;
        {
          const b = this.rx.length > 0 ? this.rx.shift()! : 0;
          if (this.rx.length === 0) this.lsr &= ~LSR_DR;
          this.updateIrq();
          return b;
        }
      case 1: return this.lcr & LCR_DLAB ? this.dlm : this.ier;
      case 2: {
        const v = this.iir();
        if ((v & 0x0f) === IIR_THRI) { this.thrIpending = false; this.updateIrq(); }
        return v;
      }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: {
        const v = this.lsr;
        this.lsr &= ~LSR_OE; // overrun is cleared by reading LSR
        this.updateIrq();
        return v;
      }
      case 6: {
        if (this.mcr & MCR_LOOP) return ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x02) << 3) | ((this.mcr & 0x01) << 5);
        const v = this.msr;
        this.msr &= ~MSR_ANY_DELTA;
        this.updateIrq();
        return v;
      }
      default: return this.scr;
    }
  }

  write(off: number, size: number, v: number): boolean {
    if (size !== 1) return false;
    v &= 0xff;
    switch (off & 7) {
      case 0:
        if (this.lcr & LCR_DLAB) { this.dll = v; break; }
        if (this.mcr & MCR_LOOP) this.receive(v);
        else this.output(v);
        this.thrIpending = true; // transmission is instant: THR is empty again at once
        this.lsr |= LSR_THRE | LSR_TEMT;
        break;
      case 1:
        if (this.lcr & LCR_DLAB) { this.dlm = v; break; }
        {
          const was = this.ier;
          this.ier = v & 0x0f;
          // Enabling the THR-empty interrupt while THR is empty raises it at once (as QEMU / real 16550s).
          if ((this.ier & IER_THRI) && !(was & IER_THRI) && (this.lsr & LSR_THRE)) this.thrIpending = true;
        }
        break;
      case 2:
        if ((v ^ this.fcr) & FCR_ENABLE || v & FCR_CLEAR_RX) { this.rx = []; this.lsr &= ~(LSR_DR | LSR_OE); }
        this.fcr = v & 0xc9;
        break;
      case 3: this.lcr = v; break;
      case 4: this.mcr = v & 0x1f; break;
      case 5: break; // LSR is read-only
      case 6: break; // MSR is read-only
      default: this.scr = v;
    }
    this.updateIrq();
    return true;
  }

  save(): UartState {
    return { rx: [...this.rx], ier: this.ier, lcr: this.lcr, mcr: this.mcr, lsr: this.lsr, msr: this.msr, scr: this.scr, fcr: this.fcr, dll: this.dll, dlm: this.dlm, thrIpending: this.thrIpending };
  }

  restore(s: UartState): void {
    this.rx = [...s.rx]; this.ier = s.ier; this.lcr = s.lcr; this.mcr = s.mcr; this.lsr = s.lsr; this.msr = s.msr;
    this.scr = s.scr; this.fcr = s.fcr; this.dll = s.dll; this.dlm = s.dlm; this.thrIpending = s.thrIpending;
    this.updateIrq();
  }
}
