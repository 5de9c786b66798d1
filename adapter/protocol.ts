// The custom part of rvreplay's debug protocol, shared by the adapter (adapter/), the extension
// (src/) and the timeline webview (webview/). Standard DAP covers the rest.

/** Launch attributes of a `rvreplay` debug configuration (launch.json). */
export interface LaunchArguments {
  program: string;
  rr?: 'none' | 'record' | 'replay';
  rrfile?: string;
  rrfileOverwrite?: boolean;
  rrsnapshot?: string;
  icountShift?: number;
  ramMiB?: number;
  snapshotBudgetMiB?: number;
  stopOnEntry?: boolean;
  semihosting?: boolean;
  semihostingRoot?: string;
  args?: string[];
}

/** Attach to a VM a CLI started with --dap PORT. */
export interface AttachArguments {
  port: number;
  host?: string;
}

export type TimelineEventKind = 'uart-rx' | 'rtc' | 'semihost' | 'console' | 'reset' | 'interrupt';

/** Event `rvreplay/timeline`: everything the timeline panel draws. Sent after every stop. */
export interface TimelineData {
  mode: 'none' | 'record' | 'play';
  filename?: string;
  /** Where the VM is now. */
  icount: number;
  /** The furthest icount reached (record mode: the live edge, where history ends). */
  frontier: number;
  /** The recording's last icount when known (replay). */
  end?: number;
  /** Virtual time at `icount`, ns. */
  vclockNs: number;
  /**
   * Named snapshots, and the automatic ones: aggregated by the sender when there are many (an
   * entry with `count` stands for that many automatic snapshots from its icount on).
   */
  snapshots: { icount: number; kind: 'auto' | 'named'; name?: string; count?: number }[];
  /** Recorded inputs (aggregated by the sender when there are very many). */
  events: { icount: number; kind: TimelineEventKind; count?: number }[];
  /** Breakpoint and watchpoint hits found so far. */
  hits: { icount: number; kind: 'breakpoint' | 'watchpoint'; label: string }[];
}

/** Request `rvreplay/gotoIcount`: move the VM to an icount (the timeline's click). */
export interface GotoIcountArguments { icount: number }

/** Request `rvreplay/snapshot`: take, delete or go to a named snapshot. */
export interface SnapshotArguments { action: 'take' | 'delete' | 'goto'; name: string }

/** Request `rvreplay/uartInput`: bytes typed into the serial terminal (recorded in record mode). */
export interface UartInputArguments { text: string }

/** Event `rvreplay/uartOutput`: bytes the guest wrote to the UART. */
export interface UartOutputBody { text: string }

/** Request `rvreplay/lineInfo`: the source line at an icount (for the timeline's hover). */
export interface LineInfoArguments { icount: number }
export interface LineInfoResponse { file?: string; line?: number; pc: number; vclockNs: number }

/** Request `rvreplay/reverseStepOut`: back to the call site of the current frame. */
export type ReverseStepOutArguments = { threadId: number };
