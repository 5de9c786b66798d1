// The timeline's geometry, without the DOM: the icount domain, the visible window (zoom/pan),
// lanes, and the marks to draw, aggregated per few pixels so that 1e5 events cost no more to
// draw than a few hundred. webview/main.ts renders what this computes.
import type { TimelineData, TimelineEventKind } from '../adapter/protocol';

/** The visible icount window [start, end). */
export interface View { start: number; end: number }

/** Horizontal extent of the plot area, CSS pixels. */
export interface Plot { x0: number; x1: number }

export type MarkKind = 'auto' | 'named' | 'breakpoint' | 'watchpoint' | TimelineEventKind;
export type LaneId = 'snapshots' | 'hits' | TimelineEventKind;

/** One drawn mark: a single item, or several aggregated into one pixel bucket. */
export interface Mark {
  lane: LaneId;
  kind: MarkKind;
  /** First and last icount covered (equal for a single item). */
  icount: number;
  last: number;
  /** Items covered (events carry their own `count` from the sender's aggregation). */
  count: number;
  /** Pixel x of `icount` and of `last`. */
  x: number;
  x2: number;
  /** Snapshot name or hit label, for single items. */
  label?: string;
}

export const EVENT_KINDS: TimelineEventKind[] = ['uart-rx', 'rtc', 'semihost', 'console', 'interrupt', 'reset'];
export const LANE_LABELS: Record<LaneId, string> = {
  snapshots: 'snapshots', hits: 'breaks', 'uart-rx': 'serial in', rtc: 'host clock', semihost: 'semihosting',
  console: 'console in', interrupt: 'interrupts', reset: 'reset',
};
/** Marks closer than this many pixels are drawn as one. */
export const BUCKET_PX = 3;
/** The narrowest window: this many instructions across the plot. */
export const MIN_SPAN = 16;

/** One series of a lane: items of one kind sorted by icount, with prefix sums of their counts. */
class Series {
  readonly icounts: Float64Array;
  readonly prefix: Float64Array;
  readonly labels: (string | undefined)[] = [];
  constructor(readonly lane: LaneId, readonly kind: MarkKind, items: { icount: number; count?: number; label?: string }[]) {
    const sorted = items.map((it, i) => ({ it, i })).sort((a, b) => a.it.icount - b.it.icount || a.i - b.i);
    this.icounts = new Float64Array(sorted.length);
    this.prefix = new Float64Array(sorted.length + 1);
    sorted.forEach(({ it }, i) => {
      this.icounts[i] = it.icount;
      this.prefix[i + 1] = this.prefix[i]! + Math.max(1, it.count ?? 1);
      this.labels.push(it.label);
    });
  }
  /** Index of the first item with icount >= v. */
  lower(v: number): number {
    let lo = 0, hi = this.icounts.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.icounts[mid]! < v) lo = mid + 1; else hi = mid; }
    return lo;
  }
  get length(): number { return this.icounts.length; }
}

export interface Lane { id: LaneId; label: string; series: Series[] }

/** Everything derived from one TimelineData message that does not depend on the view. */
export class Model {
  readonly lanes: Lane[];
  /** The axis runs from 0 to this. */
  readonly domainEnd: number;
  /** Where history ends: the recording's end (replay) or the live edge (record). */
  readonly limit: number;
  constructor(readonly data: TimelineData) {
    this.limit = Math.max(data.frontier, data.end ?? 0, data.icount);
    // Record mode leaves room after the live edge, where execution will go next.
    this.domainEnd = Math.max(1, data.mode === 'record' ? Math.ceil(this.limit * 1.04) + 1 : this.limit);
    const snaps = data.snapshots ?? [];
    const hits = data.hits ?? [];
    this.lanes = [
      { id: 'snapshots', label: LANE_LABELS.snapshots, series: [
        new Series('snapshots', 'auto', snaps.filter((s) => s.kind !== 'named')),
        new Series('snapshots', 'named', snaps.filter((s) => s.kind === 'named').map((s) => ({ icount: s.icount, label: s.name }))),
      ] },
      { id: 'hits', label: LANE_LABELS.hits, series: [
        new Series('hits', 'breakpoint', hits.filter((h) => h.kind === 'breakpoint')),
        new Series('hits', 'watchpoint', hits.filter((h) => h.kind === 'watchpoint')),
      ] },
    ];
    const events = data.events ?? [];
    for (const kind of EVENT_KINDS) {
      const items = events.filter((e) => e.kind === kind);
      if (items.length) this.lanes.push({ id: kind, label: LANE_LABELS[kind], series: [new Series(kind, kind, items)] });
    }
  }

  /** The window that shows everything. */
  fit(): View { return { start: 0, end: this.domainEnd }; }

  /** The marks visible in `view`, aggregated per BUCKET_PX pixels. */
  marks(view: View, plot: Plot): Mark[] {
    const out: Mark[] = [];
    const width = plot.x1 - plot.x0;
    if (width <= 0) return out;
    const buckets = Math.max(1, Math.ceil(width / BUCKET_PX));
    const step = (view.end - view.start) / buckets;
    for (const lane of this.lanes) {
      for (const s of lane.series) {
        if (s.length === 0) continue;
        let i = s.lower(view.start);
        const iEnd = s.lower(view.end + 1e-9);
        while (i < iEnd) {
          // The bucket holding item i, and the first item past it.
          const b = Math.floor((s.icounts[i]! - view.start) / step);
          const j = Math.min(iEnd, Math.max(i + 1, s.lower(view.start + (b + 1) * step)));
          const icount = s.icounts[i]!, last = s.icounts[j - 1]!;
          const count = s.prefix[j]! - s.prefix[i]!;
          const mark: Mark = { lane: lane.id, kind: s.kind, icount, last, count, x: xOf(icount, view, plot), x2: xOf(last, view, plot) };
          if (j - i === 1 && s.labels[i] !== undefined) mark.label = s.labels[i];
          out.push(mark);
          i = j;
        }
      }
    }
    return out;
  }

  /** The nearest snapshot or hit strictly before (dir -1) or after (dir 1) `icount`. */
  nextMark(icount: number, dir: 1 | -1): number | undefined {
    let best: number | undefined;
    for (const lane of this.lanes.slice(0, 2)) {
      for (const s of lane.series) {
        if (dir > 0) {
          const i = s.lower(icount + 1);
          if (i < s.length && (best === undefined || s.icounts[i]! < best)) best = s.icounts[i];
        } else {
          const i = s.lower(icount) - 1;
          if (i >= 0 && (best === undefined || s.icounts[i]! > best)) best = s.icounts[i];
        }
      }
    }
    return best;
  }

  /** An icount the VM can be moved to: within [0, limit]. */
  clampSeek(icount: number): number {
    return Math.min(this.limit, Math.max(0, Math.round(icount)));
  }
}

export function xOf(icount: number, view: View, plot: Plot): number {
  return plot.x0 + ((icount - view.start) / (view.end - view.start)) * (plot.x1 - plot.x0);
}

export function icountAt(x: number, view: View, plot: Plot): number {
  return view.start + ((x - plot.x0) / (plot.x1 - plot.x0)) * (view.end - view.start);
}

/** Zooms by `factor` (< 1 zooms in) keeping `anchor` (an icount) at the same pixel. */
export function zoom(view: View, factor: number, anchor: number, domainEnd: number): View {
  const span = view.end - view.start;
  const newSpan = Math.min(domainEnd, Math.max(Math.min(MIN_SPAN, domainEnd), span * factor));
  const t = span > 0 ? (anchor - view.start) / span : 0.5;
  return clampView({ start: anchor - t * newSpan, end: anchor - t * newSpan + newSpan }, domainEnd);
}

/** Moves the window by `delta` instructions, staying inside [0, domainEnd]. */
export function pan(view: View, delta: number, domainEnd: number): View {
  return clampView({ start: view.start + delta, end: view.end + delta }, domainEnd);
}

/** Pans the least needed for `icount` to be inside the window (with a margin). */
export function reveal(view: View, icount: number, domainEnd: number): View {
  const span = view.end - view.start, margin = span * 0.05;
  if (icount >= view.start + margin && icount <= view.end - margin) return view;
  return clampView({ start: icount - span / 2, end: icount + span / 2 }, domainEnd);
}

export function clampView(view: View, domainEnd: number): View {
  const span = Math.min(domainEnd, Math.max(Math.min(MIN_SPAN, domainEnd), view.end - view.start));
  const start = Math.min(domainEnd - span, Math.max(0, view.start));
  return { start, end: start + span };
}

/** Round tick positions for the axis: at most `max` of them, at 1/2/5 × 10^k. */
export function ticks(view: View, max: number): number[] {
  const span = view.end - view.start;
  if (span <= 0 || max < 1) return [];
  const raw = span / max;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(view.start / step) * step; v <= view.end; v += step) out.push(Math.round(v));
  return out;
}

/** 1234567 → "1,234,567". */
export function formatIcount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Compact axis label: 1234567 → "1.23M". */
export function shortIcount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${+(n / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(n / 1e3).toPrecision(3)}k`;
  return String(Math.round(n));
}

/** Virtual time, ns → "1.234 ms". */
export function formatNs(ns: number): string {
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}
