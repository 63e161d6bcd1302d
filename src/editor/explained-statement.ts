/**
 * One explained statement and everything needed to explain it again the same way: after
 * "Create index now", and for the actions of the advice shown with its plan.
 */
import * as vscode from 'vscode';
import { analyzeExplainOutput, type PlanAnalysis } from '../core/analyze';
import type { PlanMeta } from '../protocol';
import { runExplain, type ExplainRun } from '../db/explain-runner';
import type { ExplainConfig } from './config';
import type { ActiveDatabase } from './connection-manager';

export interface ExplainedStatement {
  document: vscode.TextDocument;
  /** The statement's range in the document when it was explained. */
  range: vscode.Range;
  /** The document version the range belongs to; a later edit makes the range stale. */
  version: number;
  /** What was sent: the statement, with application placeholders rewritten to $n. */
  sqlText: string;
  /** The statement as written, for display. */
  displayText: string;
  values?: Array<string | null>;
  genericPlan: boolean;
  analyze: boolean;
  commandTag: string;
  database: ActiveDatabase;
  explainConfig: ExplainConfig;
  executionTargetMs: number;
}

export interface ExplainOutcome {
  run: ExplainRun;
  analysis: PlanAnalysis;
  meta: PlanMeta;
}

export async function explainStatement(statement: ExplainedStatement, signal?: AbortSignal): Promise<ExplainOutcome> {
  const started = new Date();
  const { explainConfig: config } = statement;
  const run = await runExplain(statement.database.pool, statement.sqlText, {
    analyze: statement.analyze && !statement.genericPlan,
    verbose: config.verbose,
    settings: config.settings,
    wal: config.wal,
    genericPlan: statement.genericPlan,
    values: statement.values,
    timeoutMs: config.timeoutMs,
    signal,
  });
  const analysis = analyzeExplainOutput(run.explainJson, { executionTargetMs: statement.executionTargetMs });
  return {
    run,
    analysis,
    meta: {
      statement: statement.displayText,
      server: `${run.serverVersion} · ${statement.database.name}`,
      ranAt: started.toISOString(),
      mode: analysis.plan.analyzed ? 'analyze' : 'estimate',
      durationMs: run.durationMs,
      title: `${statement.database.name}: ${statement.commandTag}`,
      params: statement.values,
    },
  };
}
