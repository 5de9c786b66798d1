// A QMP server (QEMU Machine Protocol over TCP): greeting, capabilities negotiation, commands,
// and STOP/RESUME events. Binds to loopback unless told otherwise.
import * as net from 'node:net';
import type { VmControl } from '../debug/vm-control';
import { executeQmp, QmpError } from './commands';
import { JsonStream } from './json-stream';
import { HostClock } from '../replay/host-clock';
import { UserError } from '../errors';
import { VERSION } from '../version';

export interface QmpAddress { host: string; port: number }

/** Parses QEMU's `tcp:HOST:PORT` (or `tcp::PORT`, `HOST:PORT`, `PORT`); the host defaults to loopback. */
export function parseQmpAddress(spec: string): QmpAddress {
  const m = /^(?:tcp:)?(?:([^:]*):)?(\d+)$/.exec(spec);
  if (!m) throw new UserError(`--qmp expects tcp:HOST:PORT (e.g. tcp:127.0.0.1:4444), got '${spec}'`);
  const port = Number(m[2]);
  if (port > 65535) throw new UserError(`--qmp port ${port} is out of range`);
  return { host: m[1] || '127.0.0.1', port };
}

export class QmpServer {
  private readonly server: net.Server;
  private readonly clients = new Set<net.Socket>();
  private readonly clock = new HostClock();
  /** Called when a client connects (the time-travel layer takes a snapshot then, as QEMU does for gdb). */
  onConnect: () => void = () => {};

  constructor(private readonly control: VmControl) {
    this.server = net.createServer((s) => this.accept(s));
    control.listen({
      stopped: () => this.event('STOP'),
      resumed: () => this.event('RESUME'),
    });
  }

  listen(addr: QmpAddress): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (e: NodeJS.ErrnoException) => reject(new UserError(`cannot listen for QMP on ${addr.host}:${addr.port}: ${e.code ?? e.message}`)));
      this.server.listen(addr.port, addr.host, () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  close(): void {
    for (const c of this.clients) c.destroy();
    this.server.close();
  }

  private send(s: net.Socket, msg: unknown): void {
    if (!s.destroyed) s.write(JSON.stringify(msg) + '\r\n');
  }

  private event(name: string, data: object = {}): void {
    const ns = this.clock.wallNs();
    const msg = { event: name, data, timestamp: { seconds: Number(ns / 1_000_000_000n), microseconds: Number((ns / 1000n) % 1_000_000n) } };
    for (const c of this.clients) this.send(c, msg);
  }

  private accept(s: net.Socket): void {
    let negotiated = false;
    const stream = new JsonStream();
    this.send(s, { QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: `rvreplay ${VERSION}` }, capabilities: [] } });
    this.onConnect();
    s.setEncoding('utf8');
    s.on('data', (text: string) => {
      for (const raw of stream.push(text)) {
        let msg: { execute?: unknown; arguments?: unknown; id?: unknown };
        try {
          msg = JSON.parse(raw) as typeof msg;
        } catch {
          this.send(s, { error: { class: 'GenericError', desc: 'JSON parse error' } });
          continue;
        }
        const id = msg.id !== undefined ? { id: msg.id } : {};
        if (typeof msg !== 'object' || msg === null || typeof msg.execute !== 'string') {
          this.send(s, { error: { class: 'GenericError', desc: "QMP input member 'execute' is missing" }, ...id });
          continue;
        }
        const args = (msg.arguments ?? {}) as Record<string, unknown>;
        if (msg.execute === 'qmp_capabilities') {
          if (negotiated) this.send(s, { error: { class: 'CommandNotFound', desc: "Capabilities negotiation is already complete, command 'qmp_capabilities' ignored" }, ...id });
          else { negotiated = true; this.clients.add(s); this.send(s, { return: {}, ...id }); }
          continue;
        }
        if (!negotiated) {
          this.send(s, { error: { class: 'CommandNotFound', desc: "Expecting capabilities negotiation with 'qmp_capabilities'" }, ...id });
          continue;
        }
        try {
          this.send(s, { return: executeQmp(this.control, msg.execute, args), ...id });
        } catch (e) {
          if (!(e instanceof QmpError || e instanceof UserError)) throw e;
          this.send(s, { error: { class: e instanceof QmpError ? e.errorClass : 'GenericError', desc: e.message }, ...id });
        }
      }
    });
    s.on('close', () => this.clients.delete(s));
    s.on('error', () => this.clients.delete(s));
  }
}
