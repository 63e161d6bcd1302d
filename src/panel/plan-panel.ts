/**
 * The plan webview panel: one panel beside the editor, reused for each explain. It owns the HTML
 * (strict CSP, nonce script), the ready handshake, and the answers to the webview's requests.
 * State survives hiding and reloads through the webview's own setState plus a serializer, not
 * retainContextWhenHidden.
 */
import * as vscode from 'vscode';
import type { AnalyzedPlan } from '../core/plan/model';
import { rawPlanJson } from '../core/plan/raw-plan';
import { isWebviewState, isWebviewToHost, type HostToWebview, type PlanMeta, type ShowPlanMessage, type WebviewToHost } from '../protocol';
import { createNonce, renderWebviewHtml } from './webview-html';

export const PLAN_VIEW_TYPE = 'planLens.plan';

export interface ShowPlanRequest {
  plan: AnalyzedPlan;
  meta: PlanMeta;
}

/** What the editor side needs from the panel. */
export interface PlanPanelHost {
  showPlan(request: ShowPlanRequest): void;
}

export class PlanPanel implements vscode.Disposable {
  private static current: PlanPanel | undefined;

  private ready = false;
  private pending: HostToWebview | undefined;
  private lastPlan: ShowPlanMessage | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly onNodeSelected: (nodeId: number) => void,
    private readonly log: (message: string) => void,
    restored?: ShowPlanMessage,
  ) {
    this.lastPlan = restored;
    panel.webview.options = PlanPanel.webviewOptions(extensionUri);
    panel.webview.html = this.html();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'plan-lens.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
    );
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  static show(
    extensionUri: vscode.Uri,
    request: ShowPlanRequest,
    onNodeSelected: (nodeId: number) => void,
    log: (message: string) => void,
  ): PlanPanel {
    let current = PlanPanel.current;
    if (!current) {
      const panel = vscode.window.createWebviewPanel(PLAN_VIEW_TYPE, 'Plan Lens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, PlanPanel.webviewOptions(extensionUri));
      current = new PlanPanel(panel, extensionUri, onNodeSelected, log);
      PlanPanel.current = current;
    } else {
      current.panel.reveal(undefined, true);
    }
    current.post({ type: 'showPlan', plan: request.plan, meta: request.meta });
    return current;
  }

  /** Called by the serializer after a window reload: the webview restores its own view from its state. */
  static revive(panel: vscode.WebviewPanel, state: unknown, extensionUri: vscode.Uri, onNodeSelected: (nodeId: number) => void, log: (message: string) => void): void {
    const restored = isWebviewState(state) ? state.lastShowPlan : undefined;
    PlanPanel.current?.dispose();
    PlanPanel.current = new PlanPanel(panel, extensionUri, onNodeSelected, log, restored);
  }

  private post(message: HostToWebview): void {
    if (message.type === 'showPlan') {
      this.lastPlan = message;
      this.panel.title = `Plan Lens: ${message.meta.title ?? 'plan'}`;
    }
    if (!this.ready) {
      this.pending = message;
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private async receive(message: unknown): Promise<void> {
    if (!isWebviewToHost(message)) {
      this.log(`Ignored a malformed message from the plan view: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    await this.handle(message);
  }

  private async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.pending) {
          void this.panel.webview.postMessage(this.pending);
          this.pending = undefined;
        }
        return;
      case 'copyPlanJson':
      case 'openRawPlan': {
        if (!this.lastPlan) {
          void this.panel.webview.postMessage({ type: 'reply', id: message.id, ok: false, error: 'There is no plan to copy yet.' } satisfies HostToWebview);
          return;
        }
        const json = rawPlanJson(this.lastPlan.plan);
        if (message.type === 'copyPlanJson') {
          await vscode.env.clipboard.writeText(json);
        } else {
          const document = await vscode.workspace.openTextDocument({ language: 'json', content: json });
          await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Active, preview: false });
        }
        void this.panel.webview.postMessage({ type: 'reply', id: message.id, ok: true } satisfies HostToWebview);
        return;
      }
      case 'selectNode':
        this.onNodeSelected(message.nodeId);
        return;
      case 'log':
        this.log(`plan view: ${message.message}`);
        return;
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    return renderWebviewHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'main.css')).toString(),
      cspSource: webview.cspSource,
      nonce: createNonce(),
    });
  }

  dispose(): void {
    if (PlanPanel.current === this) PlanPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
