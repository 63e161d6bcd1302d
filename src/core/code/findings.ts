/**
 * What the application-code rules produce: findings with stable codes, ranges and quick fixes as
 * minimal text edits. Positions are 0-based (line, UTF-16 column), as tree-sitter and VS Code count;
 * the CLI adds 1 when it prints them.
 */
import type { Node } from './syntax';

export type CodeSeverity = 'error' | 'warning' | 'info';

export const SEVERITY_RANK: Record<CodeSeverity, number> = { info: 0, warning: 1, error: 2 };

export interface CodePosition {
  line: number;
  column: number;
}

export interface CodeRange {
  start: CodePosition;
  end: CodePosition;
}

export interface CodeEdit {
  range: CodeRange;
  newText: string;
}

export interface CodeFix {
  title: string;
  edits: CodeEdit[];
}

export interface CodeFinding {
  code: string;
  severity: CodeSeverity;
  message: string;
  range: CodeRange;
  fixes: CodeFix[];
  /** For N+1 findings: the lookup the code runs once per row, to recognise it among recorded statements. */
  perRowLookup?: PerRowLookup;
}

/** `SELECT … FROM table WHERE column = $1`, run once per row of a loop. */
export interface PerRowLookup {
  table: string;
  column: string;
}

export function rangeOf(node: Node): CodeRange {
  return {
    start: { line: node.startPosition.row, column: node.startPosition.column },
    end: { line: node.endPosition.row, column: node.endPosition.column },
  };
}

export function pointRange(position: CodePosition): CodeRange {
  return { start: position, end: position };
}

export function insertAt(position: CodePosition, newText: string): CodeEdit {
  return { range: pointRange(position), newText };
}

export function endOf(node: Node): CodePosition {
  return { line: node.endPosition.row, column: node.endPosition.column };
}
