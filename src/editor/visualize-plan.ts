/**
 * "Plan Lens: Visualize Plan": reads EXPLAIN output (text or JSON, a paste, a log file, an .explain
 * or .plan file) from the selection or the whole document and opens it in the plan panel, without
 * any database. A plan damaged part-way is still shown up to the damage, with the reason. Of a text
 * with several plans (an auto_explain log) it shows the one under the cursor, or lets the user choose.
 */
import * as vscode from 'vscode';
import { analyzeExplainOutput } from '../core/analyze';
import { findPlans, planAtLine, planChoices, PlanParseError, type FoundPlan } from '../core/plan';
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
  const plans = findPlans(text);
  const chosen = plans.length === 1 ? 0 : await choosePlan(plans, selection.isEmpty ? selection.active.line + 1 : undefined, firstLine);
  if (chosen === undefined) return;
  const found = plans[chosen];
  const damage = found.error;
  if (!found.raw) {
    void vscode.window.showErrorMessage(`Plan Lens: ${where(damage, firstLine)}${damage?.message ?? 'no plan found'}`);
    return;
  }
  let analysis;
  try {
    analysis = analyzeExplainOutput(found.raw);
  } catch (error) {
    // The plan was read, but its numbers cannot be (a negative or infinite time).
    if (!(error instanceof PlanParseError)) throw error;
    void vscode.window.showErrorMessage(`Plan Lens: ${where(error, firstLine)}${error.message}`);
    return;
  }
  const meta: PlanMeta = {
    statement: typeof analysis.raw['Query Text'] === 'string' ? analysis.raw['Query Text'] : (found.queryText ?? ''),
    server: vscode.workspace.asRelativePath(document.uri),
    ranAt: new Date().toISOString(),
    mode: analysis.plan.analyzed ? 'analyze' : 'estimate',
    title: `Plan: ${document.isUntitled ? 'pasted plan' : vscode.workspace.asRelativePath(document.uri)}${plans.length > 1 ? ` (line ${found.startLine + firstLine})` : ''}`,
  };
  const sourceText =
    plans.length === 1
      ? text
      : text
          .split('\n')
          .slice(found.startLine - 1, found.endLine)
          .join('\n');
  panels.showPlan({ plan: analysis.plan, meta, advice: analysis.advice, sourceText });
  if (damage) {
    void vscode.window.showWarningMessage(
      `Plan Lens: showing the plan up to the damage: ${where(damage, firstLine)}${damage.message.replace(/^line \d+: /, '')}`,
    );
  }
}

/**
 * The plan under the cursor (a 1-based line) when it is inside one; else, and for a selection of
 * several plans, the user's pick, slowest first.
 */
async function choosePlan(plans: FoundPlan[], cursorLine: number | undefined, firstLine: number): Promise<number | undefined> {
  const under = cursorLine === undefined ? undefined : planAtLine(plans, cursorLine);
  if (under !== undefined) return under;
  const picked = await vscode.window.showQuickPick(planChoices(plans, firstLine), {
    title: `Plan Lens: ${plans.length} plans found, slowest first`,
    placeHolder: 'Choose the plan to visualize',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.index;
}

/** "line 12 of the document: " for an error the parser placed, counted in the document rather than the selection. */
function where(error: PlanParseError | undefined, firstLine: number): string {
  return error?.line === undefined ? '' : `line ${error.line + firstLine} of the document: `;
}
