/**
 * Wires Plan Lens into VS Code: builds the context (log, connections, diagnostics, panel host)
 * and registers commands and the panel serializer. No logic lives here.
 */
import * as vscode from 'vscode';
import { addConnection, removeConnection, selectConnection } from './editor/connection-commands';
import { ConnectionManager } from './editor/connection-manager';
import { explainQuery, StatementDiagnostics, type ExplainDependencies } from './editor/explain-command';
import { OutputLog } from './editor/output-log';
import { PLAN_VIEW_TYPE, PlanPanel, type PlanPanelHost, type ShowPlanRequest } from './panel/plan-panel';

let connections: ConnectionManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = new OutputLog();
  connections = new ConnectionManager(context, log);
  const diagnostics = new StatementDiagnostics();
  const selectNode = () => undefined;
  const panelLog = (message: string) => log.info(message);
  const panels: PlanPanelHost = {
    showPlan: (request: ShowPlanRequest) => PlanPanel.show(context.extensionUri, request, selectNode, panelLog),
  };
  const deps: ExplainDependencies = { connections, diagnostics, log, panels, state: context.workspaceState };
  const manager = connections;

  const commands: Record<string, () => Promise<void> | void> = {
    'planLens.explainQuery': () => explainQuery(deps, 'analyze'),
    'planLens.explainQueryEstimate': () => explainQuery(deps, 'estimate'),
    'planLens.addConnection': () => addConnection(context, manager),
    'planLens.selectConnection': () => selectConnection(context, manager),
    'planLens.removeConnection': () => removeConnection(context, manager),
    'planLens.showLog': () => log.show(),
  };
  for (const [id, run] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, run));
  }
  context.subscriptions.push(
    log,
    diagnostics,
    vscode.window.registerWebviewPanelSerializer(PLAN_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => PlanPanel.revive(panel, state, context.extensionUri, selectNode, panelLog),
    }),
  );
}

export async function deactivate(): Promise<void> {
  await connections?.dispose();
  connections = undefined;
}
