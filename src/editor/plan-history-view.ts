/**
 * "Plan History": every plan explained in this workspace, grouped by statement (fingerprint),
 * newest first. Open shows a stored plan in the plan panel again; Compare with... puts two plans
 * of one statement side by side in the panel's comparison view, the earlier as "before".
 */
import * as vscode from 'vscode';
import { analyzeExplainOutput } from '../core/analyze';
import { formatCount, formatMs } from '../core/format';
import type { HistoryEntry, PlanHistory, StatementHistory } from '../history/plan-history';
import type { PlanPanelHost, ShowPlanRequest } from '../panel/plan-panel';
import { readAdviceConfig } from './config';
import type { ExplainResult } from '../explain';
import type { PlanMeta } from '../protocol';
import type { OutputLog } from './output-log';

export const PLAN_HISTORY_VIEW_ID = 'planLensPlanHistory';

/** Characters of a statement shown as its tree label; the tooltip has all of it. */
const LABEL_LENGTH = 100;

type Item = { kind: 'statement'; group: StatementHistory } | { kind: 'plan'; entry: HistoryEntry; group: StatementHistory };

/** What an explain path calls once a plan is analysed. */
export interface PlanHistoryRecorder {
  record(result: ExplainResult, meta: PlanMeta): void;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > LABEL_LENGTH ? `${line.slice(0, LABEL_LENGTH - 1)}…` : line;
}

function when(entry: HistoryEntry): string {
  return new Date(entry.ranAt).toLocaleString();
}

/** "1.12 ms · cost 899 · 6,013 blocks · $1 = 42". */
function facts(entry: HistoryEntry): string {
  const { summary } = entry;
  const parts = [
    summary.executionMs !== undefined ? formatMs(summary.executionMs) : 'estimate',
    `cost ${formatCount(summary.totalCost)}`,
    ...(summary.buffers ? [`${formatCount(summary.buffers.sharedHit + summary.buffers.sharedRead)} blocks`] : []),
    ...(entry.params ?? []).map((value, i) => `$${i + 1} = ${value === null ? 'NULL' : value}`),
  ];
  return parts.join(' · ');
}

export class PlanHistoryView implements vscode.TreeDataProvider<Item>, PlanHistoryRecorder, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly history: PlanHistory,
    private readonly panels: PlanPanelHost,
    private readonly log: OutputLog,
  ) {
    this.subscription = history.onDidChange(() => this.changed.fire());
  }

  record(result: ExplainResult, meta: PlanMeta): void {
    void this.history
      .record({
        sqlText: result.request.statement.sql,
        statement: meta.statement,
        server: meta.server,
        ranAt: meta.ranAt,
        mode: meta.mode,
        params: meta.params,
        explainJson: result.run.explainJson,
        plan: result.analysis.plan,
      })
      .catch((error: unknown) =>
        this.log.warn(
          `Plan history: the plan could not be stored (${(error as Error).message}); check that the workspace storage folder is writable.`,
        ),
      );
  }

  async getChildren(item?: Item): Promise<Item[]> {
    if (item?.kind === 'statement') return item.group.entries.map((entry): Item => ({ kind: 'plan', entry, group: item.group }));
    if (item) return [];
    return (await this.history.byStatement()).map((group): Item => ({ kind: 'statement', group }));
  }

  getTreeItem(item: Item): vscode.TreeItem {
    if (item.kind === 'statement') {
      const { group } = item;
      const tree = new vscode.TreeItem(oneLine(group.statement), vscode.TreeItemCollapsibleState.Collapsed);
      tree.id = `statement:${group.fingerprint}`;
      tree.description = group.entries.length === 1 ? '1 plan' : `${formatCount(group.entries.length)} plans`;
      tree.tooltip = new vscode.MarkdownString().appendCodeblock(group.statement, 'sql');
      tree.contextValue = 'planHistoryStatement';
      return tree;
    }
    const { entry } = item;
    const tree = new vscode.TreeItem(when(entry));
    tree.id = `plan:${entry.id}`;
    tree.description = facts(entry);
    tree.tooltip = new vscode.MarkdownString().appendText(`${entry.server}, ${when(entry)}\n\n`).appendCodeblock(entry.statement, 'sql');
    tree.iconPath = new vscode.ThemeIcon(entry.mode === 'analyze' ? 'pulse' : 'symbol-ruler');
    tree.contextValue = 'storedPlan';
    tree.command = { command: 'planLens.planHistory.open', title: 'Open', arguments: [item] };
    return tree;
  }

  async open(item: Item | undefined): Promise<void> {
    const chosen = await this.chosenPlan(item, 'Open a stored plan');
    if (!chosen) return;
    const shown = await this.load(chosen.entry);
    if (shown) this.panels.showPlan(shown);
  }

  async compare(item: Item | undefined): Promise<void> {
    const chosen = await this.chosenPlan(item, 'Compare a stored plan');
    if (!chosen) return;
    const { entry, group } = chosen;
    const others = group.entries.filter((e) => e.id !== entry.id);
    if (others.length === 0) {
      void vscode.window.showInformationMessage(
        'Plan Lens: this statement has only one stored plan. Explain it again to have another to compare with.',
      );
      return;
    }
    const pick = await vscode.window.showQuickPick(
      others.map((other) => ({ label: when(other), description: facts(other), detail: other.server, entry: other })),
      { title: `Compare the plan of ${when(entry)} with`, matchOnDescription: true },
    );
    if (!pick) return;
    const [earlier, later] = [entry, pick.entry].sort((a, b) => a.ranAt.localeCompare(b.ranAt));
    const before = await this.load(earlier);
    const after = before && (await this.load(later));
    if (!before || !after) return;
    this.panels.showComparison({ plan: before.plan, meta: before.meta }, after);
  }

  async clear(): Promise<void> {
    const count = (await this.history.list()).length;
    if (count === 0) {
      void vscode.window.showInformationMessage('Plan Lens: the plan history of this workspace is already empty.');
      return;
    }
    const clear = 'Clear';
    const answer = await vscode.window.showWarningMessage(
      `Delete the ${formatCount(count)} stored plans of this workspace?`,
      { modal: true },
      clear,
    );
    if (answer !== clear) return;
    await this.history.clear();
    this.log.info(`Plan history: cleared ${count} plans.`);
  }

  /** The plan an item stands for; from the command palette, the one the user picks among all stored plans. */
  private async chosenPlan(item: Item | undefined, title: string): Promise<{ entry: HistoryEntry; group: StatementHistory } | undefined> {
    if (item?.kind === 'plan') return item;
    if (item?.kind === 'statement') return { entry: item.group.entries[0], group: item.group };
    const groups = await this.history.byStatement();
    if (groups.length === 0) {
      void vscode.window.showInformationMessage(
        'Plan Lens: no plan is stored for this workspace yet. Explain a statement first (Plan Lens: Explain Query).',
      );
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      groups.flatMap((group) =>
        group.entries.map((entry) => ({
          label: oneLine(group.statement),
          description: `${when(entry)} · ${facts(entry)}`,
          detail: entry.server,
          entry,
          group,
        })),
      ),
      { title, matchOnDescription: true },
    );
    return pick && { entry: pick.entry, group: pick.group };
  }

  private async load(entry: HistoryEntry): Promise<ShowPlanRequest | undefined> {
    const json = await this.history.readPlan(entry.id);
    if (json === undefined) {
      void vscode.window.showErrorMessage(
        `Plan Lens: the plan of ${when(entry)} is missing or damaged on disk and was removed from the history. Explain the statement again to store a new one.`,
      );
      return undefined;
    }
    const analysis = analyzeExplainOutput(json, { executionTargetMs: readAdviceConfig().executionTargetMs });
    return {
      plan: analysis.plan,
      advice: analysis.advice,
      meta: {
        statement: entry.statement,
        server: entry.server,
        ranAt: entry.ranAt,
        mode: entry.mode,
        params: entry.params,
        title: `history, ${when(entry)}`,
      },
    };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
