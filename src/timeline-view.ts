// The timeline panel, in two places: a webview view in the Run and Debug sidebar
// (`rvreplay.timeline`) and, on "rvreplay: Open Timeline", an editor tab. Both show the active
// rvreplay session and turn the webview's messages into the adapter's custom requests.
import * as vscode from 'vscode';
import type { FromWebview, ToWebview } from '../webview/messages';
import type { Sessions } from './sessions';
import { makeNonce, timelineHtml } from './timeline-html';

export const VIEW_ID = 'rvreplay.timeline';

export class TimelineViews implements vscode.WebviewViewProvider, vscode.Disposable {
  private readonly webviews = new Set<vscode.Webview>();
  private panel?: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly sessions: Sessions,
    private readonly snapshot: (action: 'take' | 'delete' | 'goto', name: string) => Thenable<void>) {
    this.disposables.push(
      vscode.window.registerWebviewViewProvider(VIEW_ID, this, { webviewOptions: { retainContextWhenHidden: true } }),
      sessions.onDidChange(() => this.broadcast()),
      vscode.debug.onDidChangeActiveDebugSession(() => this.broadcast()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.attach(view.webview);
    view.onDidDispose(() => this.webviews.delete(view.webview));
  }

  /** Opens (or reveals) the timeline as an editor tab. */
  openPanel(): void {
    if (this.panel) { this.panel.reveal(); return; }
    const panel = vscode.window.createWebviewPanel('rvreplay.timelinePanel', 'rvreplay Timeline',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, { retainContextWhenHidden: true });
    this.panel = panel;
    this.attach(panel.webview);
    panel.onDidDispose(() => { this.webviews.delete(panel.webview); this.panel = undefined; });
  }

  private attach(webview: vscode.Webview): void {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    webview.html = timelineHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
    this.webviews.add(webview);
    webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(webview, m), undefined, this.disposables);
  }

  private current(): ToWebview {
    const st = this.sessions.active();
    if (!st || st.ended) return { type: 'timeline', data: null };
    // Before the first stop there is no timeline yet, but there is a session.
    return { type: 'timeline', data: st.timeline ?? null, running: st.running || !st.timeline };
  }

  private broadcast(): void {
    const msg = this.current();
    for (const w of this.webviews) void w.postMessage(msg);
  }

  private async onMessage(webview: vscode.Webview, m: FromWebview): Promise<void> {
    const session = this.sessions.active()?.session;
    try {
      switch (m.type) {
        case 'ready':
          await webview.postMessage(this.current());
          break;
        case 'goto':
          if (session) await session.customRequest('rvreplay/gotoIcount', { icount: m.icount });
          break;
        case 'snapshot':
          await this.snapshot(m.action, m.name);
          break;
        case 'lineInfo': {
          if (!session) break;
          let reply: ToWebview;
          try {
            reply = { type: 'lineInfo', reqId: m.reqId, icount: m.icount, info: await session.customRequest('rvreplay/lineInfo', { icount: m.icount }) };
          } catch (e) {
            reply = { type: 'lineInfo', reqId: m.reqId, icount: m.icount, error: e instanceof Error ? e.message : String(e) };
          }
          await webview.postMessage(reply);
          break;
        }
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`rvreplay: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
