/**
 * The plan webview panel: one panel beside the editor, reused for each explain. It owns the HTML
 * (strict CSP, nonce script), the ready handshake, and the answers to the webview's requests:
 * plan JSON, and the actions on index suggestions (copy, insert, create now with a before/after
 * comparison). State survives hiding and reloads through the webview's own setState plus a
 * serializer, not retainContextWhenHidden.
 */
import * as vscode from 'vscode';
import type { IndexSuggestion, PlanAdvice } from '../core/advice/advice-model';
import type { AnalyzedPlan } from '../core/plan/model';
import { rawPlanJson } from '../core/plan/raw-plan';
import type { CreatedIndexComparison, PlanActions } from '../editor/index-actions';
import {
  isWebviewState,
  isWebviewToHost,
  type ComparedPlan,
  type HostToWebview,
  type PlanMeta,
  type ShowPlanMessage,
  type WebviewToHost,
} from '../protocol';
import { createNonce, renderWebviewHtml } from './webview-html';

export const PLAN_VIEW_TYPE = 'planLens.plan';

export interface ShowPlanRequest {
  plan: AnalyzedPlan;
  meta: PlanMeta;
  advice?: PlanAdvice;
  /** What the suggestions' buttons do; absent for a plan restored after a reload. */
  actions?: PlanActions;
  /** The EXPLAIN output as the user gave it, when the plan was read from an editor: "Open raw plan" offers it beside the JSON. */
  sourceText?: string;
}

/** What the editor side needs from the panel. */
export interface PlanPanelHost {
  /** Shows a plan; returns a handle to send its advice later. */
  showPlan(request: ShowPlanRequest): ShownPlan;
  /** Opens the panel on an explain that has started: the statement, its parameter values, the time it has run. */
  showRunning(statement: string, params?: Array<string | null>): void;
  /** The explain failed: the message (cause and fix) and PostgreSQL's detail; the plan on screen is marked stale. */
  showFailed(message: string, detail?: string): void;
  /** The explain was cancelled; the plan on screen is marked stale. */
  showCancelled(message?: string): void;
  /** Two plans of one statement side by side; the later one is the plan behind the comparison. */
  showComparison(before: ComparedPlan, after: ShowPlanRequest): void;
}

export interface ShownPlan {
  /** Replaces the advice of this plan, if the panel still shows it. */
  showAdvice(advice: PlanAdvice): void;
}

export class PlanPanel implements vscode.Disposable {
  private static current: PlanPanel | undefined;

  private ready = false;
  private queue: HostToWebview[] = [];
  private lastPlan: ShowPlanMessage | undefined;
  /** The text the shown plan was read from, when it came from an editor rather than a server. */
  private sourceText: string | undefined;
  private advice: PlanAdvice | undefined;
  private actions: PlanActions | undefined;
  private readonly creations = new Map<string, AbortController>();
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly log: (message: string) => void,
    restored?: { plan?: ShowPlanMessage; advice?: PlanAdvice },
  ) {
    this.lastPlan = restored?.plan;
    this.advice = restored?.advice;
    panel.webview.options = PlanPanel.webviewOptions(extensionUri);
    panel.webview.html = this.html();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'plan-lens.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      panel.onDidChangeViewState(() => {
        // A hidden webview's page is discarded (no retainContextWhenHidden) and reloaded when shown
        // again: what is posted meanwhile would be lost, so it waits for the new page's ready.
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  /** The panel, created beside the editor if there is none, brought into view without taking focus. */
  private static open(extensionUri: vscode.Uri, log: (message: string) => void): PlanPanel {
    const current = PlanPanel.current;
    if (current) {
      current.panel.reveal(undefined, true);
      return current;
    }
    const panel = vscode.window.createWebviewPanel(
      PLAN_VIEW_TYPE,
      'Plan Lens',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      PlanPanel.webviewOptions(extensionUri),
    );
    PlanPanel.current = new PlanPanel(panel, extensionUri, log);
    return PlanPanel.current;
  }

  /** The panel methods the editor side calls, bound to this extension's resources and log. */
  static host(extensionUri: vscode.Uri, log: (message: string) => void): PlanPanelHost {
    return {
      showPlan: (request) => PlanPanel.show(extensionUri, request, log),
      showRunning: (statement, params) =>
        PlanPanel.open(extensionUri, log).post({ type: 'showRunning', statement, params, startedAt: new Date().toISOString() }),
      // Without a panel there is nothing to mark stale: the editor's own notification says it.
      showFailed: (message, detail) => PlanPanel.current?.post({ type: 'showFailed', message, detail }),
      showCancelled: (message) => PlanPanel.current?.post({ type: 'showCancelled', message }),
      showComparison: (before, after) => {
        PlanPanel.show(extensionUri, after, log);
        PlanPanel.current?.post({ type: 'showComparison', before, after: { plan: after.plan, meta: after.meta } });
      },
    };
  }

  private static show(extensionUri: vscode.Uri, request: ShowPlanRequest, log: (message: string) => void): ShownPlan {
    const panel = PlanPanel.open(extensionUri, log);
    const message: ShowPlanMessage = { type: 'showPlan', plan: request.plan, meta: request.meta, advice: request.advice };
    panel.actions = request.actions;
    panel.advice = request.advice;
    panel.sourceText = request.sourceText;
    panel.post(message);
    return {
      showAdvice: (advice) => {
        if (PlanPanel.current !== panel || panel.lastPlan !== message) return;
        panel.advice = advice;
        panel.post({ type: 'showAdvice', advice });
      },
    };
  }

  /** Called by the serializer after a window reload: the webview restores its own view from its state. */
  static revive(panel: vscode.WebviewPanel, state: unknown, extensionUri: vscode.Uri, log: (message: string) => void): void {
    const restored = isWebviewState(state) ? { plan: state.lastShowPlan, advice: state.lastAdvice } : undefined;
    PlanPanel.current?.dispose();
    PlanPanel.current = new PlanPanel(panel, extensionUri, log, restored);
  }

  private post(message: HostToWebview): void {
    if (message.type === 'showPlan') {
      this.lastPlan = message;
      this.panel.title = `Plan Lens: ${message.meta.title ?? 'plan'}`;
      // A new plan makes whatever was waiting for the old one moot.
      if (!this.ready) this.queue = [];
    }
    if (!this.ready) {
      this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private reply(id: number, error?: string): void {
    this.post(error === undefined ? { type: 'reply', id, ok: true } : { type: 'reply', id, ok: false, error });
  }

  private suggestion(id: string): IndexSuggestion | undefined {
    return this.advice?.suggestions.find((s) => s.id === id);
  }

  private async receive(message: unknown): Promise<void> {
    if (!isWebviewToHost(message)) {
      this.log(`Ignored a malformed message from the plan view: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      this.log(`The plan view's ${message.type} request failed: ${(error as Error).message}`);
      if ('id' in message) this.reply(message.id, (error as Error).message);
    }
  }

  private async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        for (const queued of this.queue.splice(0)) void this.panel.webview.postMessage(queued);
        return;
      case 'resendPlan':
        // A page shown again (or reloaded) whose saved view left out a large plan.
        if (this.lastPlan) {
          // The same message object stays `lastPlan`, so advice still on its way is still shown.
          const again: ShowPlanMessage = { ...this.lastPlan, ...(this.advice ? { advice: this.advice } : {}) };
          if (this.ready) void this.panel.webview.postMessage(again);
          else this.queue.push(again);
        } else
          this.post({
            type: 'showFailed',
            message: 'The plan shown before the window reloaded was too large to keep with the view.',
            detail: 'Explain the statement again, or open the plan from Plan History if it is kept there.',
          });
        return;
      case 'copyPlanJson':
      case 'openRawPlan': {
        if (!this.lastPlan) {
          this.reply(message.id, 'There is no plan to copy yet.');
          return;
        }
        const json = rawPlanJson(this.lastPlan.plan);
        if (message.type === 'copyPlanJson') {
          await vscode.env.clipboard.writeText(json);
        } else if (this.sourceText !== undefined) {
          const pick = await vscode.window.showQuickPick(['JSON', 'As given (text)'], { placeHolder: 'Open the raw plan as' });
          if (pick) {
            const asText = pick !== 'JSON';
            const document = await vscode.workspace.openTextDocument({
              language: asText ? 'explain' : 'json',
              content: asText ? this.sourceText : json,
            });
            await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Active, preview: false });
          }
        } else {
          const document = await vscode.workspace.openTextDocument({ language: 'json', content: json });
          await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Active, preview: false });
        }
        this.reply(message.id);
        return;
      }
      case 'copyDdl':
      case 'insertDdl': {
        const suggestion = this.suggestion(message.suggestionId);
        if (!suggestion) {
          this.reply(message.id, 'That suggestion belongs to an older plan; explain the statement again.');
          return;
        }
        if (message.type === 'copyDdl') {
          await vscode.env.clipboard.writeText(suggestion.ddl);
        } else if (this.actions) {
          await this.actions.insertDdl(suggestion);
        } else {
          const document = await vscode.workspace.openTextDocument({ language: 'sql', content: `${suggestion.ddl}\n` });
          await vscode.window.showTextDocument(document, { preview: false });
        }
        this.reply(message.id);
        return;
      }
      case 'createIndex':
        await this.createIndex(message.suggestionId);
        return;
      case 'cancelIndexCreation':
        this.creations.get(message.suggestionId)?.abort();
        return;
      case 'log':
        this.log(`plan view: ${message.message}`);
        return;
    }
  }

  private async createIndex(suggestionId: string): Promise<void> {
    const progress = (state: 'running' | 'done' | 'failed' | 'cancelled', text: string) =>
      this.post({ type: 'indexCreation', suggestionId, state, message: text });
    const suggestion = this.suggestion(suggestionId);
    const actions = this.actions;
    const before = this.lastPlan;
    if (!suggestion || !actions || !before) {
      progress('failed', 'This plan was restored after a reload: explain the statement again to create its indexes from here.');
      return;
    }
    if (this.creations.has(suggestionId)) return;
    const abort = new AbortController();
    this.creations.set(suggestionId, abort);
    let comparison: CreatedIndexComparison | undefined;
    try {
      comparison = await actions.createIndex(suggestion, progress, abort.signal);
    } catch (error) {
      progress('failed', `The index was created, but explaining the statement again failed: ${(error as Error).message}`);
      return;
    } finally {
      this.creations.delete(suggestionId);
    }
    if (!comparison || PlanPanel.current !== this) return;
    const after: ShowPlanMessage = {
      type: 'showPlan',
      plan: comparison.after.plan,
      meta: comparison.after.meta,
      advice: comparison.afterAdvice,
    };
    this.lastPlan = after;
    this.advice = comparison.afterAdvice;
    this.post({
      type: 'showComparison',
      index: comparison.index,
      before: { plan: before.plan, meta: before.meta },
      after: comparison.after,
    });
    this.post({ type: 'showAdvice', advice: comparison.afterAdvice });
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
    for (const creation of this.creations.values()) creation.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
