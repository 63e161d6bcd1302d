/**
 * The two CLI commands. Each one turns its input into an analysed plan through the same core
 * and database layer the extension uses, and maps every failure to a sentence and an exit code.
 */
import { readFileSync } from 'node:fs';
import { analyzeExplainOutput, withSuggestions } from '../core/analyze';
import { PlanParseError } from '../core/plan';
import { buildPlanReport } from '../core/plan-report';
import { checkSingleStatement, classifyStatement, ensureSqlParser, lineColumnAt, mapServerErrorPosition, SqlSyntaxError } from '../core/sql';
import { resolveConnection } from '../db/connection-config';
import { createPool, DEFAULT_POOL_SETTINGS } from '../db/pool';
import { DEFAULT_EXPLAIN_TIMEOUT_MS, ExplainCancelledError, ExplainStatementError, ExplainTimeoutError, runExplain } from '../db/explain-runner';
import { describeConnectionError } from '../db/connection-errors';
import { adviseIndexes } from '../db/advise-indexes';
import { chooseStyle, renderAdviceText, renderPlanText, terminalWidth, type ColorChoice } from './plan-text';

export const EXIT = { ok: 0, statementFailed: 1, usage: 2 } as const;

export class UsageError extends Error {}

export interface ExplainCommandOptions {
  file?: string;
  sql?: string;
  db?: string;
  demo: boolean;
  estimate: boolean;
  json: boolean;
  timeout?: string;
  /** Look for indexes that would help (default true). */
  indexes: boolean;
  color: ColorChoice;
}

interface SqlInput {
  text: string;
  /** How messages name the input: the file path, or "<stdin>" / "<--sql>". */
  name: string;
}

function readInput(file: string | undefined, inline: string | undefined, what: string): SqlInput {
  if (file !== undefined && inline !== undefined) throw new UsageError(`give either a FILE or --sql, not both`);
  if (inline !== undefined) return { text: inline, name: '<--sql>' };
  if (file === undefined && process.stdin.isTTY) {
    throw new UsageError(`no ${what} given: pass a FILE, - for standard input${what === 'SQL' ? ', or --sql TEXT' : ''}`);
  }
  const path = file === undefined || file === '-' ? 0 : file;
  try {
    return { text: readFileSync(path, 'utf8'), name: path === 0 ? '<stdin>' : file! };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_EXPLAIN_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`--timeout takes a positive whole number of milliseconds, got "${value}"`);
  return ms;
}

/** The offending line of the input with a caret under the column, as compilers print it. */
function pointAt(text: string, line: number, column: number): string {
  const source = text.split(/\r?\n/)[line - 1] ?? '';
  return `  ${source}\n  ${' '.repeat(Math.max(0, column - 1))}^`;
}

function fail(message: string, code: number): number {
  process.stderr.write(`plan-lens: ${message}\n`);
  return code;
}

export async function runExplainCommand(options: ExplainCommandOptions): Promise<number> {
  const input = readInput(options.file, options.sql, 'SQL');
  const timeoutMs = parseTimeout(options.timeout);
  if (options.demo && options.db) throw new UsageError('give either --db or --demo, not both');

  await ensureSqlParser();
  const checked = checkSingleStatement(input.text);
  if (!checked.ok) {
    const error = checked.error;
    if (error instanceof SqlSyntaxError) {
      return fail(`${input.name}:${error.line}:${error.column}: ${error.message}\n${pointAt(input.text, error.line, error.column)}`, EXIT.statementFailed);
    }
    return fail(`${input.name}: ${error.message}`, EXIT.usage);
  }
  const statement = checked.statement;
  const info = classifyStatement(statement.text);
  if (!info.explainable) {
    return fail(`${input.name}: EXPLAIN cannot run ${info.commandTag}: only SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, EXECUTE and CREATE TABLE AS can be explained`, EXIT.usage);
  }
  if (info.parameters.length > 0 && !options.estimate) {
    return fail(
      `${input.name}: the statement uses parameters (${info.parameters.map((n) => `$${n}`).join(', ')}); EXPLAIN ANALYZE needs values: replace them with literals`,
      EXIT.usage,
    );
  }

  let connection;
  try {
    connection = options.demo ? undefined : resolveConnection({ url: options.db });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let demo: { connectionString: string; stop(): Promise<void> } | undefined;
  if (!connection) {
    const { startDemoDatabase } = await import('../db/demo-database');
    demo = await startDemoDatabase({ log: (message: string) => process.stderr.write(`plan-lens: ${message}\n`) });
    connection = resolveConnection({ url: demo.connectionString });
  }
  const target = connection!.describe();
  const pool = createPool(connection!, { ...DEFAULT_POOL_SETTINGS, max: 1 });

  const abort = new AbortController();
  const onInterrupt = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('plan-lens: cancelling the statement on the server (press Ctrl+C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    const run = await runExplain(pool, statement.text, { analyze: !options.estimate, timeoutMs, signal: abort.signal });
    const analysis = analyzeExplainOutput(run.explainJson);
    const suggestions = options.indexes ? await adviseIndexes(pool, statement.text, analysis.plan, { timeoutMs }) : [];
    const advice = withSuggestions(analysis.advice, suggestions);
    if (options.json) {
      const report = buildPlanReport(analysis.raw, analysis.plan, { server: run.serverVersion, statement: statement.text, advice });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const style = chooseStyle(options.color, process.stdout.isTTY === true, process.env);
      const width = terminalWidth(process.stdout.columns);
      process.stdout.write(
        `${run.serverVersion} at ${target}\n\n${renderPlanText(analysis.plan, style, width, advice)}\n\n${renderAdviceText(analysis.plan, advice, style, width)}\n`,
      );
      if (info.kind === 'data-modifying' && !options.estimate) {
        process.stdout.write('\nThe statement ran inside a transaction that was rolled back: no data changed.\n');
      }
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ExplainCancelledError) {
      return fail(
        error.stoppedOnServer
          ? 'cancelled: the statement was stopped on the server'
          : 'cancelled: the embedded database cannot interrupt a running statement; it finishes and is rolled back',
        EXIT.statementFailed,
      );
    }
    if (error instanceof ExplainTimeoutError) return fail(error.message, EXIT.statementFailed);
    if (error instanceof ExplainStatementError) {
      const inStatement = error.position === undefined ? undefined : mapServerErrorPosition(statement.text, error.position, error.prefixLength);
      if (inStatement) {
        const { line, column } = lineColumnAt(input.text, statement.start + inStatement.offset);
        return fail(`${input.name}:${line + 1}:${column + 1}: ${error.message}\n${pointAt(input.text, line + 1, column + 1)}`, EXIT.statementFailed);
      }
      return fail(`${input.name}: ${error.message}`, EXIT.statementFailed);
    }
    if (error instanceof PlanParseError) return fail(`the server returned a plan Plan Lens cannot read: ${error.message}`, EXIT.statementFailed);
    return fail(describeConnectionError(error, target), EXIT.usage);
  } finally {
    process.off('SIGINT', onInterrupt);
    await pool.end().catch(() => undefined);
    await demo?.stop();
  }
}

export interface AnalyzeCommandOptions {
  file?: string;
  json: boolean;
  color: ColorChoice;
}

export async function runAnalyzeCommand(options: AnalyzeCommandOptions): Promise<number> {
  const input = readInput(options.file, undefined, 'plan');
  const style = chooseStyle(options.color, process.stdout.isTTY === true, process.env);
  const width = terminalWidth(process.stdout.columns);
  let analysis;
  try {
    analysis = analyzeExplainOutput(input.text);
  } catch (error) {
    if (!(error instanceof PlanParseError)) throw error;
    // A damaged text plan: show what could be read before the damage, then say where it broke.
    if (error.partial && !options.json) {
      const partial = analyzeExplainOutput(error.partial);
      process.stdout.write(`${renderPlanText(partial.plan, style, width)}\n\n`);
      return fail(`${input.name}: the plan above stops at the damage: ${error.message}`, EXIT.usage);
    }
    return fail(`${input.name}: ${error.message}`, EXIT.usage);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(buildPlanReport(analysis.raw, analysis.plan, { advice: analysis.advice }), null, 2)}\n`);
  } else {
    process.stdout.write(`${renderPlanText(analysis.plan, style, width, analysis.advice)}\n\n${renderAdviceText(analysis.plan, analysis.advice, style, width)}\n`);
  }
  return EXIT.ok;
}
