/**
 * Where a suggested CREATE INDEX goes in the editor: on its own lines right below the statement
 * it helps, so the user reads them together and runs it when ready.
 */
import * as vscode from 'vscode';

export function insertDdlBelow(document: vscode.TextDocument, statementRange: vscode.Range, ddl: string): vscode.WorkspaceEdit {
  const line = document.lineAt(statementRange.end.line);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, line.range.end, `\n\n${ddl}`);
  return edit;
}

/**
 * Inserts the DDL below the statement when its document is still open and unchanged, else opens
 * it in a new untitled SQL document; returns where it went.
 */
export async function insertDdl(
  document: vscode.TextDocument | undefined,
  statementRange: vscode.Range | undefined,
  version: number | undefined,
  ddl: string,
): Promise<'below' | 'new'> {
  // The click came from the plan panel, whose group may be the active one: show the DDL where the
  // statement's editor is, not over the plan.
  const viewColumn = document && !document.isClosed ? columnShowing(document) : undefined;
  if (document && statementRange && !document.isClosed && document.version === version) {
    const applied = await vscode.workspace.applyEdit(insertDdlBelow(document, statementRange, ddl));
    if (applied) {
      const editor = await vscode.window.showTextDocument(document, { viewColumn, preserveFocus: false, preview: false });
      const at = document.lineAt(Math.min(statementRange.end.line + 2, document.lineCount - 1)).range;
      editor.selection = new vscode.Selection(at.start, at.end);
      editor.revealRange(at);
      return 'below';
    }
  }
  const created = await vscode.workspace.openTextDocument({ language: 'sql', content: `${ddl}\n` });
  await vscode.window.showTextDocument(created, { viewColumn, preview: false });
  return 'new';
}

/** The editor group that shows the document, else one that has a tab of it. */
function columnShowing(document: vscode.TextDocument): vscode.ViewColumn | undefined {
  const visible = vscode.window.visibleTextEditors.find((editor) => editor.document === document);
  if (visible?.viewColumn !== undefined) return visible.viewColumn;
  const uri = document.uri.toString();
  return vscode.window.tabGroups.all.find((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri),
  )?.viewColumn;
}
