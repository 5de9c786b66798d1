// DAP over TCP for a VM built elsewhere: `rvreplay record|replay … --dap PORT` builds the machine
// (launchVm, from its command-line options), serves it here, and VS Code attaches to the port
// (an "attach" configuration; the extension connects with a DebugAdapterServer). One client at a
// time; the VM stays stopped until the client continues it, and a client that detaches, or just
// goes away, leaves it stopped for the next one. A client that connects while another is attached
// waits up to HANDOVER_MS for that one to go, then is closed: a client that detaches and attaches
// again at once (VS Code's Restart of an attach session, a script) connects before this side has
// seen the previous socket close, and must not be turned away for it. The recording (record
// mode) is the caller's to finish: adapter/cli-dap.ts does it at Ctrl-C / SIGTERM after shutdown().
import * as net from 'node:net';
import type { LaunchedVm } from '../core/debug/launch';
import { RvReplaySession } from './session';

export interface DapServer {
  /** The port listened on (useful when 0 was asked for). */
  port: number;
  /** Resolves when a client has detached (after its session ended). */
  detached(): Promise<void>;
  /** The guest's exit status if it exited live under some client (for the recording's end frame). */
  exitStatus(): number | undefined;
  /** Stops listening. */
  close(): void;
  /** Stops listening, stops the VM if a client had it running and drops that client. */
  shutdown(): Promise<void>;
}

/** How long a client that connects while another is attached waits for it to go before being closed. */
export const HANDOVER_MS = 3000;

export function serveDap(vm: LaunchedVm, port: number, host = '127.0.0.1'): Promise<DapServer> {
  let current: { session: RvReplaySession; socket: net.Socket } | undefined;
  let exitStatus: number | undefined;
  let onDetach: (() => void)[] = [];
  /** Clients that connected while another was attached, in order, each with its refusal timer. */
  let waiting: { socket: net.Socket; timer: NodeJS.Timeout }[] = [];

  const begin = (socket: net.Socket): void => {
    const session = new RvReplaySession(vm);
    session.setRunAsServer(true);
    current = { session, socket };
    socket.on('close', () => {
      exitStatus ??= session.liveExitStatus;
      // The client may have gone without a disconnect request (killed): the VM stops all the same.
      void session.release().then(() => {
        if (current?.session === session) current = undefined;
        const w = onDetach;
        onDetach = [];
        for (const f of w) f();
        // The next client in line, if one connected meanwhile (its requests wait, unread, in the socket).
        const next = waiting.shift();
        if (next !== undefined && current === undefined) {
          clearTimeout(next.timer);
          begin(next.socket);
        }
      });
    });
    session.start(socket, socket);
  };

  const server = net.createServer((socket) => {
    // A write to a client that went away must not take the VM down with it.
    socket.on('error', () => {});
    if (current === undefined) {
      begin(socket);
      return;
    }
    const timer = setTimeout(() => {
      waiting = waiting.filter((w) => w.socket !== socket);
      socket.end();
    }, HANDOVER_MS);
    waiting.push({ socket, timer });
    socket.once('close', () => {
      clearTimeout(timer);
      waiting = waiting.filter((w) => w.socket !== socket);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        detached: () => new Promise((r) => onDetach.push(r)),
        exitStatus: () => exitStatus ?? current?.session.liveExitStatus,
        close: () => server.close(),
        shutdown: async () => {
          server.close();
          for (const w of waiting) { clearTimeout(w.timer); w.socket.destroy(); }
          waiting = [];
          const c = current;
          if (c === undefined) return;
          await c.session.release();
          exitStatus ??= c.session.liveExitStatus;
          c.socket.destroy();
        },
      });
    });
  });
}
