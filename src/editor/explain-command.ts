/**
 * Explain Query, from the editor to the plan panel: find the statement, check it with the real
 * parser, ask what has to be asked (data-changing statements, placeholder values), run it safely
 * with a cancellable progress notification, analyse the plan, show it. Every failure ends in a
 * message naming the cause and the fix; syntax and server errors are also underlined in place.
 */
import * as vscode from 'vscode';
import type { ExplainMode } from '../protocol';
import { formatMs } from '../core/format';
import { ensureSqlParser, SqlSyntaxError, whyNotExplainable } from '../core/sql';
import { describeSideEffects } from '../core/sql/side-effects';
import { describeConnectionError } from '../db/connection-errors';
import {
  AUTH_FAILED,
  describeExplainFailure,
  explainAndAdvise,
  parameterValue,
  planMeta,
  prepareStatement,
  type ExplainRequest,
  type PreparedStatement,
  type SideEffects,
} from '../explain';
import type { AdviceDiagnostics } from './advice-diagnostics';
import { readAdviceConfig, readExplainConfig, writeConfirmDataModifying } from './config';
import type { ExplainedStatement } from './explained-statement';
import { planActionsFor } from './index-actions';
import { NoConnectionChosenError, type ActiveDatabase, type ConnectionManager } from './connection-manager';
import type { OutputLog } from './output-log';
import type { PlanHistoryRecorder } from './plan-history-view';
import { askForPlaceholderValues } from './placeholder-values';
import { statementInEditor, type EditorStatement } from './statement-at-cursor';
import type { PlanPanelHost } from '../panel/plan-panel';

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

  // In a SQL file `?` is jsonb's operator and `:name` a psql variable: only `$n` is a placeholder there.
  const applicationPlaceholders = target.fromSelection && target.document.languageId !== 'sql';
  const outcome = prepareStatement(target.text, { applicationPlaceholders });
  if (!outcome.ok) {
    const error = outcome.error;
    if (error instanceof SqlSyntaxError) {
      // The error's own line and column count from the statement's start: report the document's.
      const end = target.offset + target.text.length;
      const at = target.document.positionAt(target.offset + error.offset);
      deps.diagnostics.report(
        target.document,
        rangeAtOffset(target.document, target.offset + error.offset, end),
        error.postgresMessage,
        'syntax-error',
      );
      void vscode.window.showErrorMessage(
        `Plan Lens: ${error.postgresMessage} (line ${at.line + 1}, column ${at.character + 1}). Fix the statement and explain again.`,
      );
    } else {
      void vscode.window.showErrorMessage(`Plan Lens: ${error.message}`);
    }
    return;
  }
  const prepared = outcome.statement;
  // The statement without the comments and blank lines around it: keep offsets exact.
  const offset = target.offset + prepared.start;
  const statement: EditorStatement = {
    ...target,
    text: prepared.written,
    offset,
    range: new vscode.Range(target.document.positionAt(offset), target.document.positionAt(offset + prepared.written.length)),
  };
  const info = prepared.info;
  if (!info.explainable) {
    void vscode.window.showErrorMessage(`Plan Lens: ${whyNotExplainable(info)}.`);
    return;
  }

  let database;
  try {
    database = await deps.connections.acquire();
  } catch (error) {
    if (error instanceof NoConnectionChosenError) return;
    reportConnectionFailure(deps, error, 'the database');
    return;
  }

  let params: Array<string | null> | undefined;
  let generic = false;
  if (prepared.slots.length > 0) {
    const answer = await askForPlaceholderValues(deps.state, prepared);
    if (answer.kind === 'cancelled') return;
    if (answer.kind === 'generic') generic = true;
    else params = answer.values.map(parameterValue);
  }

  await explainInEditor(deps, {
    statement,
    errorBase: target.offset,
    prepared,
    database,
    analyze: requestedMode === 'analyze',
    params,
    generic,
  });
}

/** What explainInEditor runs: a prepared statement at its place in a document, on a database, with its values. */
export interface EditorExplain {
  statement: EditorStatement;
  /** The document offset server error positions count from (the text as the user selected it). */
  errorBase: number;
  prepared: PreparedStatement;
  database: ActiveDatabase;
  analyze: boolean;
  params?: ReadonlyArray<string | null>;
  generic: boolean;
  /** The side-effect question; the editor's modal when not given. */
  confirmSideEffects?: ExplainRequest['confirmSideEffects'];
}

/**
 * The editor's half of the explain-and-advise path: progress with Cancel, the plan panel and its states, findings as
 * diagnostics, index advice when it arrives, and every failure as a message (and in place, where it has a position).
 */
export async function explainInEditor(deps: ExplainDependencies, job: EditorExplain): Promise<void> {
  const { statement, prepared, database, params, generic } = job;
  const config = readExplainConfig();
  const adviceConfig = readAdviceConfig();
  const started = Date.now();
  const verb = job.analyze && !generic ? 'EXPLAIN ANALYZE' : 'EXPLAIN';
  const request: ExplainRequest = {
    statement: prepared,
    analyze: job.analyze,
    params,
    generic,
    verbose: config.verbose,
    settings: config.settings,
    wal: config.wal,
    timeoutMs: config.timeoutMs,
    executionTargetMs: adviceConfig.executionTargetMs,
    indexes: adviceConfig.suggestIndexes ? { concurrently: adviceConfig.createIndexConcurrently } : undefined,
    // Effects a rollback does not undo are always asked about; the setting only covers changes it does undo.
    confirmSideEffects:
      job.confirmSideEffects ??
      ((effects) =>
        effects.kind === 'escapes-rollback' || config.confirmDataModifying ? confirmSideEffects(effects) : Promise.resolve('run')),
  };
  deps.panels.showRunning(statement.text, params && [...params]);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Plan Lens: ${verb} on ${database.name}`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        try {
          return await explainAndAdvise(database, { ...request, signal: abort.signal });
        } finally {
          subscription.dispose();
        }
      },
    );
    const { run, analysis } = result;
    deps.log.info(
      `${result.analyzed ? 'EXPLAIN ANALYZE' : 'EXPLAIN'}${result.generic ? ' (generic plan)' : ''} on ${database.target} (${run.serverVersion}): ` +
        `${formatMs(run.durationMs)}, ${analysis.plan.nodes.length} nodes, ${analysis.advice.findings.length} findings`,
    );
    const explained: ExplainedStatement = {
      document: statement.document,
      range: statement.range,
      version: statement.document.version,
      database,
      result,
    };
    const meta = planMeta(result, database);
    deps.history.record(result, meta);
    const shown = deps.panels.showPlan({
      plan: analysis.plan,
      meta,
      advice: analysis.advice,
      actions: planActionsFor({ log: deps.log, advice: deps.advice }, explained),
    });
    deps.advice.show(statement.document, statement.range, analysis.advice);
    void result.advice.then((outcome) => {
      if (outcome instanceof Error) {
        deps.log.warn(`Index advice failed on ${database.target}: ${outcome.message}`);
        return;
      }
      if (!request.indexes) return;
      deps.log.info(
        `Index advice on ${database.target}: ${outcome.suggested} suggestions (${outcome.verified} verified) in ${formatMs(outcome.durationMs)}`,
      );
      shown.showAdvice(outcome.advice);
      if (statement.document.version === explained.version) deps.advice.show(statement.document, statement.range, outcome.advice);
    });
  } catch (error) {
    const elapsed = formatMs(Date.now() - started);
    const failure = describeExplainFailure(error, prepared, database.target);
    switch (failure.kind) {
      case 'declined':
        return;
      case 'cancelled':
        deps.log.info(`${verb} on ${database.target}: cancelled after ${elapsed}`);
        deps.panels.showCancelled(`${failure.message}.`);
        void vscode.window.showInformationMessage(`Plan Lens: ${failure.message}.`);
        return;
      case 'timeout': {
        deps.log.warn(`${verb} on ${database.target}: timed out after ${elapsed}`);
        deps.panels.showFailed(failure.message);
        const openSettings = 'Open Setting';
        const estimate = 'Estimate Only';
        const pick = await vscode.window.showErrorMessage(`Plan Lens: ${failure.message}`, openSettings, estimate);
        if (pick === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'planLens.explain.timeoutMs');
        if (pick === estimate) void vscode.commands.executeCommand('planLens.explainQueryEstimate');
        return;
      }
      case 'statement': {
        deps.log.warn(`${verb} on ${database.target}: failed after ${elapsed}: ${failure.code ?? ''} ${failure.serverMessage}`);
        const end = statement.offset + statement.text.length;
        const range =
          failure.inputIndex === undefined ? statement.range : rangeAtOffset(statement.document, job.errorBase + failure.inputIndex, end);
        deps.diagnostics.report(statement.document, range, failure.serverMessage, failure.code ?? 'server-error');
        deps.panels.showFailed(failure.message);
        void vscode.window.showErrorMessage(`Plan Lens: ${failure.message}`);
        return;
      }
      case 'parameters':
      case 'plan':
        deps.log.warn(`${verb} on ${database.target}: ${failure.message}`);
        deps.panels.showFailed(`${failure.message}.`);
        void vscode.window.showErrorMessage(`Plan Lens: ${failure.message}.`);
        return;
      case 'connection':
        deps.log.error(`${verb} on ${database.target}: failed after ${elapsed}: ${String(error)}`);
        reportConnectionFailure(deps, error, database.target);
        return;
    }
  }
}

/** The side-effect check's question in the editor: a modal, with a way to stop asking. */
async function confirmSideEffects(effects: SideEffects): Promise<'run' | 'estimate' | 'cancel'> {
  if (effects.kind === 'none') return 'run';
  const run = 'Run and Roll Back';
  const estimate = 'Estimate Only';
  const always = 'Always Run and Roll Back';
  const escapes = effects.kind === 'escapes-rollback';
  const answer = await vscode.window.showWarningMessage(
    escapes ? `This ${effects.commandTag} does what a rollback cannot undo.` : `This ${effects.commandTag} changes data.`,
    {
      modal: true,
      detail:
        (escapes ? `${describeSideEffects(effects.effects)}\n\n` : '') +
        'EXPLAIN ANALYZE really runs it. Plan Lens runs it inside a transaction that is always rolled back, so no row changes; ' +
        'triggers still fire inside the transaction. Functions the statement calls may do anything, including what a rollback cannot undo.',
    },
    ...(escapes ? [run, estimate] : [run, estimate, always]),
  );
  if (answer === undefined) return 'cancel';
  if (answer === estimate) return 'estimate';
  if (answer === always) await writeConfirmDataModifying(false);
  return 'run';
}

function reportConnectionFailure(deps: ExplainDependencies, error: unknown, target: string): void {
  const message = describeConnectionError(error, target);
  deps.log.error(message);
  deps.panels.showFailed(message);
  const connection = deps.connections.activeConnectionSetting();
  const isAuth = (error as { code?: string } | undefined)?.code === AUTH_FAILED || /password/i.test(String((error as Error)?.message));
  const reenter = 'Re-enter Password';
  const actions = isAuth && connection ? [reenter, 'Select Connection', 'Show Log'] : ['Select Connection', 'Show Log'];
  void vscode.window.showErrorMessage(`Plan Lens: ${message}`, ...actions).then(async (pick) => {
    if (pick === reenter && connection) {
      if (await deps.connections.promptForPassword(connection, `Connecting as ${connection.user} failed.`)) {
        void vscode.commands.executeCommand('planLens.explainQuery');
      }
    }
    if (pick === 'Select Connection') void vscode.commands.executeCommand('planLens.selectConnection');
    if (pick === 'Show Log') deps.log.show();
  });
  void deps.connections.reset('connection failed');
}
