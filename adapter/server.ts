// DAP over TCP for a VM built elsewhere: `rvreplay record|replay … --dap PORT` builds the machine
// (launchVm, from its command-line options), serves it here, and VS Code attaches to the port
// (an "attach" configuration; the extension connects with a DebugAdapterServer). One client at a
// time (another that connects meanwhile is closed at once); the VM stays stopped until the client
// continues it, and a client that detaches, or just goes away, leaves it stopped for the next
// one. The recording (record mode) is the caller's to finish: adapter/cli-dap.ts does it at
// Ctrl-C / SIGTERM after shutdown().
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

export function serveDap(vm: LaunchedVm, port: number, host = '127.0.0.1'): Promise<DapServer> {
  let current: { session: RvReplaySession; socket: net.Socket } | undefined;
  let exitStatus: number | undefined;
  let onDetach: (() => void)[] = [];
  const server = net.createServer((socket) => {
    // A write to a client that went away must not take the VM down with it.
    socket.on('error', () => {});
    if (current !== undefined) {
      socket.end();
      return;
    }
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
      });
    });
    session.start(socket, socket);
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
