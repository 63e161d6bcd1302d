/**
 * Why an explain failed, in one sentence naming the cause and the fix, the same for every entry point; each adds its
 * own prefix ("Plan Lens: ", "plan-lens: ") and its own way to point at the position.
 */
import { PlanParseError } from '../core/plan';
import { mapServerErrorPosition } from '../core/sql';
import { describeConnectionError } from '../db/connection-errors';
import { ExplainCancelledError, ExplainOptionError, ExplainStatementError, ExplainTimeoutError } from '../db/explain-runner';
import { ExplainDeclinedError, MissingParametersError, ParameterCountError } from './explain-and-advise';
import type { PreparedStatement } from './statement';

/** Server error codes that mean "the password is missing or wrong". */
export const AUTH_FAILED = '28P01';

export type ExplainFailure =
  | { kind: 'declined'; message: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'timeout'; message: string; timeoutMs: number }
  | { kind: 'parameters'; message: string }
  /** PostgreSQL rejected the statement; `inputIndex` is where, in the input text, when it said. */
  | { kind: 'statement'; message: string; serverMessage: string; code?: string; inputIndex?: number }
  | { kind: 'plan'; message: string }
  /** The server could not be reached or refused the login (`code` 28P01 for a password). */
  | { kind: 'connection'; message: string; code?: string };

export function describeExplainFailure(error: unknown, statement: PreparedStatement, target: string): ExplainFailure {
  if (error instanceof ExplainDeclinedError) return { kind: 'declined', message: error.message };
  if (error instanceof ExplainCancelledError) {
    return {
      kind: 'cancelled',
      message: error.stoppedOnServer
        ? 'the explain was cancelled; the statement was stopped on the server'
        : 'the explain was cancelled; the demo database cannot interrupt a running statement: it finishes in the background and is rolled back',
    };
  }
  if (error instanceof ExplainTimeoutError) return { kind: 'timeout', message: error.message, timeoutMs: error.timeoutMs };
  if (error instanceof MissingParametersError || error instanceof ParameterCountError) {
    return {
      kind: 'parameters',
      message: `${error.message}: give one value for each, in order, or ask for a generic plan (estimates only)`,
    };
  }
  if (error instanceof ExplainOptionError) return { kind: 'parameters', message: error.message };
  if (error instanceof ExplainStatementError) {
    if (error.code === AUTH_FAILED) return { kind: 'connection', message: describeConnectionError(error, target), code: error.code };
    const at = error.position === undefined ? undefined : mapServerErrorPosition(statement.sql, error.position, error.prefixLength);
    const hint = error.hint ? ` Hint: ${error.hint}` : '';
    return {
      kind: 'statement',
      message: `PostgreSQL rejected the statement: ${error.message}.${hint}`,
      serverMessage: error.message,
      code: error.code,
      inputIndex: at === undefined ? undefined : statement.inputIndex(at.offset),
    };
  }
  if (error instanceof PlanParseError)
    return { kind: 'plan', message: `the server returned a plan Plan Lens cannot read: ${error.message}` };
  return { kind: 'connection', message: describeConnectionError(error, target), code: (error as { code?: string } | undefined)?.code };
}
