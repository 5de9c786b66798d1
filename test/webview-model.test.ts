// The timeline's geometry without a browser (webview/model.ts): aggregation keeps every count,
// marks sit where their icounts are, zoom and pan stay inside the domain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TimelineData } from '../adapter/protocol';
import { aggregateSnapshots } from '../adapter/session';
import { MIN_SPAN, Model, clampView, icountAt, pan, reveal, shortIcount, ticks, xOf, zoom } from '../webview/model';

const base: TimelineData = { mode: 'play', icount: 0, frontier: 1000, end: 1000, vclockNs: 0, snapshots: [], events: [], hits: [] };
const plot = { x0: 50, x1: 650 };

test('marks: single items at their exact x, aggregation keeps counts and order', () => {
  const events: TimelineData['events'] = [];
  for (let i = 0; i < 10_000; i++) events.push({ icount: (i * 7919) % 100_000, kind: 'uart-rx', count: 1 + (i % 3) });
  const m = new Model({ ...base, frontier: 100_000, end: 100_000, events, snapshots: [{ icount: 500, kind: 'named', name: 'a' }] });
  const view = m.fit();
  const marks = m.marks(view, plot);
  const ev = marks.filter((k) => k.lane === 'uart-rx');
  assert.equal(ev.reduce((s, k) => s + k.count, 0), events.reduce((s, e) => s + (e.count ?? 1), 0));
  assert.ok(ev.length <= Math.ceil((plot.x1 - plot.x0) / 3) + 1, `${ev.length} marks`);
  for (let i = 1; i < ev.length; i++) assert.ok(ev[i]!.icount > ev[i - 1]!.last, 'buckets do not overlap');
  const named = marks.find((k) => k.kind === 'named')!;
  assert.equal(named.label, 'a');
  assert.equal(named.x, xOf(500, view, plot));
  // Zoomed in far enough, each event is its own mark.
  const close = m.marks({ start: 1000, end: 1100 }, plot).filter((k) => k.lane === 'uart-rx');
  assert.ok(close.every((k) => k.icount === k.last));
});

test('lanes: snapshots, hits, then only the event kinds present', () => {
  const m = new Model({ ...base, events: [{ icount: 1, kind: 'rtc' }, { icount: 2, kind: 'interrupt' }] });
  assert.deepEqual(m.lanes.map((l) => l.id), ['snapshots', 'hits', 'rtc', 'interrupt']);
});

test('domain: replay ends at the recording end, record leaves room after the live edge', () => {
  assert.equal(new Model(base).domainEnd, 1000);
  const rec = new Model({ ...base, mode: 'record', frontier: 1000, end: undefined });
  assert.ok(rec.domainEnd > 1000);
  assert.equal(rec.clampSeek(5000), 1000);
  assert.equal(rec.clampSeek(-3), 0);
  assert.equal(rec.clampSeek(12.6), 13);
});

test('nextMark: the nearest snapshot or hit on either side', () => {
  const m = new Model({ ...base, snapshots: [{ icount: 100, kind: 'auto' }, { icount: 600, kind: 'named', name: 'x' }],
    hits: [{ icount: 300, kind: 'breakpoint', label: 'b' }] });
  assert.equal(m.nextMark(100, 1), 300);
  assert.equal(m.nextMark(300, 1), 600);
  assert.equal(m.nextMark(600, 1), undefined);
  assert.equal(m.nextMark(300, -1), 100);
  assert.equal(m.nextMark(100, -1), undefined);
});

test('zoom keeps the anchor, clamps to the domain and to MIN_SPAN; pan and reveal stay inside', () => {
  const v = zoom({ start: 0, end: 1000 }, 0.5, 250, 1000);
  assert.equal(v.end - v.start, 500);
  assert.ok(Math.abs(icountAt(xOf(250, v, plot), v, plot) - 250) < 1e-9);
  assert.equal((v.start + (v.end - v.start) * 0.25), 250);
  const tiny = zoom(v, 1e-9, 400, 1000);
  assert.equal(tiny.end - tiny.start, MIN_SPAN);
  assert.deepEqual(zoom(v, 100, 400, 1000), { start: 0, end: 1000 });
  assert.deepEqual(pan({ start: 0, end: 100 }, -50, 1000), { start: 0, end: 100 });
  assert.deepEqual(pan({ start: 800, end: 900 }, 500, 1000), { start: 900, end: 1000 });
  assert.deepEqual(reveal({ start: 0, end: 100 }, 50, 1000), { start: 0, end: 100 });
  assert.deepEqual(reveal({ start: 0, end: 100 }, 500, 1000), { start: 450, end: 550 });
  assert.deepEqual(clampView({ start: -5, end: 5 }, 3), { start: 0, end: 3 });
});

test('ticks are round and inside the view; labels are short', () => {
  assert.deepEqual(ticks({ start: 0, end: 1000 }, 5), [0, 200, 400, 600, 800, 1000]);
  assert.deepEqual(ticks({ start: 130, end: 170 }, 4), [130, 140, 150, 160, 170]);
  assert.equal(shortIcount(1_234_567), '1.23M');
  assert.equal(shortIcount(25_000), '25k');
  assert.equal(shortIcount(999), '999');
});

test('aggregated automatic snapshots: marks count what each entry stands for; aggregateSnapshots keeps named ones and every count', () => {
  const list: TimelineData['snapshots'] = Array.from({ length: 4000 }, (_, i) => ({ icount: i * 1000, kind: 'auto' as const }));
  list.push({ icount: 1234, kind: 'named', name: 'n' });
  const agg = aggregateSnapshots(list, 4_000_000);
  assert.ok(agg.length <= 501, `${agg.length} entries`);
  assert.deepEqual(agg.filter((s) => s.kind === 'named'), [{ icount: 1234, kind: 'named', name: 'n' }]);
  assert.equal(agg.filter((s) => s.kind === 'auto').reduce((n, s) => n + (s.count ?? 1), 0), 4000);
  assert.deepEqual(agg.map((s) => s.icount), [...agg.map((s) => s.icount)].sort((a, b) => a - b));
  assert.deepEqual(aggregateSnapshots(list.slice(0, 10), 4_000_000), list.slice(0, 10), 'few: as they are');
  const m = new Model({ ...base, frontier: 4_000_000, end: 4_000_000, snapshots: agg });
  const autos = m.marks(m.fit(), plot).filter((k) => k.kind === 'auto');
  assert.equal(autos.reduce((n, k) => n + k.count, 0), 4000);
});
