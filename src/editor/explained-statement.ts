/**
 * One explained statement in the editor: where it is written, where it ran, and the result of the explain-and-advise
 * path, whose request explains it again the same way after "Create index now".
 */
import type * as vscode from 'vscode';
import type { ExplainResult } from '../explain';
import type { ActiveDatabase } from './connection-manager';

export interface ExplainedStatement {
  document: vscode.TextDocument;
  /** The statement's range in the document when it was explained. */
  range: vscode.Range;
  /** The document version the range belongs to; a later edit makes the range stale. */
  version: number;
  database: ActiveDatabase;
  result: ExplainResult;
}
