/**
 * A statement read once for explaining: application placeholders rewritten to `$n` before PostgreSQL's parser sees
 * the text (it rejects `:name`, `%s`, `?`), then checked, classified and its parameters counted in one parse.
 * Positions in the text sent map back to the text as written, so errors point where the user looks.
 */
import {
  findPlaceholders,
  inspectStatement,
  lineColumnAt,
  type SqlInputError,
  SqlSyntaxError,
  toDollarParameters,
  type StatementInfo,
} from '../core/sql';

export interface PreparedStatement {
  /** The statement as written, without surrounding comments and `;`. */
  written: string;
  /** What is sent: the statement with every placeholder as `$n`. */
  sql: string;
  /** Index of `written` in the input text. */
  start: number;
  info: StatementInfo;
  /** One label per `$n` the statement needs, in order (`$1`, `:id`, `? #2`); empty when it needs none. */
  slots: string[];
  /** The index in the input text of an index in `sql`. */
  inputIndex(sqlIndex: number): number;
}

export interface PrepareOptions {
  /**
   * Whether `:name`, `%(name)s`, `%s` and `?` are placeholders (SQL taken from application code). In SQL files they
   * are not: `?` is a jsonb operator and `:name` a psql variable; `$n` always is.
   */
  applicationPlaceholders?: boolean;
}

export type PrepareOutcome =
  | { ok: true; statement: PreparedStatement }
  /** Syntax errors carry their line, column and offset in the input text. */
  | { ok: false; error: SqlInputError };

export function prepareStatement(input: string, options: PrepareOptions = {}): PrepareOutcome {
  const placeholders = findPlaceholders(input).filter((p) => options.applicationPlaceholders || p.style === 'dollar');
  const rewritten = toDollarParameters(input, placeholders);
  const inspected = inspectStatement(rewritten.text);
  if (!inspected.ok) {
    const { error } = inspected;
    if (!(error instanceof SqlSyntaxError)) return inspected;
    const offset = rewritten.writtenIndex(error.offset);
    const { line, column } = lineColumnAt(input, offset);
    return { ok: false, error: new SqlSyntaxError(error.postgresMessage, line + 1, column + 1, offset, error.statements) };
  }
  const { statement, info } = inspected;
  const start = rewritten.writtenIndex(statement.start);
  return {
    ok: true,
    statement: {
      written: input.slice(start, rewritten.writtenIndex(statement.end)),
      sql: statement.text,
      start,
      info,
      slots: rewritten.slots.slice(0, info.maxParameter),
      inputIndex: (sqlIndex) => rewritten.writtenIndex(statement.start + sqlIndex),
    },
  };
}
