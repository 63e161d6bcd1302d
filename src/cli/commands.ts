/**
 * The two CLI commands. Each one turns its input into an analysed plan through the same core
 * and database layer the extension uses, and maps every failure to a sentence and an exit code.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { jsonTextPieces } from '../core/json-text';
import { analyzeExplainOutput } from '../core/analyze';
import { findPlans, PlanParseError, slowestPlan } from '../core/plan';
import { buildPlanReport, planIndexReport } from '../core/plan-report';
import { ensureSqlParser, lineColumnAt, SqlSyntaxError, whyNotExplainable } from '../core/sql';
import { describeSideEffects } from '../core/sql/side-effects';
import { resolveConnection } from '../db/connection-config';
import { createPool, DEFAULT_POOL_SETTINGS } from '../db/pool';
import { DEFAULT_EXPLAIN_TIMEOUT_MS } from '../db/explain-runner';
import { checkParameters, describeExplainFailure, explainAndAdvise, parameterValue, prepareStatement } from '../explain';
import {
  chooseStyle,
  renderAdviceText,
  renderPlanIndex,
  renderPlanText,
  terminalWidth,
  visibleControls,
  type ColorChoice,
} from './plan-text';

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
  /** Run a statement even when it does something a rollback cannot undo (a sequence drawn, a slot created...). */
  allowSideEffects?: boolean;
  color: ColorChoice;
}

interface SqlInput {
  text: string;
  /** How messages name the input: the file path, or "<stdin>" / "<--sql>". */
  name: string;
}

/** Larger plans exist only as damaged or hostile files: PostgreSQL's EXPLAIN of the largest real plans stays far below. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

function readInput(file: string | undefined, inline: string | undefined, what: string): SqlInput {
  if (file !== undefined && inline !== undefined) throw new UsageError(`give either a FILE or --sql, not both`);
  if (inline !== undefined) return { text: inline, name: '<--sql>' };
  if (file === undefined && process.stdin.isTTY) {
    throw new UsageError(`no ${what} given: pass a FILE, - for standard input${what === 'SQL' ? ', or --sql TEXT' : ''}`);
  }
  const fromStdin = file === undefined || file === '-';
  const name = fromStdin ? '<stdin>' : file;
  let bytes: Buffer;
  try {
    bytes = readBounded(fromStdin ? 0 : file, name);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
  // A NUL byte never occurs in SQL or in EXPLAIN output, and is how grep and git tell binary files too.
  if (bytes.includes(0))
    throw new UsageError(
      `${name} is not a text file: give ${what === 'SQL' ? 'a SQL file' : 'the EXPLAIN (FORMAT JSON) output, as a file or on standard input'}`,
    );
  return { text: bytes.toString('utf8'), name };
}

/** Reads a file or standard input whole, but never more than MAX_INPUT_BYTES. */
function readBounded(path: string | 0, name: string): Buffer {
  const fd = path === 0 ? 0 : openSync(path, 'r');
  const chunks: Buffer[] = [];
  let total = 0;
  const tooLarge = () =>
    new UsageError(`${name} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB, the most Plan Lens reads: give a single plan or statement`);
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > MAX_INPUT_BYTES) throw tooLarge();
    for (;;) {
      const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        // A non-blocking standard input has nothing yet: wait for it as a blocking read would.
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        if ((error as NodeJS.ErrnoException).code === 'EOF') break;
        throw error;
      }
      if (read === 0) break;
      total += read;
      if (total > MAX_INPUT_BYTES) throw tooLarge();
      chunks.push(chunk.subarray(0, read));
    }
  } finally {
    if (fd !== 0) closeSync(fd);
  }
  return Buffer.concat(chunks, total);
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_EXPLAIN_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`--timeout takes a positive whole number of milliseconds, got "${value}"`);
  return ms;
}

/** Characters shown on each side of an error's column when its line is too long to print whole. */
const EXCERPT_RADIUS = 60;

/** The offending line of the input with a caret under the column, as compilers print it; a long line shows only around the column. */
function pointAt(text: string, line: number, column: number): string {
  const source = lineOf(text, line);
  const from = Math.max(0, column - 1 - EXCERPT_RADIUS);
  const to = Math.min(source.length, column - 1 + EXCERPT_RADIUS);
  const lead = from > 0 ? '…' : '';
  const excerpt = `${lead}${source.slice(from, to)}${to < source.length ? '…' : ''}`;
  return `  ${excerpt}\n  ${' '.repeat(Math.max(0, column - 1 - from + lead.length))}^`;
}

/** Line `line` (1-based) without splitting the whole text, which may be one 200 MB line. */
function lineOf(text: string, line: number): string {
  let start = 0;
  for (let i = 1; i < line && start !== -1; i++) {
    const next = text.indexOf('\n', start);
    start = next === -1 ? -1 : next + 1;
  }
  if (start === -1) return '';
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
}

const SIDE_EFFECTS_WAY_OUT =
  'Pass --allow-side-effects to run it anyway (inside a rolled-back transaction), or --estimate to plan it without running it.';

/** The longest line a message prints: an input quoted in an error must not flood the terminal. */
const MAX_MESSAGE_LINE = 300;

function fail(message: string, code: number): number {
  process.stderr.write(`plan-lens: ${printable(message)}\n`);
  return code;
}

/**
 * A message as the terminal should show it: control characters of the input (escape sequences
 * that could rewrite the screen, bidi overrides) made visible, and every line cut to a readable length.
 */
function printable(message: string): string {
  return visibleControls(message)
    .split('\n')
    .map((line) => (line.length > MAX_MESSAGE_LINE ? `${line.slice(0, MAX_MESSAGE_LINE - 1)}…` : line))
    .join('\n');
}

/** Writes the report piece by piece: a report of a huge or deep plan is longer than one string may be. */
function writeJson(report: unknown): void {
  for (const piece of jsonTextPieces(report)) process.stdout.write(piece);
  process.stdout.write('\n');
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
      return fail(
        `${input.name}:${error.line}:${error.column}: ${error.postgresMessage}\n${pointAt(input.text, error.line, error.column)}`,
        EXIT.statementFailed,
      );
    }
    return fail(`${input.name}: ${error.message}`, EXIT.usage);
  }
  const statement = prepared.statement;
  const info = statement.info;
  if (!info.explainable) return fail(`${input.name}: ${whyNotExplainable(info)}`, EXIT.usage);
  const params = options.params.map(parameterValue);
  try {
    checkParameters(statement, params, options.generic);
  } catch (error) {
    const how =
      statement.slots.length === 0
        ? 'drop --param'
        : `give --param VALUE once for each, in order (NULL for null), or --generic for a plan without values (estimates only)`;
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
  let refused: string | undefined;
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
        // Data-changing statements run: the transaction is always rolled back. What a rollback cannot undo is refused
        // unless --allow-side-effects says otherwise.
        confirmSideEffects: async (effects) => {
          if (effects.kind !== 'escapes-rollback' || options.allowSideEffects) return 'run';
          refused = describeSideEffects(effects.effects);
          return 'cancel';
        },
        signal: abort.signal,
      },
    );
    const indexAdvice = await result.advice;
    if (indexAdvice instanceof Error) throw indexAdvice;
    const { run, analysis } = result;
    const advice = indexAdvice.advice;
    if (options.json) {
      writeJson(buildPlanReport(analysis.raw, analysis.plan, { server: run.serverVersion, statement: statement.written, advice }));
    } else {
      const style = chooseStyle(options.color, process.stdout.isTTY === true, process.env);
      const width = terminalWidth(process.stdout.columns);
      const generic = result.generic ? ' (generic plan: the placeholders were planned without values)' : '';
      process.stdout.write(
        `${run.serverVersion} at ${target}${generic}\n\n${renderPlanText(analysis.plan, style, width, advice)}\n\n${renderAdviceText(analysis.plan, advice, style, width)}\n`,
      );
      if (result.sideEffects.kind === 'escapes-rollback') {
        const undone = describeSideEffects(result.sideEffects.effects);
        process.stdout.write(
          `\nThe statement ran inside a transaction that was rolled back, but not everything it did was undone: ${undone}\n`,
        );
      } else if (info.kind === 'data-modifying' && result.analyzed) {
        process.stdout.write('\nThe statement ran inside a transaction that was rolled back: no data changed.\n');
      }
    }
    return EXIT.ok;
  } catch (error) {
    const failure = describeExplainFailure(error, statement, target);
    if (failure.kind === 'declined' && refused !== undefined)
      return fail(`${input.name}: nothing was run. ${refused} ${SIDE_EFFECTS_WAY_OUT}`, EXIT.usage);
    switch (failure.kind) {
      case 'statement':
        if (failure.inputIndex !== undefined) {
          const { line, column } = lineColumnAt(input.text, failure.inputIndex);
          return fail(
            `${input.name}:${line + 1}:${column + 1}: ${failure.serverMessage}\n${pointAt(input.text, line + 1, column + 1)}`,
            EXIT.statementFailed,
          );
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
  color: ColorChoice;
  /** Which plan of an input holding several (1-based); the slowest when absent. */
  plan?: string;
}

export async function runAnalyzeCommand(options: AnalyzeCommandOptions): Promise<number> {
  const input = readInput(options.file, undefined, 'plan');
  const style = chooseStyle(options.color, process.stdout.isTTY === true, process.env);
  const width = terminalWidth(process.stdout.columns);
  const plans = findPlans(input.text);
  const slowest = slowestPlan(plans);
  const chosen = options.plan === undefined ? (slowest ?? 0) : choosePlan(options.plan, plans.length, input.name);
  const found = plans[chosen];
  const several = plans.length > 1;
  const name = several ? `${input.name}, plan ${chosen + 1} (line ${found.startLine})` : input.name;
  const index = several && !options.json ? `${renderPlanIndex(plans, chosen, slowest, input.name, style, width)}\n\n` : '';
  let analysis;
  try {
    // A plan read whole, or what could be read of a damaged one (text plans); the analysis may still refuse its numbers.
    analysis = found.raw && (!found.error || !options.json) ? analyzeExplainOutput(found.raw) : undefined;
  } catch (error) {
    if (!(error instanceof PlanParseError)) throw error;
    process.stdout.write(index);
    return fail(`${name}: ${error.message}`, EXIT.usage);
  }
  if (found.error || !analysis) {
    const error = found.error!;
    // A damaged text plan: show what could be read before the damage, then say where it broke.
    if (analysis) {
      process.stdout.write(`${index}${renderPlanText(analysis.plan, style, width)}\n\n`);
      return fail(`${name}: the plan above stops at the damage: ${error.message}`, EXIT.usage);
    }
    process.stdout.write(index);
    return fail(`${name}: ${error.message}`, EXIT.usage);
  }
  if (options.json) {
    const report = buildPlanReport(analysis.raw, analysis.plan, { advice: analysis.advice });
    if (several) report.plans = planIndexReport(plans, chosen);
    writeJson(report);
  } else {
    process.stdout.write(
      `${index}${renderPlanText(analysis.plan, style, width, analysis.advice)}\n\n${renderAdviceText(analysis.plan, analysis.advice, style, width)}\n`,
    );
  }
  return EXIT.ok;
}

/** The 0-based position `--plan N` names, or a UsageError naming the valid range. */
function choosePlan(value: string, count: number, name: string): number {
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= count) return n - 1;
  const range =
    count === 1 ? `${name} holds one plan, so --plan takes only 1` : `${name} holds ${count} plans, so --plan takes 1 to ${count}`;
  throw new UsageError(`--plan ${value} is out of range: ${range}`);
}
