/** Errors about SQL text given to Plan Lens, phrased for the person who wrote it. */
import type { SqlStatement } from './statements';

export type SqlInputProblem = 'empty' | 'several-statements' | 'syntax-error';

export class SqlInputError extends Error {
  constructor(
    message: string,
    readonly problem: SqlInputProblem,
    /** The statements found in the input (none when it is empty). */
    readonly statements: readonly SqlStatement[],
  ) {
    super(message);
    this.name = 'SqlInputError';
  }
}

export class SqlSyntaxError extends SqlInputError {
  constructor(
    /** PostgreSQL's message, e.g. `syntax error at or near "fro"`. */
    readonly postgresMessage: string,
    /** 1-based line of the offending token in the given text. */
    readonly line: number,
    /** 1-based column (in UTF-16 code units) of the offending token. */
    readonly column: number,
    /** 0-based UTF-16 index of the offending token in the given text. */
    readonly offset: number,
    statements: readonly SqlStatement[],
  ) {
    super(`${postgresMessage} (line ${line}, column ${column})`, 'syntax-error', statements);
    this.name = 'SqlSyntaxError';
  }
}
