// The bug hunt of examples/README.md on examples/bughunt.elf, over DAP with the built
// dist/adapter.js (as VS Code drives it): run to the failure, "Break on Value Change" on the
// corrupted global, Reverse Continue, and the stop is on the line that wrote it out of bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, EXAMPLES } from './helpers/run';

const ADAPTER = path.join(ROOT, 'dist', 'adapter.js');
const ELF = path.join(EXAMPLES, 'bughunt.elf');
const SRC = path.join(EXAMPLES, 'bughunt.c');

/** The 1-based line of bughunt.c carrying this marker comment (the tests do not hard-code lines). */
function lineOf(marker: string): number {
  const lines = fs.readFileSync(SRC, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes(marker));
  assert.ok(at >= 0, `marker ${marker} in ${SRC}`);
  assert.equal(lines.findIndex((l, i) => i > at && l.includes(marker)), -1, `marker ${marker} only once`);
  return at + 1;
}

test('bughunt.elf: from the failure, a data breakpoint on g_max_temp and Reverse Continue stop on the out-of-bounds write', async () => {
  const writeLine = lineOf('BUGHUNT: the out-of-bounds write');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-bughunt-'));
  const dc = new DebugClient(process.execPath, ADAPTER, 'rvreplay');
  dc.defaultTimeout = 60_000; // bounds waits for events that must come; not a measurement
  let stdout = '';
  const exits: DebugProtocol.ExitedEvent[] = [];
  await dc.start();
  try {
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') stdout += e.body.output; });
    dc.on('exited', (e: DebugProtocol.ExitedEvent) => exits.push(e));
    const stopped = (): Promise<DebugProtocol.StoppedEvent> => dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;

    // Run to the failure (no breakpoints): record mode stops at the guest's exit.
    const end = stopped();
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch({ program: ELF, rr: 'record', rrfile: path.join(tmp, 'bughunt.rr') }),
    ]);
    const fail = await end;
    assert.equal(fail.body.reason, 'exit');
    assert.match(stdout, /day 2: 25 C {2}ALARM \(limit 19 C\)\n/);
    assert.match(stdout, /FAIL: alarms on a mild week: the limit must be wrong\n$/);

    // The limit is wrong: Globals shows it, "Break on Value Change" on it.
    const frameId = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
    const globalsRef = (await dc.scopesRequest({ frameId })).body.scopes.find((s) => s.name === 'Globals')?.variablesReference;
    assert.ok(globalsRef, 'a Globals scope');
    const globals = (await dc.variablesRequest({ variablesReference: globalsRef })).body.variables;
    assert.equal(globals.find((v) => v.name === 'g_max_temp')?.value, '19', 'the corrupted limit (main set 30)');
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: globalsRef, name: 'g_max_temp' });
    assert.ok(info.body.dataId, info.body.description);
    assert.ok(info.body.accessTypes?.includes('write'));
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.equal(set.body.breakpoints[0].verified, true);

    // Reverse Continue: the last write to g_max_temp, stopped just before it is made.
    const back = stopped();
    await dc.reverseContinueRequest({ threadId: 1 });
    const s = await back;
    assert.equal(s.body.reason, 'data breakpoint');
    assert.deepEqual(s.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.match(s.body.description!, /in history/);
    const top = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    assert.equal(top.name, 'record');
    assert.equal(path.basename(top.source!.path!), 'bughunt.c');
    assert.equal(top.line, writeLine, `the stop is on the out-of-bounds write (line ${writeLine})`);
    const ev = async (expression: string): Promise<string> => (await dc.evaluateRequest({ expression, frameId: top.id, context: 'watch' })).body.result;
    assert.equal(await ev('day'), '7', 'one day past the end of readings[7]');
    assert.equal(await ev('g_max_temp'), '30', 'not written yet');
    assert.equal(await ev('&readings[day] == &g_max_temp'), '1', 'readings[7] is g_max_temp');

    // Step Over shows the write happen; Reverse Continue goes back to it, and once more to the
    // change before it, main's.
    const stepped = stopped();
    await dc.nextRequest({ threadId: 1 });
    await stepped;
    assert.equal((await dc.evaluateRequest({ expression: 'g_max_temp', context: 'watch' })).body.result, '19');
    const again = stopped();
    await dc.reverseContinueRequest({ threadId: 1 });
    assert.equal((await again).body.reason, 'data breakpoint');
    assert.equal((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].line, writeLine);
    const earlier = stopped();
    await dc.reverseContinueRequest({ threadId: 1 });
    assert.equal((await earlier).body.reason, 'data breakpoint');
    const init = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    assert.deepEqual([init.name, init.line], ['main', lineOf('g_max_temp = 30;')]);
  } finally {
    await dc.disconnectRequest({}).catch(() => {});
    await dc.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
