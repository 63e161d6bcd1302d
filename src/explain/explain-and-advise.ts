/**
 * THE explain-and-advise path. Every entry point (the editor command, the re-explain after Create index, the CLI,
 * and later the query recorder with a captured statement's bound values) calls `explainAndAdvise` and keeps only its
 * own prompts, progress and printing:
 *
 *   prepared statement -> parameters -> side-effect check -> run (db) -> analyse (core) -> findings
 *                      -> index suggestions -> verification (in the background: `result.advice`)
 */
import type { PlanAdvice } from '../core/advice/advice-model';
import { analyzeExplainOutput, withSuggestions, type PlanAnalysis } from '../core/analyze';
import type { SideEffect } from '../core/sql/side-effects';
import { adviseIndexes } from '../db/advise-indexes';
import { statementSideEffects } from '../db/sequence-defaults';
import { runExplain, type ExplainRun } from '../db/explain-runner';
import type { PlanLensPool } from '../db/pool';
import type { PlanMeta } from '../protocol';
import { prepareStatement, type PrepareOptions, type PreparedStatement } from './statement';

/** Where the statement runs. */
export interface ExplainDatabase {
  pool: PlanLensPool;
  /** For titles: the connection's name, "Demo database". */
  name: string;
}

export interface ExplainRequest {
  statement: PreparedStatement;
  /** EXPLAIN ANALYZE (the statement runs, in a transaction rolled back afterwards) or estimates only. */
  analyze: boolean;
  /** Values for `$1`, `$2`, … as text, null for SQL NULL; one per slot. */
  params?: ReadonlyArray<string | null>;
  /** Plan the placeholders without values: a generic plan, estimates only. */
  generic?: boolean;
  verbose?: boolean;
  settings?: boolean;
  wal?: boolean;
  timeoutMs?: number;
  executionTargetMs?: number;
  /** Index suggestions verified on the server; none when absent. */
  indexes?: { concurrently: boolean };
  /**
   * Asked before a statement whose running could change something is run with ANALYZE: 'run' goes ahead, 'estimate'
   * explains without running it, 'cancel' gives up (ExplainDeclinedError). Without it, such statements run.
   */
  confirmSideEffects?: (effects: SideEffects) => Promise<'run' | 'estimate' | 'cancel'>;
  signal?: AbortSignal;
}

/** What running the statement could do beyond reading. */
export type SideEffects =
  | { kind: 'none' }
  /** It changes data; the rolled-back transaction undoes that (triggers still fire inside it). */
  | { kind: 'changes-data'; commandTag: string }
  /** It does something the rollback cannot undo (a sequence moves, a slot persists, a remote write commits, ...). */
  | { kind: 'escapes-rollback'; commandTag: string; effects: SideEffect[] };

/**
 * The side-effect check: decides whether running the statement needs the user's consent (the editor asks) or an
 * explicit permission (the CLI). Effects a rollback cannot undo are read from the statement's function calls and
 * from the catalog (inserts into tables whose defaults draw from a sequence).
 */
export async function sideEffectsOf(pool: PlanLensPool, statement: PreparedStatement): Promise<SideEffects> {
  const escaping = await statementSideEffects(pool, statement.sql);
  if (escaping.length > 0) return { kind: 'escapes-rollback', commandTag: statement.info.commandTag, effects: escaping };
  return statement.info.kind === 'data-modifying' ? { kind: 'changes-data', commandTag: statement.info.commandTag } : { kind: 'none' };
}

export interface IndexAdvice {
  advice: PlanAdvice;
  suggested: number;
  verified: number;
  durationMs: number;
}

export interface ExplainResult {
  request: ExplainRequest;
  /** Whether the statement was run (ANALYZE), after the side-effect check and the parameters had their say. */
  analyzed: boolean;
  generic: boolean;
  startedAt: Date;
  run: ExplainRun;
  analysis: PlanAnalysis;
  /** The findings joined by the verified index suggestions; settles with an Error instead of rejecting. */
  advice: Promise<IndexAdvice | Error>;
  /** What running it did beyond reading (none when it was only planned). */
  sideEffects: SideEffects;
}

/** The statement has placeholders and neither values nor a request for a generic plan. */
export class MissingParametersError extends Error {
  override readonly name = 'MissingParametersError';
  constructor(readonly slots: readonly string[]) {
    super(`the statement has ${plural(slots.length, 'placeholder')} (${slots.join(', ')}) and no values`);
  }
}

export class ParameterCountError extends Error {
  override readonly name = 'ParameterCountError';
  constructor(
    readonly slots: readonly string[],
    readonly given: number,
  ) {
    super(
      `the statement has ${plural(slots.length, 'placeholder')} (${slots.join(', ')}) but ${plural(given, 'value')} ${given === 1 ? 'was' : 'were'} given`,
    );
  }
}

/** The side-effect check was answered with 'cancel'. */
export class ExplainDeclinedError extends Error {
  override readonly name = 'ExplainDeclinedError';
  constructor() {
    super('the explain was not run');
  }
}

/**
 * The parameters step: values for every slot, or a generic plan, or nothing to give.
 * @throws MissingParametersError, ParameterCountError
 */
export function checkParameters(
  statement: PreparedStatement,
  values: ReadonlyArray<string | null> | undefined,
  generic = false,
): { params: ReadonlyArray<string | null> | undefined; generic: boolean } {
  const params = values && values.length > 0 ? values : undefined;
  if (params && params.length !== statement.slots.length) throw new ParameterCountError(statement.slots, params.length);
  const planGeneric = statement.slots.length > 0 && !params && generic;
  if (statement.slots.length > 0 && !params && !planGeneric) throw new MissingParametersError(statement.slots);
  return { params, generic: planGeneric };
}

/** A parameter value as typed at a prompt or on the command line: NULL (any case) is SQL NULL, anything else text. */
export function parameterValue(text: string): string | null {
  return text.trim().toUpperCase() === 'NULL' ? null : text;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Explains the statement and analyses its plan; index advice follows in `result.advice`.
 * @throws MissingParametersError, ParameterCountError, ExplainDeclinedError, and the runner's errors
 *   (ExplainCancelledError, ExplainTimeoutError, ExplainStatementError, DatabaseConnectionError), PlanParseError.
 */
export async function explainAndAdvise(database: ExplainDatabase, request: ExplainRequest): Promise<ExplainResult> {
  const { statement } = request;
  const { params, generic } = checkParameters(statement, request.params, request.generic);

  let analyze = request.analyze && !generic;
  const effects: SideEffects = analyze ? await sideEffectsOf(database.pool, statement) : { kind: 'none' };
  if (analyze && effects.kind !== 'none' && request.confirmSideEffects) {
    const answer = await request.confirmSideEffects(effects);
    if (answer === 'cancel') throw new ExplainDeclinedError();
    analyze = answer === 'run';
  }

  const startedAt = new Date();
  const run = await runExplain(database.pool, statement.sql, {
    analyze,
    genericPlan: generic,
    values: params,
    verbose: request.verbose,
    settings: request.settings,
    wal: request.wal,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
  });
  const analysis = analyzeExplainOutput(run.explainJson, { executionTargetMs: request.executionTargetMs });
  const advice = request.indexes
    ? suggestIndexes(database.pool, request, analysis, params, request.indexes.concurrently)
    : Promise.resolve({ advice: analysis.advice, suggested: 0, verified: 0, durationMs: 0 });
  return {
    request,
    analyzed: analysis.plan.analyzed,
    generic,
    startedAt,
    run,
    analysis,
    advice,
    sideEffects: analyze ? effects : { kind: 'none' },
  };
}

async function suggestIndexes(
  pool: PlanLensPool,
  request: ExplainRequest,
  analysis: PlanAnalysis,
  params: ReadonlyArray<string | null> | undefined,
  concurrently: boolean,
): Promise<IndexAdvice | Error> {
  const started = Date.now();
  try {
    const suggestions = await adviseIndexes(pool, request.statement.sql, analysis.plan, {
      values: params,
      timeoutMs: request.timeoutMs,
      concurrently,
    });
    return {
      advice: withSuggestions(analysis.advice, suggestions),
      suggested: suggestions.length,
      verified: suggestions.filter((s) => s.verification.method !== 'unverified').length,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The same statement explained again the same way, e.g. after an index was created. */
export function explainAgain(database: ExplainDatabase, previous: ExplainResult, signal?: AbortSignal): Promise<ExplainResult> {
  // The user already answered the side-effect check for this statement.
  return explainAndAdvise(database, { ...previous.request, analyze: previous.analyzed, confirmSideEffects: undefined, signal });
}

/**
 * A statement with the bound values it was run with, as a recorder captures it: prepared, explained with those values
 * (ANALYZE only when asked), with index advice.
 */
export async function explainCaptured(
  database: ExplainDatabase,
  captured: { sql: string; params?: ReadonlyArray<string | null> },
  options: Omit<ExplainRequest, 'statement' | 'params'> & PrepareOptions,
): Promise<ExplainResult> {
  const prepared = prepareStatement(captured.sql, options);
  if (!prepared.ok) throw prepared.error;
  return explainAndAdvise(database, { ...options, statement: prepared.statement, params: captured.params });
}

/** The panel's header for a result. */
export function planMeta(result: ExplainResult, database: ExplainDatabase): PlanMeta {
  return {
    statement: result.request.statement.written,
    server: `${result.run.serverVersion} · ${database.name}`,
    ranAt: result.startedAt.toISOString(),
    mode: result.analysis.plan.analyzed ? 'analyze' : 'estimate',
    durationMs: result.run.durationMs,
    title: `${database.name}: ${result.request.statement.info.commandTag}${result.generic ? ' (generic plan)' : ''}`,
    params: result.request.params && [...result.request.params],
  };
}
