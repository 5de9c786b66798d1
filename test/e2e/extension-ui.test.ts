// The extension in a real VS Code (code-server), against the scripted adapter
// (test/e2e/scripted-adapter.ts, used through launch.json's "debugServer"): launch configuration
// resolution, the status bar, Step Back from the debug toolbar, the timeline view (marks, click to
// seek, taking a snapshot), the commands, the serial console (output, typed input, read-only in
// replay), and F5 with no launch.json. This checks the extension alone, whatever state the real
// adapter is in; test/e2e/e2e.test.ts runs the real one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { type VsCode, openFile, notifications, runCommand, rvStatus, sidebarTimeline, startVsCode, terminalText, topFrame, waitStopped, webviewFrame } from './code-server';
import { type ScriptedAdapter, startScriptedAdapter } from './scripted-adapter';
import { hasTool } from '../helpers/tools';

const skip = !hasTool('chromium') && process.env.CI !== 'true' ? 'missing tool(s): chromium' : false;

describe('rvreplay extension in code-server (scripted adapter)', { skip, timeout: 300_000 }, () => {
  let vs: VsCode;
  let page: Page;
  let adapter: ScriptedAdapter;
  let timeline: Frame;
  const requests = (command: string) => adapter.received.filter((r) => r.command === command);
  /** Ends a session an earlier failed test may have left running, so that F5 starts a new one. */
  const stopSession = async () => {
    if (await page.locator('.debug-toolbar').isVisible()) {
      await page.keyboard.press('Escape');
      await page.locator('.debug-toolbar [aria-label^="Stop"]').click();
      await page.waitForSelector('.debug-toolbar', { state: 'hidden' });
    }
  };

  before(async () => {
    adapter = await startScriptedAdapter();
    const launch = {
      version: '0.2.0',
      configurations: [
        { type: 'rvreplay', request: 'launch', name: 'Scripted record', program: 'hello.elf', debugServer: adapter.port },
        { type: 'rvreplay', request: 'launch', name: 'Scripted replay', program: '${workspaceFolder}/hello.elf', rr: 'replay', rrfile: 'old.rr', debugServer: adapter.port },
      ],
    };
    vs = await startVsCode({ workspaceFiles: { '.vscode/launch.json': JSON.stringify(launch, null, 2), 'old.rr': 'a recording' } });
    page = vs.page;
  });

  after(async () => {
    if (vs) await vs.screenshot('ui-last');
    await vs?.close();
    await adapter?.close();
  });

  test('F5 launches with the configuration completed, and stops at the breakpoint', async () => {
    await openFile(vs, 'hello.c', 8);
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor();
    await page.keyboard.press('F5');
    const top = await waitStopped(page, 8, 30_000);
    assert.deepEqual(top, { name: 'main', line: 8, file: 'hello.c' });
    const args = requests('launch')[0]!.arguments as Record<string, unknown>;
    assert.equal(args.program, path.join(vs.workspace, 'hello.elf'), 'relative program made absolute');
    assert.equal(args.rr, 'record');
    assert.equal(args.rrfile, path.join(vs.workspace, 'hello.elf.rr'), 'default recording beside the program');
    assert.equal(args.rrfileOverwrite, undefined, 'never replaced unless the configuration says so');
    await page.waitForFunction(() => /rvreplay record · icount 600/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    await vs.screenshot('ui-stopped');
  });

  test('the Step Back button of the debug toolbar moves the current line back', async () => {
    await page.locator('.debug-toolbar [aria-label^="Step Back"]').click();
    const top = await waitStopped(page, 7);
    assert.equal(top.line, 7);
    assert.equal(requests('stepBack').length, 1);
    await page.waitForFunction(() => /icount 300/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    assert.match(await rvStatus(page), /rvreplay record · icount 300/);
  });

  test('the timeline view shows the position, snapshots, hits and the live edge', async () => {
    timeline = await sidebarTimeline(page);
    await timeline.waitForSelector('#marks li[data-kind="position"][data-icount="300"]');
    const kinds = await timeline.$$eval('#marks li', (l) => l.map((li) => `${(li as HTMLElement).dataset.kind}@${(li as HTMLElement).dataset.icount}`));
    for (const k of ['position@300', 'live-edge@600', 'auto@0', 'auto@500', 'breakpoint@600', 'rtc@120']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    assert.equal(await timeline.textContent('#mode'), 'record');
    assert.equal(await timeline.textContent('#file'), 'hello.elf.rr');
    await vs.screenshot('ui-timeline');
  });

  test('clicking the timeline seeks there (rvreplay/gotoIcount), and everything follows', async () => {
    const g = await timeline.$eval('#timeline', (el) => {
      const d = (el as HTMLElement).dataset;
      return { start: Number(d.viewStart), end: Number(d.viewEnd), x0: Number(d.plotX0), x1: Number(d.plotX1) };
    });
    const x = g.x0 + ((450 - g.start) / (g.end - g.start)) * (g.x1 - g.x0);
    await timeline.locator('#canvas').click({ position: { x, y: 8 } });
    await page.waitForFunction(() => /icount 45\d/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    const icount = (requests('rvreplay/gotoIcount').at(-1)!.arguments as { icount: number }).icount;
    assert.ok(Math.abs(icount - 450) <= 2, `went to ${icount}`);
    await timeline.waitForSelector(`#marks li[data-kind="position"][data-icount="${icount}"]`);
    assert.equal((await waitStopped(page, 7)).line, 7);
  });

  test('taking a snapshot from the timeline adds a named mark', async () => {
    await timeline.fill('#snap-name', 'before-loop');
    await timeline.click('#snap-take');
    await timeline.waitForSelector('#marks li[data-kind="named"][data-label="before-loop"]');
    assert.deepEqual(requests('rvreplay/snapshot').at(-1)!.arguments, { action: 'take', name: 'before-loop' });
    await timeline.waitForSelector('#snap-list li[data-name="before-loop"]');
  });

  test('Go to Icount… asks for an icount and goes there', async () => {
    await runCommand(page, 'rvreplay: Go to Icount');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('99999999');
    await page.locator('.quick-input-message', { hasText: 'Beyond the live edge' }).waitFor();
    await input.fill('0x64');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /icount 100\b/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    assert.deepEqual(requests('rvreplay/gotoIcount').at(-1)!.arguments, { icount: 100 });
    assert.equal((await waitStopped(page, 6)).line, 6);
  });

  test('Take Snapshot and Reverse Step Out commands send their requests', async () => {
    await runCommand(page, 'rvreplay: Take Snapshot');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    assert.equal(await input.inputValue(), 'snap-100');
    await page.keyboard.press('Enter');
    await timeline.waitForSelector('#marks li[data-kind="named"][data-label="snap-100"]');
    await runCommand(page, 'rvreplay: Reverse Step Out');
    await page.waitForFunction(() => /icount 0\b/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    assert.deepEqual(requests('rvreplay/reverseStepOut').at(-1)!.arguments, { threadId: 1 });
  });

  test('Open Timeline opens the same panel in an editor tab', async () => {
    await runCommand(page, 'rvreplay: Open Timeline');
    await page.locator('.tabs-container .tab', { hasText: 'rvreplay Timeline' }).waitFor();
    const frames = [];
    const end = Date.now() + 20_000;
    while (Date.now() < end && frames.length < 2) {
      frames.length = 0;
      for (const f of page.frames()) if (await f.$('#marks li[data-kind="position"][data-icount="0"]').catch(() => null)) frames.push(f);
      await page.waitForTimeout(200);
    }
    assert.equal(frames.length, 2, 'the sidebar view and the editor tab both show the position');
    await vs.screenshot('ui-timeline-tab');
  });

  test('the serial console shows the UART and sends typed keys to the guest', async () => {
    await runCommand(page, 'rvreplay: Show Serial Console');
    await page.waitForFunction(() => /Hello from a RISC-V guest/.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.textContent ?? ''));
    await page.locator('.terminal-wrapper.active .xterm').click(); // the editor may have taken focus at the last stop
    await page.keyboard.type('quit\r');
    await page.waitForFunction(() => /QUIT/.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.textContent ?? ''));
    assert.equal(requests('rvreplay/uartInput').map((r) => (r.arguments as { text: string }).text).join(''), 'quit\r');
    const text = await terminalText(page);
    assert.match(text, /what you type is sent to the guest and recorded/);
    assert.match(text, /Hello from a RISC-V guest on the virt board!\nfib\(0\) = 0\nQUIT/, 'newlines become line breaks');
    await vs.screenshot('ui-serial');
  });

  test('stopping ends the session: status bar item hidden, timeline back to empty', async () => {
    await page.keyboard.press('Shift+F5');
    await page.waitForSelector('.debug-toolbar', { state: 'hidden' });
    await page.waitForFunction(() => !/rvreplay record/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    await timeline.waitForSelector('#empty', { state: 'visible' });
  });

  test('in replay, the serial console is read-only and says so', async () => {
    // Select "Scripted replay" in the Run and Debug view's configuration dropdown, then F5.
    await page.locator('.debug-actions-widget .monaco-select-box, .start-debug-action-item .monaco-select-box').first().selectOption({ label: 'Scripted replay' });
    const before = requests('rvreplay/uartInput').length;
    await page.keyboard.press('F5');
    await waitStopped(page, 8, 30_000);
    const args = requests('launch').at(-1)!.arguments as Record<string, unknown>;
    assert.equal(args.rr, 'replay');
    assert.equal(args.rrfile, path.join(vs.workspace, 'old.rr'));
    await page.waitForFunction(() => /rvreplay replay · icount 600/.test(document.querySelector('.statusbar')?.textContent ?? ''));
    await runCommand(page, 'rvreplay: Show Serial Console');
    await page.waitForFunction(() => /replaying a recording: read-only/.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.textContent ?? ''));
    await page.locator('.terminal-wrapper.active .xterm').click();
    await page.keyboard.type('x');
    await page.waitForFunction(() => /typing here is ignored/.test(document.querySelector('.terminal-wrapper.active .xterm-rows')?.textContent ?? ''));
    assert.equal(requests('rvreplay/uartInput').length, before, 'nothing sent');
    timeline = await webviewFrame(page, '#mode:text("replay")');
    await vs.screenshot('ui-replay');
    await page.keyboard.press('Shift+F5');
    await page.waitForSelector('.debug-toolbar', { state: 'hidden' });
  });

  test('a replay of a missing recording is refused with a clear message', async () => {
    await stopSession();
    fs.rmSync(path.join(vs.workspace, 'old.rr'));
    const launches = requests('launch').length;
    await page.keyboard.press('F5');
    await page.locator('.notifications-toasts', { hasText: 'Recording not found' }).waitFor();
    assert.ok((await notifications(page)).some((n) => n.includes(`Recording not found: ${path.join(vs.workspace, 'old.rr')}`)));
    assert.equal(requests('launch').length, launches, 'no session started');
    await page.keyboard.press('Escape');
  });

  test('F5 with no launch.json offers the workspace ELFs', async () => {
    await stopSession();
    fs.rmSync(path.join(vs.workspace, '.vscode/launch.json'));
    // The file watcher notices: the Run and Debug view's configuration list drops launch.json's.
    await page.waitForFunction(() => !Array.from(document.querySelectorAll('.start-debug-action-item select option')).some((o) => o.textContent?.includes('Scripted')), undefined, { timeout: 30_000 });
    await page.locator('.tabs-container .tab', { hasText: 'hello.c' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'rvreplay Timeline' }).locator('.codicon-close').click({ timeout: 5000 }).catch(() => {});
    // F5 picks the debugger by the active editor's language (C: rvreplay). exit.c has no exit.elf
    // beside it (hello.c would go straight to hello.elf), so the extension asks which ELF.
    await openFile(vs, 'exit.c');
    await page.keyboard.press('F5');
    // VS Code may first ask which debugger; rvreplay is the one for this workspace.
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    const rows = page.locator('.quick-input-list .monaco-list-row');
    if (await rows.filter({ hasText: 'rvreplay' }).count()) await rows.filter({ hasText: 'rvreplay' }).first().click();
    await page.locator('.quick-input-title', { hasText: 'which RISC-V ELF' }).waitFor();
    const labels = await rows.allTextContents();
    for (const elf of ['hello.elf', 'echo.elf', 'semihosting/hello.elf']) assert.ok(labels.some((l) => l.includes(elf)), `${elf} offered: ${labels}`);
    await vs.screenshot('ui-pick-elf');
    await page.keyboard.press('Escape');
  });
});
