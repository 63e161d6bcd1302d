/**
 * "Slow Queries": pg_stat_statements of the active connection, top by total time, with mean
 * time, calls and rows per call, the N+1 and slow findings its counters allow, and a snapshot to
 * diff against ("since I clicked Start"; no reset privilege needed). Explain asks for a generic
 * plan of the normalized `$n` statement (PostgreSQL 16+).
 */
import * as vscode from 'vscode';
import { formatCount, formatMs } from '../core/format';
import type { WorkloadFinding } from '../core/workload/model';
import { diffStatStatements, statStatementFindings, topStatStatements, type StatStatement } from '../core/workload/stat-statements';
import { readStatStatements, StatStatementsUnavailableError } from '../db/stat-statements';
import type { ConnectionManager } from './connection-manager';
import type { ExplainRecorded } from './recorded-explain';
import { readWorkloadSettings } from './recorder-config';

export const SLOW_QUERIES_VIEW_ID = 'planLensSlowQueries';
const TOP = 50;

type Item =
  { kind: 'note'; label: string } | { kind: 'finding'; finding: WorkloadFinding } | { kind: 'statement'; statement: StatStatement };

export class SlowQueriesView implements vscode.TreeDataProvider<Item>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private items: Item[] = [];
  private baseline: { at: Date; statements: StatStatement[] } | undefined;

  constructor(
    private readonly connections: ConnectionManager,
    private readonly explain: ExplainRecorded,
  ) {}

  async refresh(): Promise<void> {
    const statements = await this.read();
    if (!statements) return;
    const shown = this.baseline ? diffStatStatements(this.baseline.statements, statements) : statements;
    const heading = this.baseline ? `Since ${this.baseline.at.toLocaleTimeString()}` : 'Since the last pg_stat_statements reset';
    const threshold = readWorkloadSettings().slowStatementMs;
    this.items = [
      { kind: 'note', label: `${heading}: ${formatCount(shown.length)} statements; slow means over ${formatMs(threshold)}` },
      ...statStatementFindings(shown, readWorkloadSettings()).map((finding): Item => ({ kind: 'finding', finding })),
      ...topStatStatements(shown, 'total', TOP).map((statement): Item => ({ kind: 'statement', statement })),
    ];
    this.changed.fire();
    void vscode.commands.executeCommand(`${SLOW_QUERIES_VIEW_ID}.focus`);
  }

  /** Counts from now on are shown as the difference to this snapshot. */
  async startSnapshot(): Promise<void> {
    const statements = await this.read();
    if (!statements) return;
    this.baseline = { at: new Date(), statements };
    await this.refresh();
  }

  private async read(): Promise<StatStatement[] | undefined> {
    const database = await this.connections.acquireIfChosen();
    if (!database) return undefined;
    try {
      return await readStatStatements(database.pool);
    } catch (error) {
      if (error instanceof StatStatementsUnavailableError) {
        this.items = [{ kind: 'note', label: error.message }];
        this.changed.fire();
        void vscode.window.showErrorMessage(`Plan Lens: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  }

  getChildren(item?: Item): Item[] {
    return item ? [] : this.items;
  }

  getTreeItem(item: Item): vscode.TreeItem {
    switch (item.kind) {
      case 'note': {
        const tree = new vscode.TreeItem(item.label);
        tree.tooltip = item.label;
        return tree;
      }
      case 'finding': {
        const tree = new vscode.TreeItem(`${item.finding.id}: ${formatCount(item.finding.calls)} calls, ${formatMs(item.finding.totalMs)}`);
        tree.description = item.finding.query.replace(/\s+/g, ' ');
        tree.tooltip = new vscode.MarkdownString().appendText(`${item.finding.message}\n\nFix: ${item.finding.fix}`);
        tree.iconPath = new vscode.ThemeIcon('warning');
        return tree;
      }
      case 'statement': {
        const { statement } = item;
        const tree = new vscode.TreeItem(statement.query.replace(/\s+/g, ' '));
        tree.description =
          `${formatMs(statement.totalMs)} total · ${formatMs(statement.totalMs / statement.calls)} mean · ${formatCount(statement.calls)} calls · ` +
          `${(statement.rows / statement.calls).toFixed(1)} rows/call`;
        tree.tooltip = new vscode.MarkdownString().appendCodeblock(statement.query, 'sql');
        tree.contextValue = 'slowStatement';
        return tree;
      }
    }
  }

  explainItem(item: Item | undefined): Promise<void> | void {
    if (item?.kind !== 'statement') return;
    return this.explain({ sql: item.statement.query });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
