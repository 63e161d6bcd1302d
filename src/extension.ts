/**
 * Wires Plan Lens into VS Code: builds the context (log, connections, diagnostics, panel host)
 * and registers commands and the panel serializer. No logic lives here.
 */
import * as vscode from 'vscode';
import { addConnection, editConnection, removeConnection, selectConnection } from './editor/connection-commands';
import { ConnectionManager } from './editor/connection-manager';
import { AdviceDiagnostics } from './editor/advice-diagnostics';
import { CODE_SELECTOR, CodeDiagnostics } from './editor/code-diagnostics';
import { explainQuery, StatementDiagnostics, type ExplainDependencies } from './editor/explain-command';
import { OutputLog } from './editor/output-log';
import { visualizePlan } from './editor/visualize-plan';
import { PLAN_VIEW_TYPE, PlanPanel, type PlanPanelHost } from './panel/plan-panel';
import { recordedExplain } from './editor/recorded-explain';
import { RECORDING_VIEW_ID, RecordingView, registerRecording } from './editor/recording-view';
import { SLOW_QUERIES_VIEW_ID, SlowQueriesView } from './editor/slow-queries-view';
import { PLAN_HISTORY_VIEW_ID, PlanHistoryView } from './editor/plan-history-view';
import { readHistoryLimits } from './editor/config';
import { PlanHistory } from './history/plan-history';

let connections: ConnectionManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = new OutputLog();
  connections = new ConnectionManager(context, log);
  const diagnostics = new StatementDiagnostics();
  // Quick fixes wherever Explain Query works: SQL files, and SQL selected in any other file.
  const advice = new AdviceDiagnostics({ scheme: '*' });
  const panelLog = (message: string) => log.info(message);
  const panels: PlanPanelHost = PlanPanel.host(context.extensionUri, panelLog);
  // Without a folder open there is no workspace storage: such plans share one history in the global storage.
  const historyDir = (context.storageUri ?? vscode.Uri.joinPath(context.globalStorageUri, 'no-workspace')).fsPath;
  const planHistory = new PlanHistoryView(new PlanHistory(historyDir, readHistoryLimits, (line) => log.warn(line)), panels, log);
  const deps: ExplainDependencies = { connections, diagnostics, advice, log, panels, state: context.workspaceState, history: planHistory };
  const manager = connections;

  const commands: Record<string, () => Promise<void> | void> = {
    'planLens.explainQuery': () => explainQuery(deps, 'analyze'),
    'planLens.explainQueryEstimate': () => explainQuery(deps, 'estimate'),
    'planLens.addConnection': () => addConnection(context, manager),
    'planLens.editConnection': () => editConnection(context, manager),
    'planLens.selectConnection': () => selectConnection(context, manager),
    'planLens.removeConnection': () => removeConnection(context, manager),
    'planLens.showLog': () => log.show(),
    'planLens.visualizePlan': () => visualizePlan(panels),
  };
  for (const [id, run] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, () => runReportingFailure(id, run, log)));
  }
  const code = new CodeDiagnostics(manager, log);
  void code
    .start()
    .catch((error: unknown) =>
      log.error(`Application-code checks could not start: ${error instanceof Error ? error.message : String(error)}`),
    );

  // Statements the recorder captured, or pg_stat_statements lists, go through the editor's explain.
  const explainRecorded = recordedExplain(deps);
  const recording = new RecordingView(manager, log, explainRecorded, code);
  const slowQueries = new SlowQueriesView(manager, explainRecorded);
  const viewCommands: Record<string, (item?: never) => Promise<void> | void> = {
    ...registerRecording(recording),
    'planLens.showSlowQueries': () => slowQueries.refresh(),
    'planLens.slowQueries.startSnapshot': () => slowQueries.startSnapshot(),
    'planLens.slowQueries.explain': (item) => slowQueries.explainItem(item),
    'planLens.clearPlanHistory': () => planHistory.clear(),
    'planLens.planHistory.open': (item) => planHistory.open(item),
    'planLens.planHistory.compare': (item) => planHistory.compare(item),
  };
  for (const [id, run] of Object.entries(viewCommands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, (item?: never) => runReportingFailure(id, () => run(item), log)));
  }
  context.subscriptions.push(
    recording,
    slowQueries,
    vscode.window.registerTreeDataProvider(RECORDING_VIEW_ID, recording),
    vscode.window.registerTreeDataProvider(SLOW_QUERIES_VIEW_ID, slowQueries),
    planHistory,
    vscode.window.registerTreeDataProvider(PLAN_HISTORY_VIEW_ID, planHistory),
  );
  context.subscriptions.push(
    log,
    diagnostics,
    advice,
    code,
    vscode.languages.registerCodeActionsProvider(CODE_SELECTOR, code, { providedCodeActionKinds: CodeDiagnostics.providedCodeActionKinds }),
    vscode.languages.registerHoverProvider(CODE_SELECTOR, code),
    vscode.window.registerWebviewPanelSerializer(PLAN_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => PlanPanel.revive(panel, state, context.extensionUri, panelLog),
    }),
  );
}

/**
 * Runs a command and tells the user when it fails unexpectedly: VS Code only logs an error thrown
 * by a command chosen from a menu or bound to a key, so without this nothing would be shown.
 */
async function runReportingFailure(id: string, run: () => Promise<void> | void, log: OutputLog): Promise<void> {
  try {
    await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`${id} failed: ${error instanceof Error && error.stack ? error.stack : message}`);
    void vscode.window.showErrorMessage(`Plan Lens: ${message}`, 'Show Log').then((pick) => pick && log.show());
  }
}

export async function deactivate(): Promise<void> {
  await connections?.dispose();
  connections = undefined;
}
