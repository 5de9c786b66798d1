// Messages between the extension (src/timeline-view.ts) and the timeline webview (webview/main.ts).
// The webview never talks to the debug adapter itself: the extension turns these into the custom
// DAP requests of adapter/protocol.ts.
import type { LineInfoResponse, TimelineData } from '../adapter/protocol';

/** Extension → webview. */
export type ToWebview =
  /** The active rvreplay session's timeline; `null` when no rvreplay session is being debugged. */
  | { type: 'timeline'; data: TimelineData | null; running?: boolean }
  /** The session is running (timeline data is stale until the next stop). */
  | { type: 'running' }
  /** Answer to a `lineInfo` request; `info` undefined when the adapter could not tell. */
  | { type: 'lineInfo'; reqId: number; icount: number; info?: LineInfoResponse; error?: string };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'goto'; icount: number }
  | { type: 'lineInfo'; reqId: number; icount: number }
  /** `name` empty for `take`: the extension asks for one. */
  | { type: 'snapshot'; action: 'take' | 'delete' | 'goto'; name: string };
