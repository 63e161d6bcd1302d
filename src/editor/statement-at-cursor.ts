/**
 * Finds what Explain Query should explain in an editor: the selection if there is one (SQL inside
 * a Python or TypeScript string works that way), else the statement under the cursor of a SQL
 * document. Offsets stay tied to the document so errors can be underlined where they are.
 */
import * as vscode from 'vscode';
import { statementAtOffset } from '../core/sql';

export interface EditorStatement {
  document: vscode.TextDocument;
  text: string;
  /** Document offset of the first character of `text`. */
  offset: number;
  range: vscode.Range;
  fromSelection: boolean;
}

export type StatementLookup = { ok: true; statement: EditorStatement } | { ok: false; message: string };

export function statementInEditor(editor: vscode.TextEditor): StatementLookup {
  const { document, selection } = editor;
  if (!selection.isEmpty) {
    const text = document.getText(selection);
    if (text.trim().length === 0)
      return { ok: false, message: 'The selection is empty: select a SQL statement, or put the cursor in one.' };
    return {
      ok: true,
      statement: {
        document,
        text,
        offset: document.offsetAt(selection.start),
        range: new vscode.Range(selection.start, selection.end),
        fromSelection: true,
      },
    };
  }
  if (document.languageId !== 'sql') {
    return { ok: false, message: `Select the SQL to explain: in a ${document.languageId} file Plan Lens explains the selection only.` };
  }
  const full = document.getText();
  const found = statementAtOffset(full, document.offsetAt(selection.active));
  if (!found) return { ok: false, message: 'Put the cursor in a SQL statement (or select one) to explain it.' };
  return {
    ok: true,
    statement: {
      document,
      text: found.text,
      offset: found.start,
      range: new vscode.Range(document.positionAt(found.start), document.positionAt(found.end)),
      fromSelection: false,
    },
  };
}
