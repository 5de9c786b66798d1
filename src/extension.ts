// The VS Code extension: the `rvreplay` debugger (configurations, the adapter process), the
// timeline panel, the serial console, the status bar and the commands. The debugging itself happens
// in the adapter (adapter/, bundled as dist/adapter.js); everything here talks to it through DAP,
// with the custom requests and events of adapter/protocol.ts.
import * as vscode from 'vscode';
import type { GotoIcountArguments, SnapshotArguments } from '../adapter/protocol';
import { parseIcount, statusText } from './config';
import { ConfigResolver, DynamicConfigs, pickProgram } from './config-provider';
import { SerialConsoles } from './serial-console';
import { Sessions } from './sessions';
import { TimelineViews } from './timeline-view';

/** Starts the bundled adapter with the extension host's own Node (Electron's, run as Node, on the desktop). */
class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const c = session.configuration;
    if (c.request === 'attach') return new vscode.DebugAdapterServer(c.port, c.host ?? '127.0.0.1');
    const adapter = this.context.asAbsolutePath('dist/adapter.js');
    return new vscode.DebugAdapterExecutable(process.execPath, ['--enable-source-maps', adapter], {
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const sessions = new Sessions();
  const consoles = new SerialConsoles(sessions);

  const needSession = (): vscode.DebugSession | undefined => {
    const s = sessions.active();
    if (s && !s.ended) return s.session;
    void vscode.window.showWarningMessage('rvreplay: start debugging with an rvreplay configuration first.');
    return undefined;
  };

  const request = async (command: string, args: unknown): Promise<void> => {
    const session = needSession();
    if (!session) return;
    try {
      await session.customRequest(command, args);
    } catch (e) {
      void vscode.window.showErrorMessage(`rvreplay: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const snapshot = async (action: SnapshotArguments['action'], name?: string): Promise<void> => {
    if (!needSession()) return;
    if (action === 'take' && !name) {
      const st = sessions.active();
      name = await vscode.window.showInputBox({
        title: 'rvreplay: Take Snapshot', prompt: 'Name of the snapshot (kept beside the recording, like savevm)',
        value: `snap-${st?.timeline?.icount ?? 0}`,
        validateInput: (v) => (/^[\w.:+-]+$/.test(v.trim()) ? undefined : 'Letters, digits and _ . : + - only'),
      });
      if (!name) return;
      name = name.trim();
    }
    if (action === 'delete') {
      const ok = await vscode.window.showWarningMessage(`Delete snapshot "${name}"?`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return;
    }
    await request('rvreplay/snapshot', { action, name: name ?? '' } satisfies SnapshotArguments);
  };

  const timeline = new TimelineViews(context, sessions, snapshot);

  // Status bar: the mode and where the VM is.
  const status = vscode.window.createStatusBarItem('rvreplay.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'rvreplay';
  status.command = 'rvreplay.gotoIcount';
  const updateStatus = () => {
    const st = sessions.active();
    if (!st || st.ended) { status.hide(); return; }
    const t = st.timeline;
    status.text = `$(history) ${statusText(st.mode, t?.icount ?? 0, st.running || !t)}`;
    status.tooltip = t
      ? `rvreplay: ${t.mode === 'play' ? 'replaying' : t.mode === 'record' ? 'recording' : 'live'}${t.filename ? ` ${t.filename}` : ''}\nicount ${t.icount.toLocaleString('en-US')} of ${Math.max(t.frontier, t.end ?? 0).toLocaleString('en-US')}\nClick to go to an icount`
      : 'rvreplay';
    status.show();
  };
  sessions.onDidChange(updateStatus);
  vscode.debug.onDidChangeActiveDebugSession(updateStatus);

  context.subscriptions.push(
    sessions, consoles, timeline, status,
    vscode.debug.registerDebugAdapterDescriptorFactory('rvreplay', new AdapterFactory(context)),
    vscode.debug.registerDebugConfigurationProvider('rvreplay', new ConfigResolver()),
    vscode.debug.registerDebugConfigurationProvider('rvreplay', new DynamicConfigs(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),

    vscode.commands.registerCommand('rvreplay.takeSnapshot', (name?: unknown) => snapshot('take', typeof name === 'string' ? name : undefined)),
    vscode.commands.registerCommand('rvreplay.gotoIcount', async (arg?: unknown) => {
      if (!needSession()) return;
      let icount = typeof arg === 'number' ? arg : undefined;
      if (icount === undefined) {
        const t = sessions.active()?.timeline;
        const max = t ? Math.max(t.frontier, t.end ?? 0) : undefined;
        const text = await vscode.window.showInputBox({
          title: 'rvreplay: Go to Icount', prompt: `Instruction count to move to${max !== undefined ? ` (0 – ${max.toLocaleString('en-US')})` : ''}; 12345, 0x3039, 1.5M`,
          value: t ? String(t.icount) : '',
          validateInput: (v) => {
            const n = parseIcount(v);
            if (n === undefined) return 'A non-negative whole number: 12345, 12_345, 0x3039 or 1.5M';
            return max !== undefined && n > max ? `Beyond the ${t?.mode === 'record' ? 'live edge' : 'end of the recording'} (${max.toLocaleString('en-US')})` : undefined;
          },
        });
        if (text === undefined) return;
        icount = parseIcount(text);
      }
      if (icount !== undefined) await request('rvreplay/gotoIcount', { icount } satisfies GotoIcountArguments);
    }),
    vscode.commands.registerCommand('rvreplay.reverseStepOut', async () => {
      const item = vscode.debug.activeStackItem;
      await request('rvreplay/reverseStepOut', { threadId: item?.threadId ?? 1 });
    }),
    vscode.commands.registerCommand('rvreplay.openTimeline', () => timeline.openPanel()),
    vscode.commands.registerCommand('rvreplay.showSerialConsole', () => {
      if (!consoles.show(vscode.debug.activeDebugSession)) void vscode.window.showInformationMessage('rvreplay: no serial console yet: start debugging first.');
    }),
    // For launch.json's "program": "${command:rvreplay.pickProgram}".
    vscode.commands.registerCommand('rvreplay.pickProgram', () => pickProgram(vscode.workspace.workspaceFolders?.[0])),
  );
}

export function deactivate(): void {}
