// Runs inside the extension host of the VS Code started by test/vscode/runTest.ts (`npm run
// test:vscode`), with rvreplay as the extension under development and a copy of examples/ open.
// The extension host calls run() and counts the run failed when it rejects. node:test's runner
// reports from its own process (and `node --test` spawns children without the `vscode` module), so
// the checks are plain node:assert functions run one after the other here, each reported as
// ✔ or ✖ with its error; run() rejects if any failed.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'rvreplay.rvreplay';

interface Manifest {
  activationEvents: string[];
  contributes: { commands: { command: string }[]; debuggers: { type: string }[] };
}

function workspace(): string {
  const ws = process.env.RVREPLAY_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(ws, 'runTest.ts opens a copy of examples/ as the workspace');
  return ws;
}

/** The configuration of the next rvreplay session that starts, as VS Code resolved it. */
function nextSession(ms: number): Promise<vscode.DebugSession> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no rvreplay debug session started within ${ms} ms`)); }, ms);
    const sub = vscode.debug.onDidStartDebugSession((s) => {
      if (s.type !== 'rvreplay') return;
      clearTimeout(timer);
      sub.dispose();
      resolve(s);
    });
  });
}

async function stopAll(): Promise<void> {
  if (!vscode.debug.activeDebugSession) return;
  const ended = new Promise<void>((resolve) => {
    const sub = vscode.debug.onDidTerminateDebugSession(() => { if (!vscode.debug.activeDebugSession) { sub.dispose(); resolve(); } });
  });
  await vscode.debug.stopDebugging();
  await Promise.race([ended, new Promise((r) => setTimeout(r, 10_000))]);
}

const checks: [string, () => Promise<void>][] = [
  ['the extension is installed under development and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    const manifest = ext.packageJSON as Manifest;
    assert.ok(manifest.activationEvents.includes('onDebugResolve:rvreplay'), 'activates when an rvreplay configuration is resolved');
    await ext.activate();
    assert.equal(ext.isActive, true);
  }],

  ['every command package.json contributes is registered', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 6, `commands contributed: ${contributed}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'contributed but not registered by activate()');
    assert.deepEqual(manifest.contributes.debuggers.map((d) => d.type), ['rvreplay']);
  }],

  ['rvreplay.pickProgram picks the ELF beside the active C file', async () => {
    const ws = workspace();
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(ws, 'hello.c')));
    assert.equal(await vscode.commands.executeCommand('rvreplay.pickProgram'), path.join(ws, 'hello.elf'));
  }],

  ['F5 with no launch.json: the configuration provider fills the defaults of an empty configuration', async () => {
    const ws = workspace();
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === ws);
    assert.ok(folder, `${ws} is a workspace folder`);
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(ws, 'hello.c')));
    const started = nextSession(60_000);
    // What F5 passes when there is no launch.json: an empty configuration, the debugger chosen by
    // the active editor's language (C: rvreplay is the only debugger here).
    const ok = await vscode.debug.startDebugging(folder, {} as vscode.DebugConfiguration);
    assert.equal(ok, true, 'the session starts');
    const session = await started;
    const c = session.configuration;
    try {
      assert.equal(c.type, 'rvreplay');
      assert.equal(c.request, 'launch');
      assert.equal(c.name, 'Record and debug hello.elf');
      assert.equal(c.program, path.join(ws, 'hello.elf'));
      assert.equal(c.rr, 'record');
      assert.equal(c.rrfile, path.join(ws, 'hello.elf.rr'), 'the recording beside the program');
      assert.equal(c.rrfileOverwrite, true, "F5's recording replaces the previous F5's");
      assert.equal(c.stopOnEntry, false);
    } finally {
      await stopAll();
    }
  }],

  ['a launch.json-style configuration is completed: relative program, default recording', async () => {
    const ws = workspace();
    const folder = vscode.workspace.workspaceFolders!.find((f) => f.uri.fsPath === ws)!;
    const started = nextSession(60_000);
    const ok = await vscode.debug.startDebugging(folder, { type: 'rvreplay', request: 'launch', name: 'relative', program: 'echo.elf', stopOnEntry: true });
    assert.equal(ok, true, 'the session starts');
    const c = (await started).configuration;
    try {
      assert.equal(c.program, path.join(ws, 'echo.elf'));
      assert.equal(c.rr, 'record');
      assert.equal(c.rrfile, path.join(ws, 'echo.elf.rr'));
      assert.equal(c.rrfileOverwrite, undefined, 'never replaced unless the configuration says so');
    } finally {
      await stopAll();
    }
  }],

  ['a configuration without program is refused (no session)', async () => {
    const ws = workspace();
    const folder = vscode.workspace.workspaceFolders!.find((f) => f.uri.fsPath === ws)!;
    const ok = await vscode.debug.startDebugging(folder, { type: 'rvreplay', request: 'launch', name: 'no program' });
    assert.equal(ok, false);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  }],
];

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, check] of checks) {
    const t0 = Date.now();
    try {
      await check();
      console.log(`✔ ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.error(`✖ ${name} (${Date.now() - t0} ms)\n${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  console.log(`${checks.length - failed} of ${checks.length} passed`);
  if (failed) throw new Error(`${failed} of ${checks.length} vscode tests failed`);
}
