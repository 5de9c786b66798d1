// The timeline panel (runs inside a VS Code webview). It draws what the extension posts (a
// TimelineData, see adapter/protocol.ts) on a canvas, and writes every drawn mark into the hidden
// list #marks (data-lane, data-kind, data-icount, data-x…) so tests and assistive tools can read
// back what is on screen. Clicking, dragging or pressing Enter posts {type:'goto', icount}.
import './style.css';
import type { TimelineData } from '../adapter/protocol';
import type { FromWebview, ToWebview } from './messages';
import {
  type Mark, type Plot, type View, Model, clampView, formatIcount, formatNs, icountAt, pan, reveal,
  shortIcount, ticks, xOf, zoom,
} from './model';

interface VsCodeApi { postMessage(msg: FromWebview): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const post = (msg: FromWebview) => vscode.postMessage(msg);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  mode: $('mode'), file: $('file'), position: $('position'), empty: $('empty'), main: $('main'),
  range: $('range'), timeline: $('timeline'), canvas: $<HTMLCanvasElement>('canvas'), tooltip: $('tooltip'),
  marks: $<HTMLOListElement>('marks'), snapForm: $<HTMLFormElement>('snap-form'), snapName: $<HTMLInputElement>('snap-name'),
  snapList: $('snap-list'), snapAuto: $('snap-auto'), hitList: $('hit-list'),
};

const AXIS_H = 22, LANE_H = 18, PAD_B = 4, LABEL_W = 74, PAD_R = 10;

const state = {
  model: null as Model | null,
  view: { start: 0, end: 1 } as View,
  /** The view shows everything, and keeps doing so as the frontier moves. */
  fitted: true,
  running: false,
  /** Keyboard/drag cursor (an icount), or null when it follows the current position. */
  cursor: null as number | null,
  hover: null as { x: number; icount: number } | null,
  drag: null as { startX: number; moved: boolean; pointerId: number } | null,
  cssWidth: 300,
  drawn: [] as Mark[],
};

// ---- messages -------------------------------------------------------------------------------

window.addEventListener('message', (ev: MessageEvent<ToWebview>) => {
  const msg = ev.data;
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'timeline') setData(msg.data, msg.running ?? false);
  else if (msg.type === 'running') { state.running = true; renderHeader(); schedule(); }
  else if (msg.type === 'lineInfo') onLineInfo(msg);
});

function setData(data: TimelineData | null, running: boolean): void {
  state.running = running;
  if (!data) {
    state.model = null;
    ui.main.hidden = true;
    ui.empty.hidden = false;
    ui.empty.textContent = running
      ? 'The VM is running: its timeline appears when it stops (at a breakpoint, or pause it).'
      : 'Start debugging with an rvreplay configuration to see its timeline.';
    renderHeader();
    if (running) { ui.mode.textContent = 'running'; ui.mode.dataset.mode = 'running'; }
    return;
  }
  const prev = state.model;
  const model = new Model(data);
  state.model = model;
  ui.main.hidden = false;
  ui.empty.hidden = true;
  if (!prev || state.fitted || prev.data.filename !== data.filename) {
    state.view = model.fit();
    state.fitted = true;
  } else {
    state.view = reveal(clampView(state.view, model.domainEnd), data.icount, model.domainEnd);
  }
  // The VM moved (often to where the cursor was): the cursor follows the position again.
  if (!state.drag) state.cursor = null;
  if (!state.hover) hideTooltip();
  lineCache.clear();
  renderHeader();
  renderLists();
  resize();
}

// ---- header and lists ---------------------------------------------------------------------------

function renderHeader(): void {
  const d = state.model?.data;
  const mode = d?.mode ?? 'none';
  ui.mode.dataset.mode = d ? mode : 'idle';
  ui.mode.textContent = !d ? 'no session' : mode === 'play' ? 'replay' : mode === 'record' ? 'record' : 'live';
  ui.mode.title = !d ? '' : mode === 'play' ? 'Replaying a recording (query-replay mode "play")'
    : mode === 'record' ? 'Recording: the live edge moves forward as the VM runs' : 'Running without a recording';
  ui.file.textContent = d?.filename?.split(/[\\/]/).pop() ?? '';
  ui.file.title = d?.filename ?? '';
  if (!d) { ui.position.textContent = ''; return; }
  const lim = d.mode === 'record' ? `live edge ${formatIcount(d.frontier)}` : `end ${formatIcount(state.model!.limit)}`;
  ui.position.textContent = state.running ? `running… (${lim})`
    : `icount ${formatIcount(d.icount)} · ${formatNs(d.vclockNs)} · ${lim}`;
  document.body.classList.toggle('running', state.running);
}

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', onClick);
  return b;
}

const MAX_LIST = 300;

function renderLists(): void {
  const d = state.model!.data;
  const named = d.snapshots.filter((s) => s.kind === 'named').sort((a, b) => a.icount - b.icount);
  ui.snapList.replaceChildren(...named.map((s) => {
    const li = document.createElement('li');
    li.dataset.icount = String(s.icount);
    li.dataset.name = s.name ?? '';
    if (s.icount === d.icount) li.classList.add('current');
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = s.name ?? '(unnamed)';
    const where = document.createElement('span');
    where.className = 'where';
    where.textContent = formatIcount(s.icount);
    li.append(label, where,
      button('Go to', `Go to snapshot ${s.name} (icount ${formatIcount(s.icount)})`, () => post({ type: 'snapshot', action: 'goto', name: s.name ?? '' })),
      button('Delete', `Delete snapshot ${s.name}`, () => post({ type: 'snapshot', action: 'delete', name: s.name ?? '' })));
    return li;
  }));
  if (named.length === 0) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = 'No named snapshots yet.';
    ui.snapList.append(li);
  }
  const auto = d.snapshots.reduce((n, s) => n + (s.kind === 'auto' ? Math.max(1, s.count ?? 1) : 0), 0);
  ui.snapAuto.textContent = auto ? `${auto} automatic snapshot${auto === 1 ? '' : 's'} (the thin ticks) make stepping back fast.` : '';

  const hits = [...d.hits].sort((a, b) => a.icount - b.icount);
  const shown = hits.slice(-MAX_LIST);
  ui.hitList.replaceChildren(...shown.map((h) => {
    const li = document.createElement('li');
    li.dataset.icount = String(h.icount);
    li.dataset.kind = h.kind;
    if (h.icount === d.icount) li.classList.add('current');
    const label = document.createElement('span');
    label.className = `label ${h.kind}`;
    label.textContent = h.label;
    const where = document.createElement('span');
    where.className = 'where';
    where.textContent = formatIcount(h.icount);
    li.append(label, where, button('Go to', `Go to the ${h.kind} hit ${h.label} at icount ${formatIcount(h.icount)}`, () => goto(h.icount)));
    return li;
  }));
  if (hits.length > shown.length) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = `… and ${hits.length - shown.length} earlier hits (on the timeline).`;
    ui.hitList.prepend(li);
  } else if (hits.length === 0) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = 'None found yet.';
    ui.hitList.append(li);
  }
}

ui.snapForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  post({ type: 'snapshot', action: 'take', name: ui.snapName.value.trim() });
  ui.snapName.value = '';
});

function goto(icount: number): void {
  if (!state.model) return;
  const target = state.model.clampSeek(icount);
  state.cursor = target;
  post({ type: 'goto', icount: target });
  schedule();
}

// ---- drawing --------------------------------------------------------------------------------------

let colors: Record<string, string> = {};
function readColors(): void {
  const cs = getComputedStyle(document.documentElement);
  const get = (name: string, fallback: string) => cs.getPropertyValue(`--rv-${name}`).trim() || fallback;
  colors = {
    fg: get('fg', '#cccccc'), dim: get('dim', '#8b8b8b'), grid: get('grid', '#80808040'),
    position: get('position', '#ffcc00'), cursor: get('cursor', '#007fd4'), live: get('live', '#f14c4c'),
    auto: get('auto', '#8b8b8b'), named: get('named', '#3794ff'), breakpoint: get('breakpoint', '#e51400'),
    watchpoint: get('watchpoint', '#d18616'), 'uart-rx': get('uart-rx', '#89d185'), rtc: get('rtc', '#cca700'),
    semihost: get('semihost', '#b180d7'), console: get('console', '#3794ff'), interrupt: get('interrupt', '#d18616'),
    reset: get('reset', '#f14c4c'), future: get('future', '#80808020'),
  };
}
new MutationObserver(() => { readColors(); schedule(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function plot(): Plot {
  const narrow = state.cssWidth < 260;
  return { x0: narrow ? 6 : LABEL_W, x1: Math.max((narrow ? 6 : LABEL_W) + 10, state.cssWidth - PAD_R) };
}

function laneY(index: number): number { return AXIS_H + index * LANE_H; }

function resize(): void {
  const m = state.model;
  if (!m) return;
  state.cssWidth = Math.max(120, ui.timeline.clientWidth);
  const h = AXIS_H + m.lanes.length * LANE_H + PAD_B;
  const dpr = window.devicePixelRatio || 1;
  ui.canvas.style.width = `${state.cssWidth}px`;
  ui.canvas.style.height = `${h}px`;
  ui.canvas.width = Math.round(state.cssWidth * dpr);
  ui.canvas.height = Math.round(h * dpr);
  draw();
}

let frame = 0;
function schedule(): void {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); });
}

function draw(): void {
  const m = state.model;
  if (!m) return;
  const ctx = ui.canvas.getContext('2d')!;
  const dpr = window.devicePixelRatio || 1;
  const W = state.cssWidth, H = ui.canvas.height / dpr;
  const p = plot(), v = state.view;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  const font = getComputedStyle(document.body);
  ctx.font = `11px ${font.fontFamily || 'sans-serif'}`;
  ctx.textBaseline = 'middle';

  // Lanes: labels and separators.
  m.lanes.forEach((lane, i) => {
    const y = laneY(i);
    ctx.fillStyle = colors.grid!;
    ctx.fillRect(p.x0, y + LANE_H - 0.5, p.x1 - p.x0, 0.5);
    if (p.x0 > 20) {
      ctx.fillStyle = colors.dim!;
      ctx.textAlign = 'right';
      ctx.fillText(lane.label, p.x0 - 6, y + LANE_H / 2);
    }
  });
  const bottom = laneY(m.lanes.length);

  // History beyond the frontier does not exist yet (record) or at all (replay).
  const limX = xOf(m.limit, v, p);
  if (limX < p.x1) {
    ctx.fillStyle = colors.future!;
    ctx.fillRect(Math.max(p.x0, limX), AXIS_H - 4, p.x1 - Math.max(p.x0, limX), bottom - AXIS_H + 4);
  }

  // Axis.
  ctx.fillStyle = colors.dim!;
  ctx.textAlign = 'center';
  ctx.fillRect(p.x0, AXIS_H - 4, p.x1 - p.x0, 1);
  for (const t of ticks(v, Math.max(2, Math.floor((p.x1 - p.x0) / 80)))) {
    const x = Math.round(xOf(t, v, p)) + 0.5;
    ctx.fillStyle = colors.grid!;
    ctx.fillRect(x, AXIS_H - 4, 1, bottom - AXIS_H + 4);
    ctx.fillStyle = colors.dim!;
    ctx.fillRect(x, AXIS_H - 7, 1, 3);
    ctx.fillText(shortIcount(t), Math.min(Math.max(x, p.x0 + 12), p.x1 - 12), 8);
  }

  // Marks.
  const marks = m.marks(v, p);
  ctx.save();
  ctx.beginPath();
  ctx.rect(p.x0 - 5, AXIS_H - 4, p.x1 - p.x0 + 10, bottom - AXIS_H + 4);
  ctx.clip();
  const laneIndex = new Map(m.lanes.map((l, i) => [l.id, i] as const));
  for (const mk of marks) drawMark(ctx, mk, laneY(laneIndex.get(mk.lane)!));
  ctx.restore();

  // The live edge (record) or the end of the recording (replay).
  if (limX >= p.x0 - 1 && limX <= p.x1 + 1) {
    ctx.strokeStyle = colors.live!;
    ctx.setLineDash(m.data.mode === 'record' ? [3, 3] : []);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(limX, AXIS_H - 4);
    ctx.lineTo(limX, bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    if (m.data.mode === 'record') {
      ctx.fillStyle = colors.live!;
      ctx.textAlign = limX > p.x1 - 30 ? 'right' : 'left';
      ctx.fillText('live', limX + (limX > p.x1 - 30 ? -3 : 3), AXIS_H + 2);
    }
  }

  // The cursor (keyboard or drag).
  const cur = state.cursor;
  if (cur !== null && cur !== m.data.icount) {
    const x = xOf(cur, v, p);
    if (x >= p.x0 - 1 && x <= p.x1 + 1) {
      ctx.strokeStyle = colors.cursor!;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 2]);
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, AXIS_H - 4);
      ctx.lineTo(Math.round(x) + 0.5, bottom);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  // The current position: a line with a triangle on the axis.
  const px = xOf(m.data.icount, v, p);
  if (px >= p.x0 - 1 && px <= p.x1 + 1) {
    ctx.fillStyle = colors.position!;
    ctx.fillRect(Math.round(px) - 1, AXIS_H - 4, 2, bottom - AXIS_H + 4);
    ctx.beginPath();
    ctx.moveTo(px - 5, AXIS_H - 10);
    ctx.lineTo(px + 5, AXIS_H - 10);
    ctx.lineTo(px, AXIS_H - 3);
    ctx.closePath();
    ctx.fill();
  }

  state.drawn = marks;
  writeMarks(marks, laneIndex, px, limX, p);
  ui.range.textContent = `${formatIcount(v.start)} – ${formatIcount(v.end)}`;
  const t = ui.timeline;
  t.dataset.viewStart = String(v.start);
  t.dataset.viewEnd = String(v.end);
  t.dataset.plotX0 = String(p.x0);
  t.dataset.plotX1 = String(p.x1);
  t.setAttribute('aria-valuemax', String(m.limit));
  const c = state.cursor ?? m.data.icount;
  t.setAttribute('aria-valuenow', String(c));
  t.setAttribute('aria-valuetext', `cursor at icount ${formatIcount(c)}; the VM is at ${formatIcount(m.data.icount)}`);
}

function drawMark(ctx: CanvasRenderingContext2D, mk: Mark, y: number): void {
  const cy = y + LANE_H / 2;
  const w = Math.max(2, mk.x2 - mk.x);
  ctx.fillStyle = colors[mk.kind] ?? colors.fg!;
  switch (mk.kind) {
    case 'auto':
      ctx.fillRect(Math.round(mk.x), y + 4, Math.max(1, w - 1), LANE_H - 8);
      break;
    case 'named':
      ctx.beginPath();
      ctx.moveTo(mk.x, cy - 6); ctx.lineTo(mk.x + 5, cy); ctx.lineTo(mk.x, cy + 6); ctx.lineTo(mk.x - 5, cy);
      ctx.closePath();
      ctx.fill();
      if (mk.label) { ctx.textAlign = 'left'; ctx.fillStyle = colors.fg!; ctx.fillText(mk.label, mk.x + 7, cy); }
      break;
    case 'breakpoint':
      ctx.beginPath();
      ctx.arc(mk.x, cy, mk.count > 1 ? 5 : 4, 0, 2 * Math.PI);
      ctx.fill();
      if (mk.x2 - mk.x > 4) ctx.fillRect(mk.x, cy - 1, mk.x2 - mk.x, 2);
      break;
    case 'watchpoint':
      ctx.fillRect(mk.x - 4, cy - 4, 8, 8);
      if (mk.x2 - mk.x > 4) ctx.fillRect(mk.x, cy - 1, mk.x2 - mk.x, 2);
      break;
    default: {
      // Event lanes: height grows with the number of events aggregated.
      const h = Math.min(LANE_H - 4, 4 + 2.5 * Math.log2(mk.count));
      ctx.fillRect(mk.x - (w <= 2 ? 1 : 0), cy - h / 2, w, h);
    }
  }
}

function writeMarks(marks: Mark[], laneIndex: Map<string, number>, posX: number, limX: number, p: Plot): void {
  const m = state.model!;
  const rows: string[] = [];
  const r = (n: number) => Math.round(n * 100) / 100;
  const extra = (kind: string, icount: number, x: number) =>
    `<li data-kind="${kind}" data-icount="${icount}" data-x="${r(x)}" data-visible="${x >= p.x0 - 1 && x <= p.x1 + 1}">${kind} ${icount}</li>`;
  rows.push(extra('position', m.data.icount, posX));
  rows.push(extra(m.data.mode === 'record' ? 'live-edge' : 'end', m.limit, limX));
  if (state.cursor !== null) rows.push(extra('cursor', state.cursor, xOf(state.cursor, state.view, p)));
  for (const mk of marks) {
    const y = laneY(laneIndex.get(mk.lane)!) + LANE_H / 2;
    const label = mk.label ? ` data-label="${escapeAttr(mk.label)}"` : '';
    rows.push(`<li data-lane="${mk.lane}" data-kind="${mk.kind}" data-icount="${mk.icount}" data-last="${mk.last}" data-count="${mk.count}" data-x="${r(mk.x)}" data-x2="${r(mk.x2)}" data-y="${y}"${label}>${mk.kind} ${mk.icount}</li>`);
  }
  ui.marks.innerHTML = rows.join('');
  ui.marks.dataset.count = String(marks.length);
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ---- hover: icount, virtual time and source line ------------------------------------------------

const lineCache = new Map<number, string>();
let lineReq = 0;
let lineTimer: ReturnType<typeof setTimeout> | undefined;

function showTooltip(x: number, icount: number): void {
  const m = state.model;
  if (!m) return;
  const ic = m.clampSeek(icount);
  const tip = ui.tooltip;
  tip.hidden = false;
  tip.dataset.icount = String(ic);
  const near = nearestMark(x);
  const head = `icount ${formatIcount(ic)}${ic === m.data.icount ? ' (here)' : ''}`;
  const what = near ? `\n${describe(near)}` : '';
  tip.textContent = `${head}${what}\n${lineCache.get(ic) ?? '…'}`;
  const maxLeft = state.cssWidth - tip.offsetWidth - 4;
  tip.style.left = `${Math.max(0, Math.min(maxLeft, x + 10))}px`;
  if (!lineCache.has(ic)) {
    clearTimeout(lineTimer);
    lineTimer = setTimeout(() => post({ type: 'lineInfo', reqId: ++lineReq, icount: ic }), 120);
  }
}

function onLineInfo(msg: Extract<ToWebview, { type: 'lineInfo' }>): void {
  const i = msg.info;
  const where = i ? (i.file ? `${i.file.split(/[\\/]/).pop()}:${i.line ?? '?'}` : `pc 0x${(i.pc >>> 0).toString(16)}`) : '';
  const text = i ? `virtual time ${formatNs(i.vclockNs)} · ${where}` : msg.error ? `(${msg.error})` : '(no source line)';
  lineCache.set(msg.icount, text);
  if (lineCache.size > 500) lineCache.delete(lineCache.keys().next().value!);
  if (!ui.tooltip.hidden && ui.tooltip.dataset.icount === String(msg.icount)) {
    const lines = (ui.tooltip.textContent ?? '').split('\n');
    lines[lines.length - 1] = text;
    ui.tooltip.textContent = lines.join('\n');
  }
}

function hideTooltip(): void { ui.tooltip.hidden = true; clearTimeout(lineTimer); }

function describe(mk: Mark): string {
  const n = mk.count > 1 ? `${mk.count} × ` : '';
  const name = { auto: 'automatic snapshot', named: 'snapshot', breakpoint: 'breakpoint hit', watchpoint: 'watchpoint hit',
    'uart-rx': 'serial input', rtc: 'host clock read', semihost: 'semihosting call', console: 'console read',
    interrupt: 'interrupt', reset: 'reset' }[mk.kind];
  return `${n}${name}${mk.label ? ` ${mk.label}` : ''}${mk.count > 1 ? ` (${formatIcount(mk.icount)}–${formatIcount(mk.last)})` : ''}`;
}

/** The single snapshot or hit drawn within 5 px of x, if any (to snap a click onto it). */
function nearestMark(x: number, y?: number): Mark | undefined {
  let best: Mark | undefined, bestD = 5.5;
  for (const mk of state.drawn) {
    if (y !== undefined) {
      const li = state.model!.lanes.findIndex((l) => l.id === mk.lane);
      if (y < laneY(li) || y >= laneY(li) + LANE_H) continue;
    }
    const d = x < mk.x ? mk.x - x : x > mk.x2 ? x - mk.x2 : 0;
    if (d < bestD) { best = mk; bestD = d; }
  }
  return best;
}

// ---- pointer: click/drag to seek, wheel/pinch to zoom -------------------------------------------

function localX(ev: MouseEvent): { x: number; y: number } {
  const r = ui.canvas.getBoundingClientRect();
  return { x: ev.clientX - r.left, y: ev.clientY - r.top };
}

ui.canvas.addEventListener('pointerdown', (ev) => {
  if (!state.model || ev.button !== 0) return;
  const { x } = localX(ev);
  state.drag = { startX: x, moved: false, pointerId: ev.pointerId };
  ui.canvas.setPointerCapture(ev.pointerId);
  ui.timeline.focus({ preventScroll: true });
  state.cursor = state.model.clampSeek(icountAt(x, state.view, plot()));
  schedule();
});

ui.canvas.addEventListener('pointermove', (ev) => {
  if (!state.model) return;
  const { x } = localX(ev);
  const ic = icountAt(x, state.view, plot());
  if (state.drag) {
    if (Math.abs(x - state.drag.startX) > 3) state.drag.moved = true;
    state.cursor = state.model.clampSeek(ic);
    schedule();
  }
  // Within 3 px of the current position (a pixel can be thousands of instructions), describe it.
  const here = state.model.data.icount;
  const hoverIc = !state.drag && Math.abs(x - xOf(here, state.view, plot())) <= 3 ? here : ic;
  state.hover = { x, icount: hoverIc };
  showTooltip(x, hoverIc);
});

ui.canvas.addEventListener('pointerup', (ev) => {
  const m = state.model, drag = state.drag;
  state.drag = null;
  if (!m || !drag) return;
  const { x, y } = localX(ev);
  let target = icountAt(x, state.view, plot());
  if (!drag.moved) {
    // A click on (or right next to) a single snapshot or hit goes exactly there.
    const near = nearestMark(x, y);
    if (near && near.count === 1) target = near.icount;
  }
  goto(target);
});

ui.canvas.addEventListener('pointercancel', () => { state.drag = null; });
ui.canvas.addEventListener('pointerleave', () => { if (!state.drag) { state.hover = null; hideTooltip(); } });

ui.canvas.addEventListener('wheel', (ev) => {
  const m = state.model;
  if (!m) return;
  ev.preventDefault();
  const { x } = localX(ev);
  const span = state.view.end - state.view.start;
  if (ev.ctrlKey || Math.abs(ev.deltaY) > Math.abs(ev.deltaX) && !ev.shiftKey) {
    // Wheel, or a pinch (which Chromium reports as a wheel with ctrlKey).
    const factor = Math.exp(Math.max(-2, Math.min(2, ev.deltaY * (ev.ctrlKey ? 0.01 : 0.002))));
    state.view = zoom(state.view, factor, icountAt(x, state.view, plot()), m.domainEnd);
  } else {
    const d = ev.shiftKey && ev.deltaX === 0 ? ev.deltaY : ev.deltaX;
    state.view = pan(state.view, (d / (plot().x1 - plot().x0)) * span, m.domainEnd);
  }
  state.fitted = state.view.start <= 0 && state.view.end >= m.domainEnd;
  schedule();
}, { passive: false });

function zoomBy(factor: number): void {
  const m = state.model;
  if (!m) return;
  const anchor = state.cursor ?? m.data.icount;
  state.view = factor === 0 ? m.fit() : zoom(state.view, factor, anchor, m.domainEnd);
  state.fitted = state.view.start <= 0 && state.view.end >= m.domainEnd;
  schedule();
}
$('zoom-in').addEventListener('click', () => zoomBy(0.5));
$('zoom-out').addEventListener('click', () => zoomBy(2));
$('zoom-fit').addEventListener('click', () => zoomBy(0));

// ---- keyboard --------------------------------------------------------------------------------

ui.timeline.addEventListener('keydown', (ev) => {
  const m = state.model;
  if (!m) return;
  const span = state.view.end - state.view.start;
  const cur = state.cursor ?? m.data.icount;
  let next: number | undefined;
  switch (ev.key) {
    case 'ArrowLeft': case 'ArrowRight': {
      const dir = ev.key === 'ArrowLeft' ? -1 : 1;
      const step = ev.altKey ? 1 : ev.shiftKey ? Math.max(1, Math.round(span / 10)) : Math.max(1, Math.round(span / 100));
      next = cur + dir * step;
      break;
    }
    case 'Home': next = 0; break;
    case 'End': next = m.limit; break;
    case 'PageUp': next = m.nextMark(cur, -1) ?? 0; break;
    case 'PageDown': next = m.nextMark(cur, 1) ?? m.limit; break;
    case 'Enter': case ' ': goto(cur); ev.preventDefault(); return;
    case 'Escape': state.cursor = null; hideTooltip(); draw(); return;
    case '+': case '=': zoomBy(0.5); ev.preventDefault(); return;
    case '-': case '_': zoomBy(2); ev.preventDefault(); return;
    case '0': zoomBy(0); ev.preventDefault(); return;
    default: return;
  }
  ev.preventDefault();
  state.cursor = m.clampSeek(next);
  state.view = reveal(state.view, state.cursor, m.domainEnd);
  state.fitted = state.view.start <= 0 && state.view.end >= m.domainEnd;
  draw();
  showTooltip(xOf(state.cursor, state.view, plot()), state.cursor);
});
ui.timeline.addEventListener('blur', () => { if (!state.hover) hideTooltip(); });

// ---- start -------------------------------------------------------------------------------------

readColors();
new ResizeObserver(() => resize()).observe(ui.timeline);
post({ type: 'ready' });
