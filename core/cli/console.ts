// The user's terminal as the guest's console: stdin feeds the gate's console input, guest output
// goes to stdout, and an optional progress line lives on stderr when it is a terminal.
import type { Gate } from '../replay/gate';

export class HostConsole {
  private pendingOut: Uint8Array[] = [];
  private progressShown = false;
  private inputWaiters: (() => void)[] = [];
  private rawMode = false;
  /** Set when the user asked to quit (Ctrl-A x on a terminal, or SIGINT). */
  quitRequested = false;
  private readonly onData = (chunk: Buffer): void => this.input(chunk);
  private readonly onEnd = (): void => { this.gate.closeConsoleInput(); this.wake(); };

  constructor(private readonly gate: Gate, private readonly readInput: boolean) {}

  start(): void {
    if (!this.readInput) { this.gate.closeConsoleInput(); return; }
    const stdin = process.stdin;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      this.rawMode = true;
      process.stderr.write('[rvreplay] console attached; type Ctrl-A x to quit\r\n');
    }
    stdin.on('data', this.onData);
    stdin.on('end', this.onEnd);
    stdin.resume();
  }

  stop(): void {
    if (!this.readInput) return;
    const stdin = process.stdin;
    stdin.off('data', this.onData);
    stdin.off('end', this.onEnd);
    if (this.rawMode) stdin.setRawMode(false);
    stdin.pause();
    stdin.unref?.();
  }

  private ctrlA = false;

  private input(chunk: Buffer): void {
    if (this.rawMode) {
      // QEMU's -nographic convention: Ctrl-A x quits, Ctrl-A Ctrl-A sends a literal Ctrl-A.
      const keep: number[] = [];
      for (const b of chunk) {
        if (this.ctrlA) {
          this.ctrlA = false;
          if (b === 0x78 /* x */) { this.quitRequested = true; continue; }
          if (b === 0x01) { keep.push(1); continue; }
          continue;
        }
        if (b === 0x01) { this.ctrlA = true; continue; }
        keep.push(b);
      }
      this.gate.queueConsoleInput(keep);
    } else {
      this.gate.queueConsoleInput(chunk);
    }
    this.wake();
  }

  private wake(): void {
    const w = this.inputWaiters;
    this.inputWaiters = [];
    for (const f of w) f();
  }

  /** No more input will come: the user's input ended and every byte was taken. */
  get inputEnded(): boolean {
    return this.gate.consoleInputClosed;
  }

  /** Resolves when more input arrives, input ends, or quit is requested. */
  waitForInput(): Promise<void> {
    if (this.gate.hasConsoleInput() || this.gate.consoleInputClosed || this.quitRequested) return Promise.resolve();
    return new Promise((resolve) => this.inputWaiters.push(resolve));
  }

  requestQuit(): void {
    this.quitRequested = true;
    this.wake();
  }

  write(bytes: Uint8Array): void {
    this.pendingOut.push(bytes);
  }

  /** Writes buffered guest output (batched: one write per run slice, not per byte). */
  flush(): void {
    if (this.pendingOut.length === 0) return;
    this.clearProgress();
    const all = Buffer.concat(this.pendingOut);
    this.pendingOut = [];
    process.stdout.write(all);
  }

  progress(text: string): void {
    if (!process.stderr.isTTY) return;
    process.stderr.write(`\r\x1b[2K${text}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    process.stderr.write('\r\x1b[2K');
    this.progressShown = false;
  }
}
