// The timeline webview's page. Pure (no `vscode` import): test/webview.test.ts serves the same page
// to Chromium. Strict CSP: nothing loads but the bundle and its stylesheet, and only scripts
// carrying this page's nonce run; no remote content, no inline styles.
import { randomBytes } from 'node:crypto';

export interface TimelineHtmlOptions {
  /** The webview's `cspSource` (the origin its local resources are served from). */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function timelineHtml(o: TimelineHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${esc(o.styleUri)}">
<title>rvreplay timeline</title>
</head>
<body>
<header id="header" aria-live="polite">
  <span id="mode" class="badge" data-mode="none">no session</span>
  <span id="file" class="file"></span>
  <span id="position" class="position"></span>
</header>
<p id="empty" class="empty">Start debugging with an <code>rvreplay</code> configuration to see its timeline.</p>
<main id="main" hidden>
  <div class="toolbar" role="toolbar" aria-label="Timeline zoom">
    <button id="zoom-in" type="button" title="Zoom in (+)" aria-label="Zoom in">+</button>
    <button id="zoom-out" type="button" title="Zoom out (-)" aria-label="Zoom out">−</button>
    <button id="zoom-fit" type="button" title="Show everything (0)" aria-label="Show everything">fit</button>
    <span id="range" class="range"></span>
  </div>
  <div id="timeline" class="timeline" tabindex="0" role="slider" aria-label="Timeline: arrows move the cursor, Enter goes there, Page Up and Page Down jump between snapshots and hits, + and - zoom"
       aria-valuemin="0" aria-valuemax="0" aria-valuenow="0">
    <canvas id="canvas"></canvas>
    <div id="tooltip" class="tooltip" role="status" hidden></div>
  </div>
  <ol id="marks" class="visually-hidden" aria-hidden="true"></ol>
  <section class="snapshots" aria-labelledby="snap-title">
    <h2 id="snap-title">Snapshots</h2>
    <form id="snap-form" class="snap-form">
      <input id="snap-name" type="text" placeholder="name" aria-label="New snapshot name" spellcheck="false">
      <button id="snap-take" type="submit">Take snapshot</button>
    </form>
    <ul id="snap-list" class="list"></ul>
    <p id="snap-auto" class="hint"></p>
  </section>
  <section class="hits" aria-labelledby="hits-title">
    <h2 id="hits-title">Breakpoint and watchpoint hits</h2>
    <ul id="hit-list" class="list"></ul>
  </section>
</main>
<script nonce="${esc(o.nonce)}" src="${esc(o.scriptUri)}"></script>
</body>
</html>
`;
}
