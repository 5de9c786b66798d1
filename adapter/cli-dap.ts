// `rvreplay run|record|replay --dap PORT`: the command line's DAP server. core/cli/dap-option.ts
// checks the options and describes the machine as a launch configuration; this builds it
// (launchVm), serves it (serveDap) until Ctrl-C or SIGTERM, then finishes the recording so that
// the rrfile is complete and replays (`rvreplay replay`). It lives in adapter/ because it needs
// the debug session; core/ stays free of adapter/ imports and gets it as a hook (adapter/cli.ts).
//
// While served, the guest's output also goes to stdout (once: re-executing the past prints
// nothing again), so the terminal still shows the serial console. Input comes from the
// debugger's serial console (rvreplay/uartInput), not from stdin: the debugger decides when the
// guest runs, so it is the one to wake a guest that waits for input.
import * as net from 'node:net';
import { launchVm, LaunchError, type LaunchedVm } from '../core/debug/launch';
import { UsageError } from '../core/cli/args';
import { DEFAULT_DAP_HOST, type DapRequest } from '../core/cli/dap-option';
import { UserError } from '../core/errors';
import { EXIT_QUIT } from '../core/cli/session';
import { serveDap, type DapServer } from './server';

const log = (msg: string): void => { process.stderr.write(`[rvreplay] ${msg}\n`); };

/** The command-line option behind each launch attribute, for errors found by launchVm. */
const OPTION_OF: Record<string, string> = {
  rrfile: '--rrfile', rrsnapshot: '--rrsnapshot', semihostingRoot: '--semihosting-root',
  ramMiB: '--ram', icountShift: '--icount-shift', snapshotBudgetMiB: '--snapshot-budget',
};

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Why listening on host:port failed, in the CLI's words (a usage error: exit status 2, one line). */
function listenError(e: unknown, req: DapRequest): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UsageError(`--dap ${req.port}: port ${req.port} on ${req.host} is already in use (pick another, or 0 for any free port)`, false);
  if (code === 'EACCES') return new UsageError(`--dap ${req.port}: not allowed to listen on port ${req.port} of ${req.host} (ports below 1024 need privileges)`, false);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UsageError(`--dap-host ${req.host}: not an address of this machine (${code})`, false);
  return new UsageError(`--dap ${req.port}: cannot listen on ${req.host}:${req.port}: ${code ?? String(e)}`, false);
}

/** Checks that host:port can be listened on before the machine (and its rrfile) is created. */
function probe(req: DapRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (e) => reject(listenError(e, req)));
    s.listen(req.port, req.host, () => s.close(() => resolve()));
  });
}

function build(req: DapRequest): LaunchedVm {
  try {
    return launchVm(req.config);
  } catch (e) {
    if (!(e instanceof LaunchError)) throw e;
    // launchVm speaks launch.json ("rrfile": ...); say it with the command's option instead.
    const opt = OPTION_OF[e.attribute];
    const msg = e.message.replace(/^"[A-Za-z]+": /, '');
    throw new UserError(opt === undefined ? msg : `${opt}: ${msg}`);
  }
}

/** Serves the VM the command describes until SIGINT/SIGTERM; resolves to the exit status. */
export async function serveFromCli(req: DapRequest): Promise<number> {
  await probe(req);
  const vm = build(req);
  teeOutput(vm);
  let server: DapServer;
  try {
    server = await serveDap(vm, req.port, req.host);
  } catch (e) {
    if (vm.mode === 'record') vm.gate.finish('quit', EXIT_QUIT); // an empty but well-formed recording
    throw listenError(e, req);
  }
  const what = vm.mode === 'record' ? `recording ${vm.rrfile}` : vm.mode === 'replay' ? `replaying ${vm.rrfile}` : 'running (no recording: no reverse execution)';
  const hostAttr = req.host === DEFAULT_DAP_HOST ? '' : `, "host": "${req.host}"`;
  log(`${what}; debug adapter listening on ${req.host}:${server.port}: attach from VS Code with {"type": "rvreplay", "request": "attach", "name": "Attach to rvreplay", "port": ${server.port}${hostAttr}}; Ctrl-C ends`);
  if (!isLoopback(req.host)) log(`warning: --dap-host ${req.host}: anyone who can reach this port controls the VM (and, with --semihosting, its files)`);

  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log(`${sig}: stopping`);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await server.shutdown();
  flushOut();
  const status = server.exitStatus();
  if (vm.mode === 'record') {
    vm.gate.finish(status !== undefined ? 'exit' : 'quit', status ?? EXIT_QUIT);
    const end = Math.max(vm.travel.frontier, vm.machine.hart.icount);
    log(`recorded ${vm.rrfile}: ${end} instructions, ended by ${status !== undefined ? `the guest's exit (status ${status})` : 'quit'}`);
  }
  return status ?? EXIT_QUIT;
}

let pending: Uint8Array[] = [];
let scheduled = false;

function flushOut(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const b = Buffer.concat(pending);
  pending = [];
  process.stdout.write(b);
}

/** Guest output to stdout as well as to the debugger, shown once (as TimeTravel shows it). */
function teeOutput(vm: LaunchedVm): void {
  const inner = vm.machine.onOutput; // TimeTravel's: to the debugger, output not shown before
  vm.machine.onOutput = (b) => {
    if (vm.machine.hart.icount >= vm.travel.frontier) {
      pending.push(b.slice());
      if (!scheduled) { scheduled = true; setImmediate(flushOut); }
    }
    inner(b);
  };
}
