// End to end in a real VS Code: code-server with the packaged rvreplay.vsix, the examples
// workspace, the real debug adapter and emulator. F5 records hello.elf to a breakpoint, the Step
// Back button moves the current line back, the timeline shows the position and snapshots, and
// the serial console talks to echo.elf. Screenshots: test-artifacts/e2e-*.png.
//
// Until the debug adapter answers DAP (adapter/ is its own issue), the steps that need it are
// reported as TODO with the reason, after the steps that do not have run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { Page } from 'playwright-core';
import { type VsCode, notifications, openFile, runCommand, rvStatus, sidebarTimeline, startVsCode, terminalText, waitStopped } from './code-server';
import { hasTool } from '../helpers/tools';

const skip = !hasTool('chromium') && process.env.CI !== 'true' ? 'missing tool(s): chromium' : false;

/** Whether the installed dist/adapter.js answers a DAP initialize request (a stub until its issue lands). */
function adapterAnswers(adapter: string): Promise<boolean> {
  const p = spawn(process.execPath, [adapter], { stdio: ['pipe', 'pipe', 'ignore'] });
  const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'rvreplay', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' } });
  p.stdin.on('error', () => {});
  p.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  return new Promise((resolve) => {
    let out = '';
    const done = (ok: boolean) => { clearTimeout(timer); p.kill(); resolve(ok); };
    const timer = setTimeout(() => done(false), 10_000);
    p.stdout.on('data', (d) => { out += d; if (/"command"\s*:\s*"initialize"/.test(out)) done(/"success"\s*:\s*true/.test(out)); });
    p.on('exit', () => done(false));
  });
}

const icountOf = (status: string) => Number(/icount ([\d,]+)/.exec(status)?.[1]?.replace(/,/g, '') ?? NaN);

describe('end to end: F5, Step Back, timeline, serial console in code-server', { skip, timeout: 540_000 }, () => {
  let vs: VsCode;
  let page: Page;
  let adapterReady = false;
  const NO_ADAPTER = 'needs the debug adapter: dist/adapter.js does not answer DAP initialize yet (adapter/ is its own issue)';
  let stoppedAt: { line: number; icount: number } | undefined;

  before(async () => {
    vs = await startVsCode();
    page = vs.page;
    adapterReady = await adapterAnswers(path.join(vs.extensionDir, 'dist/adapter.js'));
  });

  after(async () => {
    if (vs) await vs.screenshot('last');
    await vs?.close();
  });

  test('the examples workspace opens with rvreplay installed; a breakpoint goes on hello.c:8', async () => {
    await openFile(vs, 'hello.c', 8);
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor();
    await vs.screenshot('1-breakpoint');
  });

  test('F5 records hello.elf and stops at the breakpoint', async (t) => {
    await page.keyboard.press('F5');
    if (!adapterReady) {
      // What VS Code shows when the adapter is not there yet: the session starts (the extension
      // resolved the configuration and spawned dist/adapter.js) and ends at once.
      await page.waitForTimeout(5000);
      await vs.screenshot('2-no-adapter');
      const serial = await terminalText(page);
      t.todo(`${NO_ADAPTER}. Seen: serial console ${/rvreplay serial console/.test(serial) ? 'opened' : 'not opened'}; notifications: ${JSON.stringify(await notifications(page))}`);
      return;
    }
    const top = await waitStopped(page, 8, 120_000);
    assert.equal(top.file, 'hello.c');
    await page.waitForFunction(() => /rvreplay record · icount [\d,]+/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    stoppedAt = { line: top.line, icount: icountOf(await rvStatus(page)) };
    assert.ok(stoppedAt.icount > 0, `status bar: ${await rvStatus(page)}`);
    await vs.screenshot('2-stopped');
  });

  test('the Step Back button moves the current line back', async (t) => {
    if (!stoppedAt) { t.todo(NO_ADAPTER); return; }
    await page.locator('.debug-toolbar [aria-label^="Step Back"]').click();
    await page.waitForFunction((ic) => {
      const m = /rvreplay record · icount ([\d,]+)/.exec(document.querySelector('.statusbar')?.textContent ?? '');
      return m !== null && Number(m[1]!.replace(/,/g, '')) < ic;
    }, stoppedAt.icount, { timeout: 60_000 });
    // The status bar follows the timeline event; the Call Stack view re-renders a moment later.
    await page.waitForFunction((line) => {
      const row = document.querySelector('.debug-call-stack .monaco-list-row[aria-label^="Stack Frame"]');
      return row !== null && !row.getAttribute('aria-label')!.includes(`, line ${line}, `);
    }, stoppedAt.line, { timeout: 30_000 });
    const top = await waitStopped(page);
    assert.equal(top.file, 'hello.c', `stepped back into ${top.file}:${top.line}`);
    assert.ok(top.line < stoppedAt.line, `line ${top.line} is before line ${stoppedAt.line}`);
    await vs.screenshot('3-stepped-back');
  });

  test('the timeline view shows the position and snapshot marks', async (t) => {
    if (!stoppedAt) { t.todo(NO_ADAPTER); return; }
    const timeline = await sidebarTimeline(page);
    const icount = icountOf(await rvStatus(page));
    await timeline.waitForSelector(`#marks li[data-kind="position"][data-icount="${icount}"]`);
    await timeline.fill('#snap-name', 'e2e');
    await timeline.click('#snap-take');
    await timeline.waitForSelector(`#marks li[data-kind="named"][data-label="e2e"][data-icount="${icount}"]`, { timeout: 30_000 });
    const kinds = await timeline.$$eval('#marks li', (l) => l.map((li) => (li as HTMLElement).dataset.kind));
    assert.ok(kinds.includes('live-edge'), 'record mode shows the live edge');
    assert.equal(await timeline.textContent('#mode'), 'record');
    // Hover over the position: the adapter answers rvreplay/lineInfo with the source line there.
    const x = Number(await timeline.getAttribute('#marks li[data-kind="position"]', 'data-x'));
    await timeline.locator('#canvas').hover({ position: { x, y: 8 } });
    await timeline.waitForFunction(() => /virtual time .* · \S+\.[ch]:\d+/.test(document.getElementById('tooltip')?.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.match((await timeline.textContent('#tooltip'))!, /icount [\d,]+ \(here\)[\s\S]*hello\.c:7/);
    await vs.screenshot('4-timeline');
  });

  test('the serial console shows what hello.elf printed', async (t) => {
    if (!stoppedAt) { t.todo(NO_ADAPTER); return; }
    await runCommand(page, 'rvreplay: Show Serial Console');
    await page.waitForFunction(() => /Hello from a RISC-V guest on the virt board!/.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.keyboard.press('Shift+F5');
    await page.waitForSelector('.debug-toolbar', { state: 'hidden', timeout: 30_000 });
  });

  test('typed into the serial console, lines reach echo.elf and come back', async (t) => {
    if (!stoppedAt) { t.todo(NO_ADAPTER); return; }
    await page.locator('.start-debug-action-item .monaco-select-box').first().selectOption({ label: 'Record and debug echo.elf (type into the serial console)' });
    await page.keyboard.press('F5');
    await page.waitForFunction(() => /echo ready/.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.locator('.terminal-wrapper.active .xterm').click();
    await page.keyboard.type('hello\r');
    await page.waitForFunction(() => /HELLO #041720b2/.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await vs.screenshot('5-serial');
    await page.keyboard.type('quit\r');
    await page.waitForFunction(() => /bye sum=041720b2/.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.textContent ?? ''), undefined, { timeout: 30_000 });
  });
});
