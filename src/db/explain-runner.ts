/**
 * Runs EXPLAIN so that it can never change data. Every explain gets one connection of its own:
 *
 *   BEGIN; SET LOCAL statement_timeout = N
 *   EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) <statement>      -- extended query protocol
 *   ROLLBACK                                                  -- always; on failure the connection is closed
 *
 * EXPLAIN ANALYZE executes the statement, and not only INSERT/UPDATE/DELETE write: a SELECT can
 * call a function that does, so the transaction is rolled back whatever the statement is. The
 * EXPLAIN goes over the extended protocol, where the server refuses a text holding more than one
 * statement: "SELECT 1; COMMIT; DELETE FROM t" cannot end the transaction early. The one thing a
 * rollback does not undo is PostgreSQL's own exception: values drawn from a sequence stay drawn.
 */
import { DatabaseError, type ClientBase, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
import { cancelBackendFromSeparateConnection, sendCancelRequest } from './backend-cancel';
import { DatabaseConnectionError, describeConnectionError } from './connection-errors';
import type { PlanLensPool } from './pool';

export const DEFAULT_EXPLAIN_TIMEOUT_MS = 30_000;

/** First versions with each EXPLAIN option, as server_version_num. */
const SETTINGS_SINCE = 120000;
const WAL_SINCE = 130000;
const BUFFERS_WITHOUT_ANALYZE_SINCE = 130000;
const GENERIC_PLAN_SINCE = 160000;
/** plan_cache_mode, which lets PREPARE + EXPLAIN EXECUTE stand in for GENERIC_PLAN before 16. */
const PLAN_CACHE_MODE_SINCE = 120000;
/** The prepared statement behind a generic plan before PostgreSQL 16; deallocated before the connection goes back. */
const GENERIC_STATEMENT_NAME = 'plan_lens_generic';

/** How long a cancelled statement may take to stop before the next, stronger step. */
const CANCEL_GRACE_MS = 1_000;
/** Connecting to a server that is up takes milliseconds; a cancel must not wait as long as an ordinary connect may. */
const SEPARATE_CANCEL_TIMEOUT_MS = 3_000;

export interface ExplainOptions {
  /** Execute the statement and report actual rows and times (default true); false: estimates only. */
  analyze?: boolean;
  /** Buffer usage; defaults to `analyze`. Without ANALYZE only PostgreSQL 13+ reports it (planning buffers). */
  buffers?: boolean;
  verbose?: boolean;
  /** Non-default planner settings; PostgreSQL 12+, dropped on older servers. */
  settings?: boolean;
  /** WAL records written; PostgreSQL 13+ and only with ANALYZE, dropped otherwise. */
  wal?: boolean;
  /**
   * Plan a statement with $n placeholders without values; implies estimates only. EXPLAIN (GENERIC_PLAN) on
   * PostgreSQL 16+, PREPARE and EXPLAIN EXECUTE with NULLs under plan_cache_mode = force_generic_plan before.
   */
  genericPlan?: boolean;
  /** Values for the statement's $1, $2, ... placeholders, sent as text (null is SQL NULL). */
  values?: ReadonlyArray<string | null>;
  /** statement_timeout for the explain, in ms (default 30 000; 0: none). */
  timeoutMs?: number;
  /** Aborting stops the statement on the server and rejects with ExplainCancelledError. */
  signal?: AbortSignal;
}

/** The options as sent, after the server version had its say. */
export interface ExplainOptionsUsed {
  analyze: boolean;
  buffers: boolean;
  verbose: boolean;
  settings: boolean;
  wal: boolean;
  genericPlan: boolean;
  timeoutMs: number;
}

export interface ExplainRun {
  /** What PostgreSQL returned for EXPLAIN (FORMAT JSON): an array holding one object with "Plan". */
  explainJson: unknown;
  /** "PostgreSQL 15.18"; the embedded server adds its PGlite version: "PostgreSQL 18.6 (PGlite 0.5.14)". */
  serverVersion: string;
  serverVersionNum: number;
  /** Wall time of the EXPLAIN itself, as the client saw it. */
  durationMs: number;
  options: ExplainOptionsUsed;
  backendPid: number;
}

export interface ServerVersion {
  text: string;
  num: number;
  /** PGlite: one backend in WebAssembly that ignores cancel requests and statement_timeout. */
  embedded: boolean;
}

/** The explain was cancelled through its AbortSignal. */
export class ExplainCancelledError extends Error {
  override readonly name = 'ExplainCancelledError';
  constructor(
    /** False when the server could not be made to stop and the connection was abandoned instead. */
    readonly stoppedOnServer: boolean,
  ) {
    super(
      stoppedOnServer
        ? 'The explain was cancelled and the statement stopped on the server.'
        : 'The explain was cancelled; the server did not stop the statement, so its connection was closed and the server rolls the statement back when it ends.',
    );
  }
}

export class ExplainTimeoutError extends Error {
  override readonly name = 'ExplainTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(
      `The statement ran longer than the timeout of ${timeoutMs} ms (statement_timeout) and was stopped: raise the timeout (--timeout, planLens.explain.timeoutMs), make the statement cheaper, or explain with estimates only.`,
    );
  }
}

/** PostgreSQL rejected the statement; the message is PostgreSQL's own. */
export class ExplainStatementError extends Error {
  override readonly name = 'ExplainStatementError';
  /** SQLSTATE, e.g. 42601 for a syntax error. */
  readonly code: string | undefined;
  /**
   * 1-based position in characters (code points) in the text sent, which is the statement with
   * `prefixLength` characters of EXPLAIN (...) in front of it.
   */
  readonly position: number | undefined;
  readonly prefixLength: number;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  /** Where inside a function the error happened (PL/pgSQL context), when it did. */
  readonly where: string | undefined;

  constructor(error: DatabaseError, prefixLength: number) {
    super(error.message, { cause: error });
    this.code = error.code;
    this.position = error.position === undefined ? undefined : Number(error.position);
    this.prefixLength = prefixLength;
    this.detail = error.detail;
    this.hint = error.hint ?? (error.code === '42601' && /multiple commands/.test(error.message) ? 'Explain one statement at a time.' : undefined);
    this.where = error.where;
  }
}

/** The options do not fit this server (a feature it is too old for). */
export class ExplainOptionError extends Error {
  override readonly name = 'ExplainOptionError';
}

const serverVersions = new WeakMap<ClientBase, ServerVersion & { backendPid: number }>();

/** The server's version, asked once per connection. */
export async function getServerVersion(pool: PlanLensPool): Promise<ServerVersion> {
  const client = await pool.connect();
  try {
    const { text, num, embedded } = await serverFacts(client);
    client.release();
    return { text, num, embedded };
  } catch (error) {
    client.release(true);
    throw new DatabaseConnectionError(describeConnectionError(error, pool.target), error);
  }
}

export async function runExplain(pool: PlanLensPool, sqlText: string, options: ExplainOptions = {}): Promise<ExplainRun> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXPLAIN_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
    throw new ExplainOptionError(`The explain timeout must be a whole number of milliseconds, 0 for none; got ${timeoutMs}.`);
  }
  const client = await checkoutUnlessAborted(pool, signal);
  const session = new ExplainSession(pool, client, timeoutMs);
  const onAbort = () => session.stop('cancelled');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const facts = await session.run(() => serverFacts(client));
    const used = optionsFor(options, facts.num, timeoutMs);
    const prefix = explainPrefix(used, facts.num);
    // PGlite has no timer signals, so statement_timeout never fires there: the client keeps it.
    if (facts.embedded && timeoutMs > 0) session.stopAfterTimeout();
    await session.run(() => client.query(`BEGIN; SET LOCAL statement_timeout = ${timeoutMs}`));
    const started = performance.now();
    const result = used.genericPlan
      ? facts.num >= GENERIC_PLAN_SINCE
        ? await explainGeneric(session, client, prefix, sqlText)
        : await explainPreparedGeneric(session, client, prefix, sqlText)
      : await session.run(() => client.query<ExplainRow>(extended(prefix + sqlText, options.values ?? [])), prefix.length);
    const durationMs = performance.now() - started;
    return {
      explainJson: result.rows[0]?.['QUERY PLAN'],
      serverVersion: facts.text,
      serverVersionNum: facts.num,
      durationMs,
      options: used,
      backendPid: facts.backendPid,
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await session.finish();
  }
}

type ExplainRow = Record<string, unknown>;

function extended(text: string, values: ReadonlyArray<string | null>): QueryConfig {
  // queryMode is pg's (8.20+) and missing from @types/pg: it forces Parse/Bind/Execute even without values.
  return { text, values: [...values], queryMode: 'extended' } as QueryConfig;
}

/**
 * GENERIC_PLAN plans $n as placeholders, and bound values would be folded into the plan as
 * constants, so the EXPLAIN has to go over the simple protocol, which would also run a second
 * statement. The extended protocol proves there is only one first: the server parses the text
 * (refusing several statements) and only then fails to bind the missing values (08P01).
 */
async function explainGeneric(session: ExplainSession, client: PoolClient, prefix: string, sqlText: string): Promise<QueryResult<ExplainRow>> {
  await session.run(() => client.query('SAVEPOINT plan_lens_single_statement'));
  try {
    return await session.run(() => client.query<ExplainRow>(extended(prefix + sqlText, [])), prefix.length);
  } catch (error) {
    if (!(error instanceof ExplainStatementError && error.code === '08P01')) throw error;
  }
  await session.run(() => client.query('ROLLBACK TO SAVEPOINT plan_lens_single_statement'));
  return session.run(() => client.query<ExplainRow>(prefix + sqlText), prefix.length);
}

/**
 * A generic plan before PostgreSQL 16: PREPARE infers the parameters' types, and under force_generic_plan EXPLAIN
 * EXECUTE plans with placeholders whatever the values, so NULLs stand in for them. PREPARE goes over the extended
 * protocol, which refuses a second statement. A prepared statement outlives a rollback: it is deallocated here,
 * behind a savepoint so that a failed EXPLAIN does not leave the transaction unable to run the DEALLOCATE.
 */
async function explainPreparedGeneric(session: ExplainSession, client: PoolClient, prefix: string, sqlText: string): Promise<QueryResult<ExplainRow>> {
  const prepare = `PREPARE ${GENERIC_STATEMENT_NAME} AS `;
  await session.run(() => client.query('SET LOCAL plan_cache_mode = force_generic_plan'));
  await session.run(() => client.query(extended(prepare + sqlText, [])), prepare.length);
  try {
    await session.run(() => client.query('SAVEPOINT plan_lens_generic_explain'));
    const types = await session.run(() =>
      client.query<{ count: number }>(`SELECT cardinality(parameter_types)::int AS count FROM pg_prepared_statements WHERE name = '${GENERIC_STATEMENT_NAME}'`),
    );
    const nulls = Array.from({ length: types.rows[0]?.count ?? 0 }, () => 'NULL').join(', ');
    try {
      const execute = `${prefix}EXECUTE ${GENERIC_STATEMENT_NAME}${nulls ? `(${nulls})` : ''}`;
      // A planning error carries no position in the statement: past the end, it maps to none.
      return await session.run(() => client.query<ExplainRow>(execute), execute.length);
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT plan_lens_generic_explain').catch(() => undefined);
      throw error;
    }
  } finally {
    await client.query(`DEALLOCATE ${GENERIC_STATEMENT_NAME}`).catch(() => undefined);
  }
}

/** A checkout that gives up when the signal aborts first; a connection that arrives later goes straight back. */
async function checkoutUnlessAborted(pool: PlanLensPool, signal: AbortSignal | undefined): Promise<PoolClient> {
  if (signal?.aborted) throw new ExplainCancelledError(true);
  if (!signal) return pool.connect();
  const checkout = pool.connect();
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ExplainCancelledError(true));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([checkout, aborted]);
  } catch (error) {
    if (error instanceof ExplainCancelledError) checkout.then((client) => client.release(), () => undefined);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

type StopReason = 'cancelled' | 'timeout';

/**
 * One explain's connection and how to stop what runs on it: a cancel request first, then
 * pg_cancel_backend() from another connection, and when the server still does not stop (PGlite
 * never does) the connection is closed, which makes the server roll the transaction back.
 */
class ExplainSession {
  private stopReason: StopReason | undefined;
  private abandoned = false;
  private running: Promise<unknown> | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly pool: PlanLensPool,
    private readonly client: PoolClient,
    private readonly timeoutMs: number,
  ) {}

  /** Runs one step, translating its failure; `prefixLength` marks the step that runs the caller's statement. */
  async run<T>(step: () => Promise<T>, prefixLength?: number): Promise<T> {
    if (this.stopReason) throw this.stopError();
    const running = step();
    this.running = running;
    let value: T;
    try {
      value = await running;
    } catch (error) {
      await this.stopping;
      if (this.stopReason) throw this.stopError();
      if (error instanceof DatabaseError && error.code === '57014' && /statement timeout/.test(error.message)) {
        throw new ExplainTimeoutError(this.timeoutMs);
      }
      if (error instanceof DatabaseError && prefixLength !== undefined) throw new ExplainStatementError(error, prefixLength);
      this.abandoned = true;
      throw new DatabaseConnectionError(describeConnectionError(error, this.pool.target), error);
    } finally {
      this.running = undefined;
    }
    if (this.stopReason) {
      await this.stopping;
      throw this.stopError();
    }
    return value;
  }

  stopAfterTimeout(): void {
    this.deadline = setTimeout(() => this.stop('timeout'), this.timeoutMs);
  }

  stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    const running = this.running;
    if (running) this.stopping = this.stopStatement(running);
  }

  /** Rolls back and returns the connection, or closes it when the rollback cannot be trusted. */
  async finish(): Promise<void> {
    clearTimeout(this.deadline);
    await this.stopping;
    if (!this.abandoned) {
      try {
        await this.client.query('ROLLBACK');
      } catch {
        this.abandoned = true;
      }
    }
    this.client.release(this.abandoned);
  }

  private async stopStatement(running: Promise<unknown>): Promise<void> {
    const settled = running.then(
      () => true,
      () => true,
    );
    const within = (ms: number) => Promise.race([settled, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    const facts = serverVersions.get(this.client);
    if (!facts?.embedded) {
      await sendCancelRequest(this.client);
      if (await within(CANCEL_GRACE_MS)) return;
      if (facts) {
        await cancelBackendFromSeparateConnection(this.pool.connection.config, facts.backendPid, SEPARATE_CANCEL_TIMEOUT_MS);
        if (await within(CANCEL_GRACE_MS)) return;
      }
    }
    this.abandoned = true;
    // end() on a busy client drops the socket at once; ended on purpose, it is not reported as an error.
    this.client.end().catch(() => undefined);
    await settled;
  }

  private stopError(): Error {
    if (this.stopReason === 'timeout') return new ExplainTimeoutError(this.timeoutMs);
    return new ExplainCancelledError(!this.abandoned);
  }
}

async function serverFacts(client: PoolClient): Promise<ServerVersion & { backendPid: number }> {
  const known = serverVersions.get(client);
  if (known) return known;
  const result = await client.query<{ num: number; version: string; full: string; pid: number }>(
    "SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS version, version() AS full, pg_backend_pid() AS pid",
  );
  const row = result.rows[0]!;
  const pglite = /PGlite [\d.]+/.exec(row.full)?.[0];
  const facts = {
    text: `PostgreSQL ${row.version.split(' ')[0]}${pglite ? ` (${pglite})` : ''}`,
    num: row.num,
    embedded: pglite !== undefined,
    backendPid: row.pid,
  };
  serverVersions.set(client, facts);
  return facts;
}

function optionsFor(options: ExplainOptions, versionNum: number, timeoutMs: number): ExplainOptionsUsed {
  const genericPlan = options.genericPlan ?? false;
  if (genericPlan && versionNum < PLAN_CACHE_MODE_SINCE) {
    throw new ExplainOptionError(
      `Planning without placeholder values needs PostgreSQL 12 or later (plan_cache_mode); this server is ${versionText(versionNum)}: give values for the placeholders instead.`,
    );
  }
  const analyze = !genericPlan && (options.analyze ?? true);
  const buffers = (options.buffers ?? analyze) && (analyze || versionNum >= BUFFERS_WITHOUT_ANALYZE_SINCE);
  return {
    analyze,
    buffers,
    verbose: options.verbose ?? false,
    settings: (options.settings ?? false) && versionNum >= SETTINGS_SINCE,
    wal: (options.wal ?? false) && analyze && versionNum >= WAL_SINCE,
    genericPlan,
    timeoutMs,
  };
}

function explainPrefix(used: ExplainOptionsUsed, versionNum: number): string {
  const parts: string[] = [];
  if (used.analyze) parts.push('ANALYZE');
  // PostgreSQL 18 reports buffers with ANALYZE by default; "off" has to be said.
  if (used.buffers) parts.push('BUFFERS');
  else if (used.analyze) parts.push('BUFFERS false');
  if (used.verbose) parts.push('VERBOSE');
  if (used.settings) parts.push('SETTINGS');
  if (used.wal) parts.push('WAL');
  if (used.genericPlan && versionNum >= GENERIC_PLAN_SINCE) parts.push('GENERIC_PLAN');
  parts.push('FORMAT JSON');
  return `EXPLAIN (${parts.join(', ')}) `;
}

function versionText(versionNum: number): string {
  return `${Math.floor(versionNum / 10000)}.${versionNum % 10000}`;
}
