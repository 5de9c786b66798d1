// The serial console: a terminal per rvreplay session, attached to the guest's UART. What the
// guest writes (`rvreplay/uartOutput`) appears there; what the user types goes to the guest
// (`rvreplay/uartInput`), which the adapter records in record mode. A replay's input comes from
// its recording, so the console is read-only then and says so when typed into.
import * as vscode from 'vscode';
import { type Sessions, type SessionState } from './sessions';
import { toTerminal } from './terminal-text';

const DIM = '\x1b[2m', YELLOW = '\x1b[33m', RESET = '\x1b[0m';

class SerialConsole implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writer.event;
  private opened = false;
  private pending: string[] = [];
  private lastCR = false;
  private atLineStart = true;
  private lastNotice = 0;
  ended = false;
  terminal?: vscode.Terminal;

  constructor(private readonly state: SessionState) {}

  open(): void {
    this.opened = true;
    const name = this.state.session.configuration.program ?? this.state.session.name;
    const how = this.state.mode === 'play' ? 'replaying a recording: read-only'
      : this.state.mode === 'record' ? 'what you type is sent to the guest and recorded'
      : 'what you type is sent to the guest';
    this.writer.fire(`${DIM}rvreplay serial console (ns16550a UART) for ${String(name).split(/[\\/]/).pop()}: ${how}${RESET}\r\n`);
    for (const p of this.pending) this.writer.fire(p);
    this.pending = [];
  }

  close(): void { this.opened = false; }

  write(text: string): void {
    const { out, lastCR } = toTerminal(text, this.lastCR);
    this.lastCR = lastCR;
    if (out.length) this.atLineStart = out.endsWith('\n');
    if (this.opened) this.writer.fire(out);
    else this.pending.push(out);
  }

  notice(text: string): void {
    this.write(`${this.atLineStart ? '' : '\r\n'}${YELLOW}[rvreplay] ${text}${RESET}\r\n`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.notice('debug session ended');
  }

  handleInput(data: string): void {
    if (this.ended) return;
    if (this.state.mode === 'play') {
      const now = Date.now();
      if (now - this.lastNotice > 3000) {
        this.lastNotice = now;
        this.notice('replaying a recording: the guest reads its input from the recording, so typing here is ignored. Record a new run to type.');
      }
      return;
    }
    this.state.session.customRequest('rvreplay/uartInput', { text: data }).then(undefined, (e: unknown) => {
      this.notice(`input not sent: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
}

export class SerialConsoles implements vscode.Disposable {
  private readonly consoles = new Map<string, SerialConsole>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(sessions: Sessions) {
    this.disposables.push(
      sessions.onDidStart((st) => this.create(st)),
      sessions.onUartOutput(({ state, text }) => (this.consoles.get(state.session.id) ?? this.create(state)).write(text)),
      sessions.onDidChange((st) => { if (st.ended) this.consoles.get(st.session.id)?.end(); }),
      vscode.window.onDidCloseTerminal((t) => {
        for (const [id, c] of this.consoles) if (c.terminal === t) this.consoles.delete(id);
      }),
    );
  }

  private create(st: SessionState): SerialConsole {
    // One console per session; the consoles of finished sessions make way for the new one.
    for (const [id, c] of this.consoles) {
      if (id !== st.session.id && c.ended) {
        c.terminal?.dispose();
        this.consoles.delete(id);
      }
    }
    const pty = new SerialConsole(st);
    const program = String(st.session.configuration.program ?? '').split(/[\\/]/).pop() || st.session.name;
    pty.terminal = vscode.window.createTerminal({ name: `rvreplay serial: ${program}`, pty, iconPath: new vscode.ThemeIcon('plug') });
    pty.terminal.show(true);
    this.consoles.set(st.session.id, pty);
    return pty;
  }

  /** Shows the console of the given session (or the newest one). */
  show(session?: vscode.DebugSession): boolean {
    const c = (session && this.consoles.get(session.id)) ?? [...this.consoles.values()].pop();
    c?.terminal?.show();
    return c !== undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
