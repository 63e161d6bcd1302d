/**
 * Explain for a statement captured by the recorder or read from pg_stat_statements: the editor's explain-and-advise
 * path with the captured parameter values, so even a `$1` statement gets a real EXPLAIN ANALYZE plan. The statement
 * opens in an untitled SQL editor first, where findings are shown and index DDL can be inserted.
 */
import * as vscode from 'vscode';
import { ensureSqlParser, whyNotExplainable } from '../core/sql';
import { prepareStatement } from '../explain';
import { explainInEditor, type ExplainDependencies } from './explain-command';

export interface RecordedExplainRequest {
  sql: string;
  /** The captured values; undefined asks for a generic plan (pg_stat_statements' `$n`). */
  params?: readonly (string | null)[];
}

export type ExplainRecorded = (request: RecordedExplainRequest) => Promise<void>;

export function recordedExplain(deps: ExplainDependencies): ExplainRecorded {
  return async ({ sql, params }) => {
    await ensureSqlParser();
    const outcome = prepareStatement(sql);
    if (!outcome.ok) {
      void vscode.window.showErrorMessage(`Plan Lens: ${outcome.error.message}`);
      return;
    }
    const prepared = outcome.statement;
    if (!prepared.info.explainable) {
      void vscode.window.showErrorMessage(`Plan Lens: ${whyNotExplainable(prepared.info)}.`);
      return;
    }
    const database = await deps.connections.acquireIfChosen();
    if (!database) return;
    const document = await vscode.workspace.openTextDocument({ language: 'sql', content: `${sql}\n` });
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.One });
    const start = prepared.start;
    const range = new vscode.Range(document.positionAt(start), document.positionAt(start + prepared.written.length));
    const generic = params === undefined && prepared.slots.length > 0;
    await explainInEditor(deps, {
      statement: { document, text: prepared.written, offset: start, range, fromSelection: false },
      errorBase: 0,
      prepared,
      database,
      analyze: !generic,
      params: generic ? undefined : params,
      generic,
      // A captured write is planned only: running it again, even rolled back, is the user's call in the editor.
      confirmSideEffects: async (effects) => (effects.kind === 'none' ? 'run' : 'estimate'),
    });
  };
}
