/**
 * Explain Query, from the editor to the plan panel: find the statement, check it with the real
 * parser, ask what has to be asked (data-changing statements, placeholder values), run it safely
 * with a cancellable progress notification, analyse the plan, show it. Every failure ends in a
 * message naming the cause and the fix; syntax and server errors are also underlined in place.
 */
import * as vscode from 'vscode';
import type { PlanAdvice } from '../core/advice/advice-model';
import type { ExplainMode } from '../protocol';
import { withSuggestions } from '../core/analyze';
import type { AnalyzedPlan } from '../core/plan/model';
import { checkSingleStatement, classifyStatement, ensureSqlParser, findPlaceholders, mapServerErrorPosition, SqlSyntaxError } from '../core/sql';
import { describeConnectionError } from '../db/connection-errors';
import { adviseIndexes } from '../db/advise-indexes';
import { ExplainCancelledError, ExplainStatementError, ExplainTimeoutError, getServerVersionNum } from '../db/explain-runner';
import type { AdviceDiagnostics } from './advice-diagnostics';
import { readAdviceConfig, readExplainConfig, writeConfirmDataModifying } from './config';
import { explainStatement, type ExplainedStatement } from './explained-statement';
import { planActionsFor } from './index-actions';
import { NoConnectionChosenError, type ConnectionManager } from './connection-manager';
import type { OutputLog } from './output-log';
import type { PlanHistoryRecorder } from './plan-history-view';
import { askForPlaceholderValues } from './placeholder-values';
import { statementInEditor, type EditorStatement } from './statement-at-cursor';
import type { PlanPanelHost } from '../panel/plan-panel';

/** Server error codes that mean "the password is missing or wrong". */
const AUTH_FAILED = '28P01';
const GENERIC_PLAN_MIN_VERSION = 160000;

export class StatementDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('planLens');
  private readonly listener = vscode.workspace.onDidChangeTextDocument((event) => {
    // Every keystroke of every document passes here: only touch documents that have an error shown.
    if (event.contentChanges.length > 0 && this.collection.has(event.document.uri)) this.collection.delete(event.document.uri);
  });

  report(document: vscode.TextDocument, range: vscode.Range, message: string, code: string): void {
    const diagnostic = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Plan Lens';
    diagnostic.code = code;
    this.collection.set(document.uri, [diagnostic]);
  }

  clear(document: vscode.TextDocument): void {
    this.collection.delete(document.uri);
  }

  dispose(): void {
    this.listener.dispose();
    this.collection.dispose();
  }
}

/** A range of at least one character at a document offset, for underlining an error position. */
function rangeAtOffset(document: vscode.TextDocument, offset: number, limit: number): vscode.Range {
  const start = document.positionAt(Math.min(offset, limit));
  const wordRange = document.getWordRangeAtPosition(start);
  return wordRange ?? new vscode.Range(start, document.positionAt(Math.min(offset + 1, limit)));
}

export interface ExplainDependencies {
  connections: ConnectionManager;
  diagnostics: StatementDiagnostics;
  advice: AdviceDiagnostics;
  log: OutputLog;
  panels: PlanPanelHost;
  state: vscode.Memento;
  /** Keeps every analysed plan for Plan History. */
  history: PlanHistoryRecorder;
}

export async function explainQuery(deps: ExplainDependencies, requestedMode: ExplainMode): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showErrorMessage('Plan Lens: open a SQL file and put the cursor in a statement (or select one) to explain it.');
    return;
  }
  await ensureSqlParser();
  const lookup = statementInEditor(editor);
  if (!lookup.ok) {
    void vscode.window.showErrorMessage(`Plan Lens: ${lookup.message}`);
    return;
  }
  const target = lookup.statement;
  deps.diagnostics.clear(target.document);
  deps.advice.clear(target.document.uri);

  const checked = checkSingleStatement(target.text);
  if (!checked.ok) {
    const error = checked.error;
    if (error instanceof SqlSyntaxError) {
      // The error's own line and column count from the statement's start: report the document's.
      const end = target.offset + target.text.length;
      const at = target.document.positionAt(target.offset + error.offset);
      deps.diagnostics.report(target.document, rangeAtOffset(target.document, target.offset + error.offset, end), error.postgresMessage, 'syntax-error');
      void vscode.window.showErrorMessage(
        `Plan Lens: ${error.postgresMessage} (line ${at.line + 1}, column ${at.character + 1}). Fix the statement and explain again.`,
      );
    } else {
      void vscode.window.showErrorMessage(`Plan Lens: ${error.message}`);
    }
    return;
  }
  // checkSingleStatement trims comments and blank lines around the statement: keep offsets exact.
  const offset = target.offset + checked.statement.start;
  const statement: EditorStatement = {
    ...target,
    text: checked.statement.text,
    offset,
    range: new vscode.Range(target.document.positionAt(offset), target.document.positionAt(offset + checked.statement.text.length)),
  };
  const info = classifyStatement(statement.text);
  if (!info.explainable) {
    void vscode.window.showErrorMessage(
      `Plan Lens: EXPLAIN cannot run ${info.commandTag}. Plan Lens explains SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES and CREATE TABLE AS statements.`,
    );
    return;
  }

  let mode = requestedMode;
  const config = readExplainConfig();
  if (info.kind === 'data-modifying' && mode === 'analyze' && config.confirmDataModifying) {
    const run = 'Run and Roll Back';
    const estimate = 'Estimate Only';
    const always = 'Always Run and Roll Back';
    const answer = await vscode.window.showWarningMessage(
      `This ${info.commandTag} changes data.`,
      {
        modal: true,
        detail:
          'EXPLAIN ANALYZE really runs it. Plan Lens runs it inside a transaction that is always rolled back, so no row changes; ' +
          'sequences still advance and triggers still fire inside the transaction.',
      },
      run,
      estimate,
      always,
    );
    if (answer === undefined) return;
    if (answer === estimate) mode = 'estimate';
    if (answer === always) await writeConfirmDataModifying(false);
  }

  let database;
  try {
    database = await deps.connections.acquire();
  } catch (error) {
    if (error instanceof NoConnectionChosenError) return;
    reportConnectionFailure(deps, error, 'the database');
    return;
  }

  let sqlText = statement.text;
  let values: Array<string | null> | undefined;
  let genericPlan = false;
  // In a SQL file `?` is jsonb's operator and `:name` a psql variable: only `$n` is a placeholder there.
  const fromApplicationCode = statement.fromSelection && statement.document.languageId !== 'sql';
  const placeholders = findPlaceholders(statement.text).filter((p) => fromApplicationCode || p.style === 'dollar');
  if (placeholders.length > 0) {
    let versionNum = 0;
    try {
      versionNum = await getServerVersionNum(database.pool);
    } catch (error) {
      reportConnectionFailure(deps, error, database.target);
      return;
    }
    const answer = await askForPlaceholderValues(deps.state, statement.text, placeholders, versionNum >= GENERIC_PLAN_MIN_VERSION);
    if (answer.kind === 'cancelled') return;
    sqlText = answer.text;
    if (answer.kind === 'generic') {
      genericPlan = true;
      mode = 'estimate';
    } else {
      values = answer.values.map((v) => (v.trim().toUpperCase() === 'NULL' ? null : v));
    }
  }

  const started = Date.now();
  const verb = mode === 'analyze' && !genericPlan ? 'EXPLAIN ANALYZE' : 'EXPLAIN';
  const adviceConfig = readAdviceConfig();
  const explained: ExplainedStatement = {
    document: statement.document,
    range: statement.range,
    version: statement.document.version,
    sqlText,
    displayText: statement.text,
    values,
    genericPlan,
    analyze: mode === 'analyze',
    commandTag: info.commandTag,
    database,
    explainConfig: config,
    executionTargetMs: adviceConfig.executionTargetMs,
  };
  deps.panels.showRunning(statement.text, values);
  try {
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Plan Lens: ${verb} on ${database.name}`, cancellable: true },
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
    const { run, analysis, meta } = outcome;
    deps.history.record(sqlText, outcome);
    deps.log.info(
      `${verb} on ${database.target} (${run.serverVersion}): ${run.durationMs.toFixed(0)} ms, ${analysis.plan.nodes.length} nodes, ${analysis.advice.findings.length} findings`,
    );
    const shown = deps.panels.showPlan({
      plan: analysis.plan,
      meta,
      advice: analysis.advice,
      actions: planActionsFor({ log: deps.log, advice: deps.advice }, explained),
    });
    deps.advice.show(statement.document, statement.range, analysis.advice);
    if (adviceConfig.suggestIndexes) {
      void suggestIndexes(deps, explained, analysis.plan, analysis.advice, adviceConfig.createIndexConcurrently).then((advice) => {
        if (!advice) return;
        shown.showAdvice(advice);
        if (statement.document.version === explained.version) deps.advice.show(statement.document, statement.range, advice);
      });
    }
  } catch (error) {
    const elapsed = Date.now() - started;
    if (error instanceof ExplainCancelledError) {
      deps.log.info(`${verb} on ${database.target}: cancelled after ${elapsed} ms`);
      deps.panels.showCancelled(error.stoppedOnServer ? 'The statement was stopped on the server.' : undefined);
      void vscode.window.showInformationMessage(
        error.stoppedOnServer
          ? 'Plan Lens: the explain was cancelled; the statement was stopped on the server.'
          : 'Plan Lens: the explain was cancelled. The demo database cannot interrupt a running statement: it finishes in the background and is rolled back.',
      );
      return;
    }
    if (error instanceof ExplainTimeoutError) {
      deps.log.warn(`${verb} on ${database.target}: timed out after ${elapsed} ms`);
      deps.panels.showFailed(
        `The statement ran longer than ${config.timeoutMs} ms and was stopped (planLens.explain.timeoutMs). Raise the timeout, or explain with estimates only.`,
      );
      const openSettings = 'Open Setting';
      const estimate = 'Estimate Only';
      const pick = await vscode.window.showErrorMessage(
        `Plan Lens: the statement ran longer than ${config.timeoutMs} ms and was stopped (planLens.explain.timeoutMs). Raise the timeout, or explain with estimates only.`,
        openSettings,
        estimate,
      );
      if (pick === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'planLens.explain.timeoutMs');
      if (pick === estimate) void vscode.commands.executeCommand('planLens.explainQueryEstimate');
      return;
    }
    if (error instanceof ExplainStatementError) {
      deps.log.warn(`${verb} on ${database.target}: failed after ${elapsed} ms: ${error.code ?? ''} ${error.message}`);
      if (error.code === AUTH_FAILED) {
        reportConnectionFailure(deps, error, database.target);
        return;
      }
      const end = statement.offset + statement.text.length;
      const inStatement =
        error.position !== undefined && sqlText === statement.text ? mapServerErrorPosition(statement.text, error.position, error.prefixLength) : undefined;
      if (inStatement) {
        deps.diagnostics.report(statement.document, rangeAtOffset(statement.document, statement.offset + inStatement.offset, end), error.message, error.code ?? 'server-error');
      } else {
        deps.diagnostics.report(statement.document, statement.range, error.message, error.code ?? 'server-error');
      }
      const hint = error.hint ? ` Hint: ${error.hint}` : '';
      deps.panels.showFailed(`PostgreSQL rejected the statement: ${error.message}. Fix the statement and explain again.`, error.hint && `Hint: ${error.hint}`);
      void vscode.window.showErrorMessage(`Plan Lens: PostgreSQL rejected the statement: ${error.message}.${hint}`);
      return;
    }
    deps.log.error(`${verb} on ${database.target}: failed after ${elapsed} ms: ${String(error)}`);
    reportConnectionFailure(deps, error, database.target);
  }
}

function reportConnectionFailure(deps: ExplainDependencies, error: unknown, target: string): void {
  const message = describeConnectionError(error, target);
  deps.log.error(message);
  deps.panels.showFailed(message);
  const connection = deps.connections.activeConnectionSetting();
  const isAuth = (error as { code?: string } | undefined)?.code === AUTH_FAILED || /password/i.test(String((error as Error)?.message));
  const actions = isAuth && connection ? ['Enter Password', 'Select Connection', 'Show Log'] : ['Select Connection', 'Show Log'];
  void vscode.window.showErrorMessage(`Plan Lens: ${message}`, ...actions).then(async (pick) => {
    if (pick === 'Enter Password' && connection) {
      if (await deps.connections.promptForPassword(connection, `Connecting as ${connection.user} failed.`)) {
        void vscode.commands.executeCommand('planLens.explainQuery');
      }
    }
    if (pick === 'Select Connection') void vscode.commands.executeCommand('planLens.selectConnection');
    if (pick === 'Show Log') deps.log.show();
  });
  void deps.connections.reset('connection failed');
}

/** Index suggestions, verified with HypoPG where the server has it; logged and skipped on failure. */
async function suggestIndexes(
  deps: ExplainDependencies,
  explained: ExplainedStatement,
  plan: AnalyzedPlan,
  advice: PlanAdvice,
  concurrently: boolean,
): Promise<PlanAdvice | undefined> {
  const started = Date.now();
  try {
    const suggestions = await adviseIndexes(explained.database.pool, explained.sqlText, plan, {
      values: explained.values,
      timeoutMs: explained.explainConfig.timeoutMs,
      concurrently,
    });
    const verified = suggestions.filter((s) => s.verification.method === 'hypopg').length;
    deps.log.info(`Index advice on ${explained.database.target}: ${suggestions.length} suggestions (${verified} verified with HypoPG) in ${Date.now() - started} ms`);
    return withSuggestions(advice, suggestions);
  } catch (error) {
    deps.log.warn(`Index advice failed on ${explained.database.target}: ${(error as Error).message}`);
    return undefined;
  }
}
