// The timeline webview bundle (dist/webview.js) in real headless Chromium: the page the extension
// serves (src/timeline-html.ts, with its CSP) is served from localhost with a stand-in for VS Code's
// acquireVsCodeApi that records what the webview posts. Fed TimelineData messages, the panel must
// draw marks where the data says (read back from #marks and from the canvas pixels), seek on
// click and on Enter, and stay fast with 1e5 events. Screenshots go to test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import type { TimelineData } from '../adapter/protocol';
import { timelineHtml } from '../src/timeline-html';
import { hasTool, needTools } from './helpers/tools';

const ROOT = path.resolve(import.meta.dirname, '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const NONCE = 'test-nonce-4f2a';
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A dark theme's worth of VS Code's variables, as VS Code sets them on the webview's <html>. */
const THEME_CSS = `html { --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d;
  --vscode-sideBar-background: #181818; --vscode-font-family: sans-serif; --vscode-font-size: 13px;
  --vscode-charts-red: #f14c4c; --vscode-charts-blue: #3794ff; --vscode-charts-green: #89d185;
  --vscode-charts-orange: #d18616; --vscode-charts-yellow: #cca700; --vscode-charts-purple: #b180d7;
  --vscode-focusBorder: #0078d4; --vscode-debugIcon-breakpointForeground: #e51400;
  --vscode-debugIcon-breakpointCurrentStackframeForeground: #ffcc00; }`;

const STUB = `<script nonce="${NONCE}">
  window.__posted = [];
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
</script>`;

function ensureBundle(): void {
  const bundle = path.join(ROOT, 'dist/webview.js');
  const newest = Math.max(...fs.readdirSync(path.join(ROOT, 'webview')).map((f) => fs.statSync(path.join(ROOT, 'webview', f)).mtimeMs),
    fs.statSync(path.join(ROOT, 'src/timeline-html.ts')).mtimeMs);
  if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < newest) {
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(r.status, 0, 'esbuild failed');
  }
}

function serve(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = req.url ?? '/';
    if (url === '/' || url.startsWith('/?')) {
      const html = timelineHtml({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/webview.css` })
        .replace('</head>', `<link rel="stylesheet" href="${origin}/theme.css">\n</head>`)
        .replace('<body>', `<body class="vscode-dark">\n${STUB}`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (url === '/theme.css') {
      res.writeHead(200, { 'content-type': 'text/css' }).end(THEME_CSS);
    } else if (url === '/webview.js' || url === '/webview.css') {
      res.writeHead(200, { 'content-type': url.endsWith('.js') ? 'text/javascript' : 'text/css' })
        .end(fs.readFileSync(path.join(ROOT, 'dist', url)));
    } else if (url === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const D = 1_000_000;
const DATA: TimelineData = {
  mode: 'play', filename: '/work/examples/hello.rr', icount: 400_000, frontier: 750_000, end: D, vclockNs: 400_000,
  snapshots: [
    { icount: 0, kind: 'auto' }, { icount: 200_000, kind: 'auto' }, { icount: 400_000, kind: 'auto' }, { icount: 800_000, kind: 'auto' },
    { icount: 100_000, kind: 'named', name: 'boot' }, { icount: 500_000, kind: 'named', name: 'mid' },
  ],
  events: [
    { icount: 250_000, kind: 'uart-rx' }, { icount: 820_000, kind: 'uart-rx', count: 3 }, { icount: 50_000, kind: 'rtc' },
  ],
  hits: [
    { icount: 300_000, kind: 'breakpoint', label: 'hello.c:7' }, { icount: 700_000, kind: 'breakpoint', label: 'hello.c:7' },
    { icount: 350_000, kind: 'watchpoint', label: 'sum' },
  ],
};

interface DrawnMark { lane?: string; kind: string; icount: number; count: number; x: number; y: number; label?: string }

async function feed(page: Page, data: TimelineData | null): Promise<void> {
  await page.evaluate((d) => window.postMessage({ type: 'timeline', data: d }, '*'), data);
  await page.waitForFunction((ic) => document.querySelector('#marks li[data-kind="position"]')?.getAttribute('data-icount') === String(ic), data?.icount);
}

async function marks(page: Page): Promise<DrawnMark[]> {
  return page.$$eval('#marks li', (lis) => lis.map((li) => {
    const d = (li as HTMLElement).dataset;
    return { lane: d.lane, kind: d.kind!, icount: Number(d.icount), count: Number(d.count ?? 1), x: Number(d.x), y: Number(d.y), label: d.label };
  }));
}

async function geometry(page: Page) {
  const g = await page.$eval('#timeline', (el) => {
    const d = (el as HTMLElement).dataset;
    const r = el.querySelector('canvas')!.getBoundingClientRect();
    return { start: Number(d.viewStart), end: Number(d.viewEnd), x0: Number(d.plotX0), x1: Number(d.plotX1), left: r.left, top: r.top };
  });
  return { ...g, xOf: (ic: number) => g.x0 + ((ic - g.start) / (g.end - g.start)) * (g.x1 - g.x0), icountAt: (x: number) => g.start + ((x - g.x0) / (g.x1 - g.x0)) * (g.end - g.start) };
}

/**
 * What the webview posted since the last call. Hover's `lineInfo` requests (sent 120 ms after the
 * pointer rests, so at times during other tests) are left out unless asked for.
 */
async function posted(page: Page, withLineInfo = false): Promise<{ type: string; [k: string]: unknown }[]> {
  const all = await page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.splice(0));
  return withLineInfo ? all : all.filter((m) => m.type !== 'lineInfo');
}

/** The canvas pixel (CSS coordinates) as [r, g, b, a]. */
async function pixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.$eval('#canvas', (c, [px, py]) => {
    const canvas = c as HTMLCanvasElement;
    const dpr = canvas.width / canvas.getBoundingClientRect().width;
    return [...canvas.getContext('2d')!.getImageData(Math.round(px! * dpr), Math.round(py! * dpr), 1, 1).data];
  }, [x, y]);
}

describe('timeline webview in Chromium', { skip: !hasTool('chromium') && process.env.CI !== 'true' ? 'missing tool(s): chromium' : false }, () => {
  let server: http.Server;
  let context: BrowserContext;
  let page: Page;
  let userDir: string;
  const errors: string[] = [];

  before(async () => {
    ensureBundle();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await serve();
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-chromium-'));
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(userDir, {
      executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, viewport: { width: 900, height: 560 },
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    await posted(page);
  });

  after(async () => {
    await context?.close();
    server?.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  test('chromium is there (CI installs it)', (t) => { needTools(t, 'chromium'); });

  test('shows the empty state until a session posts its timeline', async () => {
    assert.equal(await page.isVisible('#empty'), true);
    assert.equal(await page.isVisible('#main'), false);
    assert.equal(await page.textContent('#mode'), 'no session');
  });

  test('draws every snapshot, hit and event where the data says', async () => {
    await feed(page, DATA);
    const g = await geometry(page);
    assert.equal(g.start, 0);
    assert.equal(g.end, D, 'fitted to the end of the recording');
    const drawn = await marks(page);
    const find = (kind: string, icount: number) => drawn.find((m) => m.kind === kind && m.icount === icount);
    const expected: [string, number][] = [
      ...DATA.snapshots.map((s) => [s.kind, s.icount] as [string, number]),
      ...DATA.hits.map((h) => [h.kind, h.icount] as [string, number]),
      ...DATA.events.map((e) => [e.kind, e.icount] as [string, number]),
      ['position', DATA.icount], ['end', D],
    ];
    for (const [kind, icount] of expected) {
      const m = find(kind, icount);
      assert.ok(m, `${kind} at ${icount} is drawn`);
      assert.ok(Math.abs(m.x - g.xOf(icount)) < 0.02, `${kind} at ${icount}: x ${m.x}, expected ${g.xOf(icount)}`);
    }
    assert.equal(drawn.filter((m) => m.lane).length, DATA.snapshots.length + DATA.hits.length + DATA.events.length, 'nothing else drawn');
    assert.equal(find('uart-rx', 820_000)!.count, 3, 'the sender\'s aggregated count is kept');
    assert.equal(find('named', 500_000)!.label, 'mid');
    // Distinct lanes: snapshots, hits, then one per event kind present.
    const laneY = (lane: string) => drawn.find((m) => m.lane === lane)!.y;
    assert.ok(laneY('snapshots') < laneY('hits') && laneY('hits') < laneY('uart-rx') && laneY('uart-rx') < laneY('rtc'));
    // The canvas really has them: the mark's colour at its centre.
    const named = await pixel(page, find('named', 500_000)!.x, laneY('snapshots'));
    assert.deepEqual(named.slice(0, 3), [0x37, 0x94, 0xff], 'named snapshot in charts-blue');
    const bp = await pixel(page, find('breakpoint', 700_000)!.x, laneY('hits'));
    assert.deepEqual(bp.slice(0, 3), [0xe5, 0x14, 0x00], 'breakpoint hit in the breakpoint colour');
    const auto = await pixel(page, find('auto', 800_000)!.x + 0.5, laneY('snapshots'));
    assert.ok(auto[3]! > 0 && auto[2]! < 0xff, 'automatic snapshot drawn, not in the named colour');
    const pos = await pixel(page, find('position', DATA.icount)!.x, laneY('uart-rx'));
    assert.deepEqual(pos.slice(0, 3), [0xff, 0xcc, 0x00], 'current position line');
    // Header: query-replay's mode, file and icount.
    assert.equal(await page.textContent('#mode'), 'replay');
    assert.equal(await page.textContent('#file'), 'hello.rr');
    assert.equal(await page.getAttribute('#file', 'title'), DATA.filename);
    assert.match((await page.textContent('#position'))!, /icount 400,000/);
    // Lists.
    assert.deepEqual(await page.$$eval('#snap-list li', (l) => l.map((li) => (li as HTMLElement).dataset.name)), ['boot', 'mid']);
    assert.equal(await page.locator('#hit-list li').count(), 3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webview-timeline.png') });
  });

  test('a click posts goto with the icount under the cursor; a click on a snapshot goes exactly there', async () => {
    await feed(page, DATA);
    await posted(page);
    const g = await geometry(page);
    const x = g.xOf(612_345);
    await page.mouse.click(g.left + x, g.top + 8); // on the axis, away from any mark
    const [msg] = await posted(page);
    assert.equal(msg?.type, 'goto');
    assert.equal(msg?.icount, Math.round(g.icountAt(x)));
    assert.ok(Math.abs((msg!.icount as number) - 612_345) <= 1);

    const drawn = await marks(page);
    const mid = drawn.find((m) => m.kind === 'named' && m.icount === 500_000)!;
    await page.mouse.click(g.left + mid.x + 3, g.top + mid.y);
    assert.deepEqual(await posted(page), [{ type: 'goto', icount: 500_000 }]);
  });

  test('dragging scrubs and seeks where it is released', async () => {
    await feed(page, DATA);
    await posted(page);
    const g = await geometry(page);
    await page.mouse.move(g.left + g.xOf(100_000), g.top + 8);
    await page.mouse.down();
    await page.mouse.move(g.left + g.xOf(300_000), g.top + 8, { steps: 5 });
    assert.deepEqual(await posted(page), [], 'no seek while dragging');
    await page.mouse.move(g.left + g.xOf(450_000), g.top + 8, { steps: 5 });
    await page.mouse.up();
    const [msg] = await posted(page);
    assert.equal(msg?.type, 'goto');
    assert.ok(Math.abs((msg!.icount as number) - 450_000) <= 2, `released at ${msg!.icount}`);
  });

  test('keyboard: arrows move the cursor, Page Down jumps to the next mark, Enter seeks', async () => {
    await feed(page, DATA);
    await posted(page);
    await page.focus('#timeline');
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'goto', icount: 0 }]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'goto', icount: 20_000 }], 'two steps of 1% of the window');
    await page.keyboard.press('Escape'); // back to the VM's position, 400,000
    await page.keyboard.press('PageDown');
    assert.equal(await page.getAttribute('#timeline', 'aria-valuenow'), '500000', 'next snapshot or hit after 400,000');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'goto', icount: 500_000 }]);
    await page.keyboard.press('PageUp');
    await page.keyboard.press('PageUp');
    assert.equal(await page.getAttribute('#timeline', 'aria-valuenow'), '350000', 'back past 400,000 to the watchpoint hit');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'goto', icount: D }], 'End is the end of the recording');
    await page.keyboard.press('Escape');
  });

  test('zoom: wheel and keys zoom around the pointer, marks follow', async () => {
    await feed(page, DATA);
    let g = await geometry(page);
    const anchorX = g.xOf(300_000);
    await page.mouse.move(g.left + anchorX, g.top + 30);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -200);
    await page.waitForFunction(() => Number((document.getElementById('timeline') as HTMLElement).dataset.viewEnd) < 500_000);
    g = await geometry(page);
    assert.ok(g.end - g.start < D / 2, 'zoomed in');
    assert.ok(Math.abs(g.icountAt(anchorX) - 300_000) < (g.end - g.start) / 100, 'the icount under the pointer stays put');
    const bp = (await marks(page)).find((m) => m.kind === 'breakpoint' && m.icount === 300_000)!;
    assert.ok(Math.abs(bp.x - anchorX) < 1);
    await page.focus('#timeline');
    await page.keyboard.press('0');
    await page.waitForFunction(() => (document.getElementById('timeline') as HTMLElement).dataset.viewEnd === '1000000');
    await page.keyboard.press('Escape');
  });

  test('hover shows icount, virtual time and the source line from lineInfo', async () => {
    await feed(page, DATA);
    await posted(page);
    const g = await geometry(page);
    await page.mouse.move(g.left + g.xOf(700_000), g.top + 8);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'lineInfo'));
    const req = (await posted(page, true)).find((m) => m.type === 'lineInfo')!;
    assert.ok(Math.abs((req.icount as number) - 700_000) <= (g.end - g.start) / (g.x1 - g.x0));
    await page.evaluate((r) => window.postMessage({ type: 'lineInfo', reqId: r.reqId, icount: r.icount,
      info: { file: '/work/examples/hello.c', line: 7, pc: 0x80000042, vclockNs: 700_000 } }, '*'), req);
    await page.waitForFunction(() => document.getElementById('tooltip')!.textContent!.includes('hello.c:7'));
    const text = await page.textContent('#tooltip');
    assert.match(text!, /icount 7\d\d,\d{3}/);
    assert.match(text!, /breakpoint hit hello\.c:7/);
    assert.match(text!, /virtual time 700\.000 µs · hello\.c:7/);
    // Next to the position line, the tooltip is about the position itself.
    const pos = (await marks(page)).find((m) => m.kind === 'position')!;
    await page.mouse.move(g.left + pos.x + 2.5, g.top + 8);
    await page.waitForFunction(() => /icount 400,000 \(here\)/.test(document.getElementById('tooltip')!.textContent!));
    await page.mouse.move(g.left + 5, g.top + 200);
  });

  test('snapshot list: take, go to and delete post their requests', async () => {
    await feed(page, DATA);
    await posted(page);
    await page.fill('#snap-name', 'before-bug');
    await page.click('#snap-take');
    await page.click('#snap-list li[data-name="boot"] button:has-text("Go to")');
    await page.click('#snap-list li[data-name="mid"] button:has-text("Delete")');
    await page.click('#hit-list li[data-icount="700000"] button');
    assert.deepEqual(await posted(page), [
      { type: 'snapshot', action: 'take', name: 'before-bug' },
      { type: 'snapshot', action: 'goto', name: 'boot' },
      { type: 'snapshot', action: 'delete', name: 'mid' },
      { type: 'goto', icount: 700_000 },
    ]);
  });

  test('record mode: the live edge is drawn, nothing past it can be sought', async () => {
    const rec: TimelineData = { ...DATA, mode: 'record', icount: 750_000, frontier: 750_000, end: undefined };
    await feed(page, rec);
    await posted(page);
    const drawn = await marks(page);
    const edge = drawn.find((m) => m.kind === 'live-edge');
    assert.equal(edge?.icount, 750_000);
    const g = await geometry(page);
    assert.ok(g.end > 750_000, 'room after the live edge');
    assert.equal(await page.textContent('#mode'), 'record');
    await page.mouse.click(g.left + g.xOf(g.end - 1000), g.top + 8);
    assert.deepEqual(await posted(page), [{ type: 'goto', icount: 750_000 }], 'clamped to the live edge');
    await page.screenshot({ path: path.join(ARTIFACTS, 'webview-record.png') });
  });

  test('1e5 events: aggregated when zoomed out, individual when zoomed in, fast either way', async () => {
    const N = 100_000;
    const ms = await page.evaluate((n) => {
      const events = [];
      for (let i = 0; i < n; i++) events.push({ icount: i * 97 + (i % 7), kind: i % 10 === 0 ? 'interrupt' : 'uart-rx' });
      const snapshots = Array.from({ length: 2000 }, (_, i) => ({ icount: i * 4850, kind: 'auto' }));
      const data = { mode: 'play', filename: '/work/examples/echo.rr', icount: 5_000_000, frontier: 9_700_000, end: 9_700_000,
        vclockNs: 5_000_000, events, snapshots, hits: [{ icount: 300_000, kind: 'breakpoint', label: 'echo.c:12' }] };
      const t0 = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'timeline', data } }));
      return performance.now() - t0;
    }, N);
    assert.ok(ms < 1000, `first draw of 1e5 events took ${ms.toFixed(0)} ms`);
    const drawn = await marks(page);
    const ev = drawn.filter((m) => m.lane === 'uart-rx' || m.lane === 'interrupt');
    assert.ok(ev.length < 2000, `${ev.length} marks drawn for 1e5 events`);
    assert.equal(ev.reduce((s, m) => s + m.count, 0), N, 'every event is counted in some mark');
    assert.equal(ev.filter((m) => m.lane === 'interrupt').reduce((s, m) => s + m.count, 0), N / 10);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webview-1e5-events.png') });

    // Zooming redraws within a frame's budget.
    const zoomMs = await page.evaluate(async () => {
      const canvas = document.getElementById('canvas')!;
      const r = canvas.getBoundingClientRect();
      const times: number[] = [];
      for (let i = 0; i < 12; i++) {
        const t0 = performance.now();
        canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: -300, clientX: r.left + r.width / 2, clientY: r.top + 30, bubbles: true, cancelable: true }));
        await new Promise((res) => requestAnimationFrame(() => res(null)));
        times.push(performance.now() - t0);
      }
      return Math.max(...times);
    });
    assert.ok(zoomMs < 250, `slowest zoom step ${zoomMs.toFixed(0)} ms`);
    const g = await geometry(page);
    assert.ok(g.end - g.start < 20_000 && g.end - g.start > 1000, `zoomed to ${g.end - g.start} instructions`);
    const close = (await marks(page)).filter((m) => m.lane === 'uart-rx');
    assert.ok(close.length > 0 && close.every((m) => m.count === 1), 'zoomed in, events are drawn one by one: ');
    for (const m of close) assert.ok(Math.abs(m.x - g.xOf(m.icount)) < 0.02);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webview-1e5-zoomed.png') });
  });

  test('aggregated automatic snapshots (count) are drawn and counted as the snapshots they stand for', async () => {
    await page.evaluate(() => {
      const snapshots = [{ icount: 0, kind: 'auto', count: 1500 }, { icount: 600_000, kind: 'auto', count: 2500 }, { icount: 700_000, kind: 'named', name: 'here' }];
      const data = { mode: 'play', icount: 10, frontier: 1_000_000, end: 1_000_000, vclockNs: 10, events: [], snapshots, hits: [] };
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'timeline', data } }));
    });
    assert.match((await page.textContent('#snap-auto'))!, /^4000 automatic snapshots/);
    const autos = (await marks(page)).filter((m) => m.kind === 'auto');
    assert.equal(autos.reduce((n, m) => n + m.count, 0), 4000);
  });

  test('the page keeps its CSP: no violations, no errors, no inline scripts or styles allowed', async () => {
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.ok(csp && !csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && csp.includes("default-src 'none'"), csp ?? '');
    const injected = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    assert.equal(injected, false, 'a script without the nonce does not run');
    const violations = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    assert.deepEqual(violations.filter((v) => !v.startsWith('script-src')), []);
    assert.equal(violations.length, 1, 'only the injected script was blocked');
    assert.deepEqual(errors.filter((e) => !/Content Security Policy/.test(e)), []);
  });

  test('a session that has not stopped yet says it is running', async () => {
    await page.evaluate(() => window.postMessage({ type: 'timeline', data: null, running: true }, '*'));
    await page.waitForFunction(() => /VM is running/.test(document.getElementById('empty')!.textContent!));
    assert.equal(await page.textContent('#mode'), 'running');
  });

  test('back to the empty state when the session ends', async () => {
    await page.evaluate(() => window.postMessage({ type: 'timeline', data: null }, '*'));
    await page.waitForSelector('#empty', { state: 'visible' });
    assert.equal(await page.textContent('#mode'), 'no session');
    assert.match((await page.textContent('#empty'))!, /Start debugging/);
  });
});
