/**
 * "Plan Lens: Visualize Plan": reads EXPLAIN output (text or JSON, a paste, a log file, an .explain
 * or .plan file) from the selection or the whole document and opens it in the plan panel, without
 * any database. A plan damaged part-way is still shown up to the damage, with the reason.
 */
import * as vscode from 'vscode';
import { analyzeExplainOutput } from '../core/analyze';
import { PlanParseError } from '../core/plan';
import type { PlanMeta } from '../protocol';
import type { PlanPanelHost } from '../panel/plan-panel';

export async function visualizePlan(panels: PlanPanelHost): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showErrorMessage(
      'Plan Lens: no editor is open: open or paste EXPLAIN output in an editor, then run Visualize Plan.',
    );
    return;
  }
  const { document, selection } = editor;
  const text = selection.isEmpty ? document.getText() : document.getText(selection);
  const firstLine = selection.isEmpty ? 0 : selection.start.line;
  let analysis;
  let damage: PlanParseError | undefined;
  try {
    analysis = analyzeExplainOutput(text);
  } catch (error) {
    if (!(error instanceof PlanParseError)) throw error;
    if (!error.partial) {
      void vscode.window.showErrorMessage(`Plan Lens: ${where(error, firstLine)}${error.message}`);
      return;
    }
    damage = error;
    analysis = analyzeExplainOutput(error.partial);
  }
  const meta: PlanMeta = {
    statement: typeof analysis.raw['Query Text'] === 'string' ? analysis.raw['Query Text'] : '',
    server: vscode.workspace.asRelativePath(document.uri),
    ranAt: new Date().toISOString(),
    mode: analysis.plan.analyzed ? 'analyze' : 'estimate',
    title: `Plan: ${document.isUntitled ? 'pasted plan' : vscode.workspace.asRelativePath(document.uri)}`,
  };
  panels.showPlan({ plan: analysis.plan, meta, advice: analysis.advice, sourceText: text });
  if (damage) {
    void vscode.window.showWarningMessage(
      `Plan Lens: showing the plan up to the damage: ${where(damage, firstLine)}${damage.message.replace(/^line \d+: /, '')}`,
    );
  }
}

/** "line 12 of the document: " for an error the parser placed, counted in the document rather than the selection. */
function where(error: PlanParseError, firstLine: number): string {
  return error.line === undefined ? '' : `line ${error.line + firstLine} of the document: `;
}
