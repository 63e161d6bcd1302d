/**
 * The two CLI commands. Each one turns its input into an analysed plan through the same core
 * and database layer the extension uses, and maps every failure to a sentence and an exit code.
 */
import { readFileSync } from 'node:fs';
import { analyzeExplainOutput } from '../core/analyze';
import { PlanParseError } from '../core/plan';
import { buildPlanReport } from '../core/plan-report';
import { ensureSqlParser, lineColumnAt, SqlSyntaxError } from '../core/sql';
import { resolveConnection } from '../db/connection-config';
import { createPool, DEFAULT_POOL_SETTINGS } from '../db/pool';
import { DEFAULT_EXPLAIN_TIMEOUT_MS } from '../db/explain-runner';
import { checkParameters, describeExplainFailure, explainAndAdvise, parameterValue, prepareStatement } from '../explain';
import { COLOR_STYLE, PLAIN_STYLE, renderAdviceText, renderPlanText } from './plan-text';

export const EXIT = { ok: 0, statementFailed: 1, usage: 2 } as const;

export class UsageError extends Error {}

export interface ExplainCommandOptions {
  file?: string;
  sql?: string;
  db?: string;
  demo: boolean;
  estimate: boolean;
  /** Values for the statement's placeholders, in order ("NULL" is SQL NULL). */
  params: string[];
  /** Plan the placeholders without values (estimates only). */
  generic: boolean;
  json: boolean;
  timeout?: string;
  /** Look for indexes that would help (default true). */
  indexes: boolean;
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
  if (options.generic && options.params.length > 0) throw new UsageError('give either --param values or --generic, not both');

  await ensureSqlParser();
  const prepared = prepareStatement(input.text);
  if (!prepared.ok) {
    const error = prepared.error;
    if (error instanceof SqlSyntaxError) {
      return fail(`${input.name}:${error.line}:${error.column}: ${error.postgresMessage}\n${pointAt(input.text, error.line, error.column)}`, EXIT.statementFailed);
    }
    return fail(`${input.name}: ${error.message}`, EXIT.usage);
  }
  const statement = prepared.statement;
  const info = statement.info;
  if (!info.explainable) {
    return fail(`${input.name}: EXPLAIN cannot run ${info.commandTag}: only SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, EXECUTE and CREATE TABLE AS can be explained`, EXIT.usage);
  }
  const params = options.params.map(parameterValue);
  try {
    checkParameters(statement, params, options.generic);
  } catch (error) {
    const how = statement.slots.length === 0 ? 'drop --param' : `give --param VALUE once for each, in order (NULL for null), or --generic for a plan without values (estimates only)`;
    return fail(`${input.name}: ${(error as Error).message}: ${how}`, EXIT.usage);
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
    const result = await explainAndAdvise(
      { pool, name: target },
      {
        statement,
        analyze: !options.estimate,
        params,
        generic: options.generic,
        timeoutMs,
        indexes: options.indexes ? { concurrently: true } : undefined,
        // Data-changing statements run: the transaction is always rolled back. Side effects a rollback cannot undo are refused here.
        confirmSideEffects: async () => 'run',
        signal: abort.signal,
      },
    );
    const indexAdvice = await result.advice;
    if (indexAdvice instanceof Error) throw indexAdvice;
    const { run, analysis } = result;
    const advice = indexAdvice.advice;
    if (options.json) {
      const report = buildPlanReport(analysis.raw, analysis.plan, { server: run.serverVersion, statement: statement.written, advice });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const style = process.stdout.isTTY && !process.env.NO_COLOR ? COLOR_STYLE : PLAIN_STYLE;
      const generic = result.generic ? ' (generic plan: the placeholders were planned without values)' : '';
      process.stdout.write(`${run.serverVersion} at ${target}${generic}\n\n${renderPlanText(analysis.plan, style)}\n\n${renderAdviceText(analysis.plan, advice, style)}\n`);
      if (info.kind === 'data-modifying' && result.analyzed) {
        process.stdout.write('\nThe statement ran inside a transaction that was rolled back: no data changed.\n');
      }
    }
    return EXIT.ok;
  } catch (error) {
    const failure = describeExplainFailure(error, statement, target);
    switch (failure.kind) {
      case 'statement':
        if (failure.inputIndex !== undefined) {
          const { line, column } = lineColumnAt(input.text, failure.inputIndex);
          return fail(`${input.name}:${line + 1}:${column + 1}: ${failure.serverMessage}\n${pointAt(input.text, line + 1, column + 1)}`, EXIT.statementFailed);
        }
        return fail(`${input.name}: ${failure.serverMessage}`, EXIT.statementFailed);
      case 'connection':
      case 'parameters':
        return fail(failure.message, EXIT.usage);
      default:
        return fail(failure.message, EXIT.statementFailed);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    await pool.end().catch(() => undefined);
    await demo?.stop();
  }
}

export interface AnalyzeCommandOptions {
  file?: string;
  json: boolean;
}

export async function runAnalyzeCommand(options: AnalyzeCommandOptions): Promise<number> {
  const input = readInput(options.file, undefined, 'plan');
  let analysis;
  try {
    analysis = analyzeExplainOutput(input.text);
  } catch (error) {
    if (error instanceof PlanParseError) return fail(`${input.name}: ${error.message}`, EXIT.usage);
    throw error;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(buildPlanReport(analysis.raw, analysis.plan, { advice: analysis.advice }), null, 2)}\n`);
  } else {
    const style = process.stdout.isTTY && !process.env.NO_COLOR ? COLOR_STYLE : PLAIN_STYLE;
    process.stdout.write(`${renderPlanText(analysis.plan, style)}\n\n${renderAdviceText(analysis.plan, analysis.advice, style)}\n`);
  }
  return EXIT.ok;
}
