/**
 * Explain for a statement captured by the recorder or read from pg_stat_statements: the editor's
 * explain-and-advise path (explainStatement, the plan panel) with the captured parameter values,
 * so even a `$1` statement gets a real EXPLAIN ANALYZE plan. The statement opens in an untitled
 * SQL editor first, where findings are shown and index DDL can be inserted.
 */
import * as vscode from 'vscode';
import { classifyStatement, ensureSqlParser } from '../core/sql';
import { explainStatement, type ExplainedStatement } from './explained-statement';
import { planActionsFor } from './index-actions';
import { readAdviceConfig, readExplainConfig } from './config';
import { NoConnectionChosenError } from './connection-manager';
import type { ExplainDependencies } from './explain-command';

export interface RecordedExplainRequest {
  sql: string;
  /** The captured values; undefined asks for a generic plan (pg_stat_statements' `$n`). */
  params?: readonly (string | null)[];
}

export type ExplainRecorded = (request: RecordedExplainRequest) => Promise<void>;

export function recordedExplain(deps: ExplainDependencies): ExplainRecorded {
  return async ({ sql, params }) => {
    await ensureSqlParser();
    const info = classifyStatement(sql);
    if (!info.explainable) {
      void vscode.window.showErrorMessage(`Plan Lens: EXPLAIN cannot run ${info.commandTag}; only SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES can be explained.`);
      return;
    }
    let database;
    try {
      database = await deps.connections.acquire();
    } catch (error) {
      if (error instanceof NoConnectionChosenError) return;
      throw error;
    }
    const document = await vscode.workspace.openTextDocument({ language: 'sql', content: `${sql}\n` });
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.One });
    const range = new vscode.Range(document.positionAt(0), document.positionAt(sql.length));
    const genericPlan = params === undefined && /\$\d/.test(sql);
    // A captured write is planned only: running it again, even rolled back, is the user's call in the editor.
    const analyze = !genericPlan && info.kind !== 'data-modifying';
    const adviceConfig = readAdviceConfig();
    const explained: ExplainedStatement = {
      document,
      range,
      version: document.version,
      sqlText: sql,
      displayText: sql,
      values: params ? [...params] : undefined,
      genericPlan,
      analyze,
      commandTag: info.commandTag,
      database,
      explainConfig: readExplainConfig(),
      executionTargetMs: adviceConfig.executionTargetMs,
    };
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Plan Lens: ${analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN'} on ${database.name}`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        try {
          return await explainStatement(explained, abort.signal);
        } finally {
          subscription.dispose();
        }
      },
    );
    deps.history.record(sql, outcome);
    deps.log.info(`Explained a recorded statement on ${database.target}: ${outcome.run.durationMs.toFixed(0)} ms, ${outcome.analysis.advice.findings.length} findings`);
    deps.panels.showPlan({
      plan: outcome.analysis.plan,
      meta: outcome.meta,
      advice: outcome.analysis.advice,
      actions: planActionsFor({ log: deps.log, advice: deps.advice }, explained),
    });
    deps.advice.show(document, range, outcome.analysis.advice);
  };
}
