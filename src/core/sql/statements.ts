/**
 * Splitting a SQL document into statements, and finding the statement under the cursor.
 *
 * When the whole document parses, PostgreSQL's parser decides where statements begin and end
 * (it alone knows that the `;` inside `CREATE FUNCTION ... BEGIN ATOMIC ... END` do not end the
 * statement). A document being edited usually has a half-written statement somewhere; then the
 * split falls back to the top-level `;` tokens of PostgreSQL's lexer, which already keeps strings,
 * comments, dollar quotes and quoted identifiers whole, and tracks `BEGIN ATOMIC ... END` the way
 * psql does, so every complete statement can still be explained.
 */
import type { RawStmt } from 'libpg-query';
import { parseSql, Utf8IndexMap } from './sql-parser';
import { containsLineBreak, LineIndex } from './text-positions';
import { INVALID_TOKEN, isComment, isKeyword, tokenizeSql, type SqlToken } from './tokens';

export interface SqlStatement {
  /** The statement as written, from its first token to its last, without the terminating `;`. */
  text: string;
  /** UTF-16 index into the document of the statement's first character. */
  start: number;
  /** UTF-16 index just past the statement's last character (before any `;`). */
  end: number;
  /** 0-based line and column of `start`. */
  startLine: number;
  startColumn: number;
  /** 0-based line and column of `end`. */
  endLine: number;
  endColumn: number;
}

/** The statements of a document, with what the parser said about it. */
export interface DocumentStatements {
  statements: SqlStatement[];
  /** For each statement, the UTF-16 index just past its `;`, or its `end` when it has none. */
  terminatorEnds: number[];
  /** What PostgreSQL's parser made of the whole document. */
  parse: DocumentParse;
}

export type DocumentParse =
  | { ok: true; statements: RawStmt[] }
  /** PostgreSQL's first complaint, at a UTF-16 `offset` into the document. */
  | { ok: false; message: string; offset: number };

interface StatementSpan {
  start: number;
  end: number;
  terminatorEnd: number;
}

export function splitStatements(text: string): SqlStatement[] {
  return readStatements(text).statements;
}

export function readStatements(text: string): DocumentStatements {
  const outcome = parseSql(text);
  const spans = outcome.ok ? spansFromParse(text, outcome.statements) : spansFromTokens(text);
  const lines = new LineIndex(text);
  return {
    statements: spans.map((span) => toStatement(text, span, lines)),
    terminatorEnds: spans.map((span) => span.terminatorEnd),
    parse: outcome.ok ? outcome : { ok: false, message: outcome.message, offset: outcome.index },
  };
}

/**
 * The statement under the cursor. A cursor after a statement's last token, on the same line as
 * its `;` (in trailing blanks or a trailing comment), still belongs to it; a cursor on a line with
 * no statement before it on that line belongs to none.
 */
export function statementAtOffset(text: string, offset: number): SqlStatement | undefined {
  const { statements, terminatorEnds } = readStatements(text);
  const cursor = Math.min(Math.max(offset, 0), text.length);
  let preceding = -1;
  for (let index = 0; index < statements.length; index++) {
    const statement = statements[index];
    if (cursor >= statement.start && cursor <= statement.end) return statement;
    if (statement.end <= cursor) preceding = index;
  }
  if (preceding < 0) return undefined;
  const afterTerminator = terminatorEnds[preceding];
  if (cursor <= afterTerminator || !containsLineBreak(text.slice(afterTerminator, cursor))) {
    return statements[preceding];
  }
  return undefined;
}

function spansFromParse(text: string, parsed: RawStmt[]): StatementSpan[] {
  // The lexer accepts every text the parser accepts, so this never reports an unlexable tail.
  const { tokens } = tokenizeSql(text);
  const bytes = new Utf8IndexMap(text);
  const spans: StatementSpan[] = [];
  let next = 0;
  for (const raw of parsed) {
    const location = raw.stmt_location ?? 0;
    const from = bytes.indexAtByte(location);
    // stmt_len runs up to the `;` and so includes blanks and comments before it.
    const to = raw.stmt_len === undefined ? text.length : bytes.indexAtByte(location + raw.stmt_len);
    while (next < tokens.length && tokens[next].start < from) next++;
    const inside: SqlToken[] = [];
    for (; next < tokens.length && tokens[next].end <= to; next++) {
      if (!isComment(tokens[next])) inside.push(tokens[next]);
    }
    if (inside.length === 0) continue;
    const end = inside[inside.length - 1].end;
    const terminator = tokens[next];
    spans.push({ start: inside[0].start, end, terminatorEnd: terminator?.text === ';' ? terminator.end : end });
  }
  return spans;
}

function spansFromTokens(text: string): StatementSpan[] {
  const { tokens, unlexable } = tokenizeSql(text);
  const spans: StatementSpan[] = [];
  let current: SqlToken[] = [];
  const close = (terminatorEnd?: number): void => {
    // A `BEGIN ATOMIC` body left open at the end of the text has swallowed its own `;`.
    while (current.length > 0 && current[current.length - 1].text === ';') {
      const semicolon = current.pop()!;
      terminatorEnd ??= semicolon.end;
    }
    if (current.length > 0) {
      const end = current[current.length - 1].end;
      spans.push({ start: current[0].start, end, terminatorEnd: terminatorEnd ?? end });
    }
    current = [];
  };
  let atomicDepth = 0;
  for (const token of tokens) {
    if (isComment(token)) continue;
    if (token.text === ';' && atomicDepth === 0) {
      close(token.end);
      continue;
    }
    const previous = current.at(-1);
    if (atomicDepth === 0) {
      if (isKeyword(token, 'atomic') && previous && isKeyword(previous, 'begin')) atomicDepth = 1;
    } else if (isKeyword(token, 'case')) {
      atomicDepth++;
    } else if (isKeyword(token, 'end')) {
      atomicDepth--;
    }
    current.push(token);
  }
  if (unlexable) {
    current.push({ ...unlexable, text: text.slice(unlexable.start, unlexable.end), tokenName: INVALID_TOKEN, keywordName: 'NO_KEYWORD' });
  }
  close();
  return spans;
}

function toStatement(text: string, span: StatementSpan, lines: LineIndex): SqlStatement {
  const start = lines.lineColumnAt(span.start);
  const end = lines.lineColumnAt(span.end);
  return {
    text: text.slice(span.start, span.end),
    start: span.start,
    end: span.end,
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
}
