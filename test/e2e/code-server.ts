// A real VS Code for the end-to-end tests: code-server (installed by setup-code-server.sh into
// .cache/code-server), the packaged rvreplay.vsix installed into a fresh extensions directory, a
// copy of examples/ as the workspace, and headless Debian Chromium driven by playwright-core.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { BrowserContext, Frame, Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
export const VSIX = path.join(ROOT, 'rvreplay.vsix');
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface VsCode {
  page: Page;
  workspace: string;
  /**
   * The extension host's CLI socket (what `code-server FILE` run in its terminal talks to): it
   * exists once the extension host is up, and openFile() opens files through it.
   */
  cliSocket: string;
  /** Where the vsix was installed (its dist/ is what runs). */
  extensionDir: string;
  /** Everything code-server printed (its log), for failure messages. */
  log(): string;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Installs code-server if needed; returns its entry.js. The install goes to .cache/code-server, or
 * to $RVREPLAY_CODE_SERVER_DIR when set (a cache shared between clones).
 */
export function setupCodeServer(): string {
  const r = spawnSync('bash', [path.join(ROOT, 'test/e2e/setup-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`setup-code-server.sh failed (status ${r.status})`);
  return r.stdout.trim().split('\n').pop()!;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

async function waitHttp(url: string, proc: ChildProcess, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}`);
    try { if ((await fetch(url)).status < 500) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url} within ${ms} ms`);
}

/** An HTTP request over a Unix socket (code-server's session socket, the extension host's CLI socket). */
function socketRequest(socketPath: string, method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${urlPath} on ${socketPath}: no answer in 10 s`)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * Waits until the window's extension host is up: once its API is initialised it registers its CLI
 * socket with code-server's session socket for the workspace, and `GET /session?filePath=` returns
 * it. Returns that socket.
 */
async function waitExtensionHost(sessionSocket: string, workspace: string, proc: ChildProcess, ms: number): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}`);
    try {
      const r = await socketRequest(sessionSocket, 'GET', `/session?filePath=${encodeURIComponent(path.join(workspace, 'x'))}`);
      last = `${r.status} ${r.text}`;
      const socketPath = r.status === 200 ? (JSON.parse(r.text) as { socketPath?: string }).socketPath : undefined;
      if (socketPath) return socketPath;
    } catch (e) { last = String(e); }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the extension host did not register with code-server within ${ms} ms (last answer: ${last})`);
}

/**
 * Starts code-server with rvreplay.vsix installed and a copy of examples/ open in Chromium.
 * `settings` are added to the user settings.
 */
export async function startVsCode(opts: { settings?: Record<string, unknown>; workspaceFiles?: Record<string, string> } = {}): Promise<VsCode> {
  const entry = setupCodeServer();
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} missing: run \`npm run package\` (npm run test:e2e does)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-e2e-'));
  const ext = path.join(tmp, 'extensions'), userData = path.join(tmp, 'user-data'), workspace = path.join(tmp, 'examples');
  fs.cpSync(path.join(ROOT, 'examples'), workspace, { recursive: true, filter: (f) => !/\.rr(\.snapshots)?$/.test(f) });
  for (const [f, text] of Object.entries(opts.workspaceFiles ?? {})) {
    fs.mkdirSync(path.dirname(path.join(workspace, f)), { recursive: true });
    fs.writeFileSync(path.join(workspace, f), text);
  }
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User/settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'git.enabled': false,
    'chat.commandCenter.enabled': false,
    'terminal.integrated.gpuAcceleration': 'off',
    'window.commandCenter': false,
    // A stop reveals its line without taking the focus: with the default (true) a stop that lands
    // while the command palette is open closes it, and the command typed there never runs (seen
    // as "Open Timeline" doing nothing right after Reverse Step Out stopped).
    'debug.focusEditorOnBreak': false,
    ...opts.settings,
  }, null, 2));

  const install = spawnSync(process.execPath, [entry, '--extensions-dir', ext, '--user-data-dir', userData, '--install-extension', VSIX], { encoding: 'utf8' });
  if (install.status !== 0 || !fs.readdirSync(ext).some((d) => d.startsWith('rvreplay.rvreplay-'))) {
    throw new Error(`installing the vsix failed:\n${install.stdout}\n${install.stderr}`);
  }

  const port = await freePort();
  const sessionSocket = path.join(tmp, 'session.sock');
  let log = '';
  const server = spawn(process.execPath, [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--session-socket', sessionSocket, '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--user-data-dir', userData,
    '--extensions-dir', ext, workspace], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_CLI: undefined }, detached: true });
  server.stdout!.on('data', (d) => { log += d; });
  server.stderr!.on('data', (d) => { log += d; });

  let context: BrowserContext | undefined;
  // code-server runs the extension host, the terminal host and the debug adapter as children:
  // it was started in its own process group, and the whole group is stopped.
  const signal = (sig: NodeJS.Signals) => { try { process.kill(-server.pid!, sig); } catch { /* gone */ } };
  // Should this process die without close(), code-server must not outlive it.
  const onExit = () => signal('SIGKILL');
  process.once('exit', onExit);
  const close = async () => {
    process.off('exit', onExit);
    await context?.close().catch(() => {});
    if (server.exitCode === null && server.signalCode === null) {
      signal('SIGTERM');
      await new Promise((r) => { const t = setTimeout(() => { signal('SIGKILL'); r(null); }, 5000); server.once('exit', () => { clearTimeout(t); r(null); }); });
    }
    signal('SIGKILL');
    try { fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); } catch (e) { console.error(`could not remove ${tmp}: ${e}`); }
  };
  try {
    await waitHttp(`http://127.0.0.1:${port}/healthz`, server, 60_000);
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
      executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 90_000 });
    await page.waitForSelector('.statusbar', { timeout: 30_000 });
    const cliSocket = await waitExtensionHost(sessionSocket, workspace, server, 120_000);
    const installed = fs.readdirSync(ext).find((d) => d.startsWith('rvreplay.rvreplay-'))!;
    return {
      page, workspace, cliSocket, extensionDir: path.join(ext, installed), log: () => log,
      screenshot: async (name) => { await page.screenshot({ path: path.join(ARTIFACTS, `e2e-${name}.png`) }); },
      close,
    };
  } catch (e) {
    await close();
    throw new Error(`${e instanceof Error ? e.message : String(e)}\ncode-server log:\n${log}`);
  }
}

/**
 * Runs a command by its title through the command palette (F1). Retried: the palette closes when
 * something else takes focus (the editor revealing a stop location does).
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.fill(`>${title}`, { timeout: 3000 });
      // Enter runs the focused row: wait until that is the command, not a row of a stale list.
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first().waitFor({ state: 'visible', timeout: 5000 });
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').filter({ has: page.locator(`input[placeholder="Type the name of a command to run."]`) }).waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.waitForTimeout(500);
    }
  }
}

/**
 * Opens a workspace file (`name` relative to the workspace) in the editor, the cursor on `line`, and
 * focuses the editor, as `code-server --reuse-window FILE:LINE` run in VS Code's terminal would: a
 * request to the extension host's CLI socket. No Quick Open, whose file index can lag behind
 * startup, and no keyboard race between Quick Open closing and Go to Line opening.
 */
export async function openFile(vs: VsCode, name: string, line?: number): Promise<void> {
  const { page } = vs;
  const file = path.join(vs.workspace, name);
  const r = await socketRequest(vs.cliSocket, 'POST', '/', {
    type: 'open', fileURIs: [line === undefined ? file : `${file}:${line}`], folderURIs: [], forceReuseWindow: true, gotoLineMode: true,
  });
  if (r.status !== 200) throw new Error(`opening ${name}: the extension host answered ${r.status} ${r.text}`);
  await page.locator('.tabs-container .tab.active', { hasText: path.basename(file) }).waitFor({ timeout: 30_000 });
  // The editor takes focus when it opens; make sure of it (Ctrl+1: focus the first editor group,
  // keeping the cursor), so that F9 and F5 go to it.
  await page.keyboard.press('Control+1');
  await page.waitForFunction(() => document.activeElement?.closest('.editor-instance .monaco-editor') != null, undefined, { timeout: 10_000 });
  if (line !== undefined) {
    await page.waitForFunction((l) => /Ln (\d+)/.exec(document.querySelector('.statusbar')?.textContent ?? '')?.[1] === String(l), line, { timeout: 30_000 });
  }
}

/** The text of the notifications showing now. */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message').allTextContents();
}

/** The webview frame (VS Code nests two iframes) whose document has `selector`. */
export async function webviewFrame(page: Page, selector: string, ms = 30_000): Promise<Frame> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      try { if (await f.$(selector)) return f; } catch { /* detached */ }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview frame with ${selector}`);
}

/** Text of the status bar items. */
export async function statusBar(page: Page): Promise<string> {
  return (await page.locator('.statusbar').textContent()) ?? '';
}

/** The top stack frame as the Call Stack view shows it ("Stack Frame main, line 8, hello.c"). */
export async function topFrame(page: Page): Promise<{ name: string; line: number; file: string } | undefined> {
  const label = await page.locator('.debug-call-stack .monaco-list-row[aria-label^="Stack Frame"]').first().getAttribute('aria-label', { timeout: 5000 }).catch(() => null);
  const m = label && /^Stack Frame (.*), line (\d+), (.*)$/.exec(label);
  return m ? { name: m[1]!, line: Number(m[2]), file: m[3]! } : undefined;
}

/** Waits until the debugger stops with its top frame on `line` (any line when undefined). */
export async function waitStopped(page: Page, line?: number, ms = 60_000): Promise<{ name: string; line: number; file: string }> {
  const sel = line === undefined ? '.debug-call-stack .monaco-list-row[aria-label^="Stack Frame"]'
    : `.debug-call-stack .monaco-list-row[aria-label^="Stack Frame"][aria-label*=", line ${line}, "]`;
  await page.waitForSelector(sel, { timeout: ms });
  return (await topFrame(page))!;
}

/** The rvreplay status bar item's text ("rvreplay record · icount 600"). */
export async function rvStatus(page: Page): Promise<string> {
  return (await page.locator('.statusbar-item', { hasText: 'rvreplay' }).filter({ hasNotText: '(' }).first().textContent({ timeout: 5000 }).catch(() => '')) ?? '';
}

/** Expands the Timeline view in the Run and Debug sidebar and returns its webview frame. */
export async function sidebarTimeline(page: Page): Promise<Frame> {
  const header = page.locator('.pane-header[aria-label^="Timeline (rvreplay)"]');
  await header.waitFor();
  for (const other of ['Variables', 'Watch', 'Breakpoints']) {
    const h = page.locator(`.pane-header[aria-label^="${other} Section"][aria-expanded="true"]`);
    if (await h.count()) await h.click();
  }
  if (await header.getAttribute('aria-expanded') !== 'true') await header.click();
  return webviewFrame(page, '#marks li[data-kind="position"]');
}

/** What the terminal panel shows (xterm's DOM renderer rows). */
export async function terminalText(page: Page): Promise<string> {
  return (await page.locator('.terminal-wrapper.active .xterm-rows').first().innerText({ timeout: 5000 }).catch(() => '')) ?? '';
}
