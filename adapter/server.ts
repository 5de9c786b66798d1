// DAP over TCP for a VM built elsewhere: `rvreplay record|replay … --dap PORT` builds the machine
// (launchVm, from its command-line options), serves it here, and VS Code attaches to the port
// (an "attach" configuration; the extension connects with a DebugAdapterServer). One client at a
// time; the VM stays stopped until the client continues it, and a client that detaches leaves it
// stopped for the next one. The recording (record mode) is the caller's to finish.
import * as net from 'node:net';
import type { LaunchedVm } from '../core/debug/launch';
import { RvReplaySession } from './session';

export interface DapServer {
  /** The port listened on (useful when 0 was asked for). */
  port: number;
  /** Resolves when a client has detached (after its session ended). */
  detached(): Promise<void>;
  close(): void;
}

export function serveDap(vm: LaunchedVm, port: number, host = '127.0.0.1'): Promise<DapServer> {
  let busy = false;
  let onDetach: (() => void)[] = [];
  const server = net.createServer((socket) => {
    if (busy) {
      socket.end();
      return;
    }
    busy = true;
    const session = new RvReplaySession(vm);
    session.setRunAsServer(true);
    socket.on('close', () => {
      busy = false;
      const w = onDetach;
      onDetach = [];
      for (const f of w) f();
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
        close: () => server.close(),
      });
    });
  });
}
