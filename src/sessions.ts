// Follows every rvreplay debug session through a DebugAdapterTracker: the last `rvreplay/timeline`
// it sent, whether it is running, and its UART output. The status bar, the timeline views and the
// serial consoles all listen here instead of each watching DAP messages.
import * as vscode from 'vscode';
import type { TimelineData, UartOutputBody } from '../adapter/protocol';

export interface SessionState {
  readonly session: vscode.DebugSession;
  /** From the launch configuration until the first timeline event says otherwise. */
  mode: TimelineData['mode'];
  timeline?: TimelineData;
  running: boolean;
  ended: boolean;
}

const RUNNING_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restartFrame']);

export class Sessions implements vscode.Disposable {
  private readonly states = new Map<string, SessionState>();
  private readonly changed = new vscode.EventEmitter<SessionState>();
  private readonly output = new vscode.EventEmitter<{ state: SessionState; text: string }>();
  private readonly started = new vscode.EventEmitter<SessionState>();
  private readonly disposables: vscode.Disposable[] = [];

  /** A session's timeline, running state or mode changed (or it ended). */
  readonly onDidChange = this.changed.event;
  /** Bytes the guest wrote to its UART. */
  readonly onUartOutput = this.output.event;
  /** A new rvreplay session (fired before any of its output). */
  readonly onDidStart = this.started.event;

  constructor() {
    this.disposables.push(
      this.changed, this.output, this.started,
      vscode.debug.registerDebugAdapterTrackerFactory('rvreplay', { createDebugAdapterTracker: (s) => this.track(s) }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        const st = this.states.get(s.id);
        if (!st) return;
        st.ended = true;
        st.running = false;
        this.changed.fire(st);
        this.states.delete(s.id);
      }),
      vscode.debug.onDidChangeActiveDebugSession((s) => {
        const st = s && this.states.get(s.id);
        if (st) this.changed.fire(st);
      }),
    );
  }

  get(session: vscode.DebugSession | undefined): SessionState | undefined {
    return session ? this.states.get(session.id) : undefined;
  }

  /** The active debug session when it is an rvreplay one, else the most recent rvreplay session. */
  active(): SessionState | undefined {
    const a = this.get(vscode.debug.activeDebugSession);
    if (a) return a;
    let last: SessionState | undefined;
    for (const s of this.states.values()) last = s;
    return last;
  }

  private track(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const rr = session.configuration.rr;
    const st: SessionState = {
      session, mode: rr === 'replay' ? 'play' : rr === 'none' ? 'none' : 'record', running: false, ended: false,
    };
    this.states.set(session.id, st);
    this.started.fire(st);
    return {
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (m.type === 'request' && m.command && RUNNING_REQUESTS.has(m.command) && !st.running) {
          st.running = true;
          this.changed.fire(st);
        }
      },
      onDidSendMessage: (m: { type?: string; event?: string; body?: unknown }) => {
        if (m.type !== 'event') return;
        switch (m.event) {
          case 'rvreplay/timeline': {
            const t = m.body as TimelineData;
            st.timeline = t;
            st.mode = t.mode;
            this.changed.fire(st);
            break;
          }
          case 'rvreplay/uartOutput':
            this.output.fire({ state: st, text: (m.body as UartOutputBody).text });
            break;
          case 'stopped':
            st.running = false;
            this.changed.fire(st);
            break;
          case 'continued':
            st.running = true;
            this.changed.fire(st);
            break;
        }
      },
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
