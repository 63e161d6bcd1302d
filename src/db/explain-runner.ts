/**
 * Runs EXPLAIN so that it can never change data. Every explain gets one connection of its own:
 *
 *   BEGIN; SET LOCAL statement_timeout = N
 *   EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) <statement>      -- extended query protocol
 *   ROLLBACK; DISCARD ALL                                     -- always; on failure the connection is closed
 *
 * EXPLAIN ANALYZE executes the statement, and not only INSERT/UPDATE/DELETE write: a SELECT can
 * call a function that does, so the transaction is rolled back whatever the statement is. The
 * EXPLAIN goes over the extended protocol, where the server refuses a text holding more than one
 * statement: "SELECT 1; COMMIT; DELETE FROM t" cannot end the transaction early. The one thing a
 * rollback does not undo is PostgreSQL's own exception: values drawn from a sequence stay drawn.
 *
 * Session state is not transactional either: an advisory lock, a prepared statement, a LISTEN,
 * a session setting or a temporary table made by a function the statement calls would stay on the
 * pooled connection for the next explain. DISCARD ALL clears all of it before the connection goes
 * back; dblink's connections are out of its reach, so a session where dblink exists is closed.
 *
 * Every round trip has a client deadline, as the server's statement_timeout is worth nothing when
 * the network in between goes silent: the statement gets its timeout plus a margin, the other
 * steps a fixed allowance. At the deadline the statement is stopped as for a cancel, and the
 * connection is closed when the server cannot be reached.
 */
import { DatabaseError, type ClientBase, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
import { cancelBackendFromSeparateConnection, sendCancelRequest } from './backend-cancel';
import { DatabaseConnectionError, describeConnectionError } from './connection-errors';
import { findLockBlockers, type LockWait } from './lock-blockers';
import { destroySocket, type PlanLensPool } from './pool';

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
/** How long past its statement_timeout the client waits for the server's own answer before stopping it itself. */
export const DEADLINE_MARGIN_MS = 1_000;
/** The allowance for the small steps (version, BEGIN, ROLLBACK, DISCARD ALL), each one round trip of a few milliseconds. */
export const STEP_DEADLINE_MS = 10_000;
/** From a missed deadline to a closed socket, whatever the cancel attempts in between do. */
const STOP_BUDGET_MS = 3_000;
/** How long before the statement_timeout the lock check looks for a blocker: the server cancels the wait at the timeout. */
const LOCK_CHECK_LEAD_MS = 500;

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
  override readonly name: string = 'ExplainTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(
      `The statement ran longer than the timeout of ${timeoutMs} ms (statement_timeout) and was stopped: raise the timeout (--timeout, planLens.explain.timeoutMs), make the statement cheaper, or explain with estimates only.`,
    );
  }
}

/** The statement spent its whole timeout waiting for a lock another session holds; the message names that session. */
export class ExplainLockTimeoutError extends ExplainTimeoutError {
  override readonly name = 'ExplainLockTimeoutError';
  constructor(
    timeoutMs: number,
    readonly wait: LockWait,
  ) {
    super(timeoutMs);
    const blockers = wait.blockers
      .map((b) => `process ${b.pid} (${b.state ?? 'state unknown'}${b.query ? `, last statement: ${excerpt(b.query)}` : ''})`)
      .join(', ');
    const wanted = wait.lock ? `${wait.lock.mode} on ${wait.lock.object}` : 'a lock';
    this.message =
      `The statement waited the whole timeout of ${timeoutMs} ms for ${wanted}, held by ${blockers}: ` +
      `commit or end that session (SELECT pg_terminate_backend(${wait.blockers[0]?.pid})) and explain again.`;
  }
}

/** The server did not answer within the client's deadline: the network or the server stalled. */
export class ExplainDeadlineError extends DatabaseConnectionError {
  constructor(target: string, deadlineMs: number) {
    super(
      `The server at ${target} did not answer within ${deadlineMs} ms, so the connection was closed: check the network and the server (a firewall, VPN or proxy may have dropped the connection) and explain again.`,
      undefined,
    );
  }
}

/** One line of at most 120 characters: a statement quoted in a message must not flood it. */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return `"${line.length > 120 ? `${line.slice(0, 119)}…` : line}"`;
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
    this.hint =
      error.hint ?? (error.code === '42601' && /multiple commands/.test(error.message) ? 'Explain one statement at a time.' : undefined);
    this.where = error.where;
  }
}

/** The options do not fit this server (a feature it is too old for). */
export class ExplainOptionError extends Error {
  override readonly name = 'ExplainOptionError';
}

interface SessionFacts extends ServerVersion {
  backendPid: number;
  /** dblink is installed: its connections survive DISCARD ALL. */
  dblink: boolean;
}

const serverVersions = new WeakMap<ClientBase, SessionFacts>();

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
    if (!facts.embedded && timeoutMs > 0) session.checkLocksBeforeTimeout(facts.backendPid);
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
async function explainGeneric(
  session: ExplainSession,
  client: PoolClient,
  prefix: string,
  sqlText: string,
): Promise<QueryResult<ExplainRow>> {
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
async function explainPreparedGeneric(
  session: ExplainSession,
  client: PoolClient,
  prefix: string,
  sqlText: string,
): Promise<QueryResult<ExplainRow>> {
  const prepare = `PREPARE ${GENERIC_STATEMENT_NAME} AS `;
  await session.run(() => client.query('SET LOCAL plan_cache_mode = force_generic_plan'));
  await session.run(() => client.query(extended(prepare + sqlText, [])), prepare.length);
  try {
    await session.run(() => client.query('SAVEPOINT plan_lens_generic_explain'));
    const types = await session.run(() =>
      client.query<{ count: number }>(
        `SELECT cardinality(parameter_types)::int AS count FROM pg_prepared_statements WHERE name = '${GENERIC_STATEMENT_NAME}'`,
      ),
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
    if (error instanceof ExplainCancelledError)
      checkout.then(
        (client) => client.release(),
        () => undefined,
      );
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

type StopReason = 'cancelled' | 'timeout' | 'deadline';

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
  private deadlineMs = 0;
  private lockTimer: NodeJS.Timeout | undefined;
  private lockCheck: Promise<void> | undefined;
  private lockWait: LockWait | undefined;

  constructor(
    private readonly pool: PlanLensPool,
    private readonly client: PoolClient,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Runs one step, translating its failure; `prefixLength` marks the step that runs the caller's
   * statement, which may take its timeout plus a margin, where the other steps get STEP_DEADLINE_MS.
   */
  async run<T>(step: () => Promise<T>, prefixLength?: number): Promise<T> {
    if (this.stopReason) throw this.stopError();
    const running = step();
    this.running = running;
    const deadlineMs = this.deadlineFor(prefixLength !== undefined);
    const deadline = deadlineMs === undefined ? undefined : setTimeout(() => this.stop('deadline', deadlineMs), deadlineMs);
    let value: T;
    try {
      value = await running;
    } catch (error) {
      await this.stopping;
      if (this.stopReason) throw this.stopError();
      if (error instanceof DatabaseError && error.code === '57014' && /statement timeout/.test(error.message)) {
        await this.lockCheck;
        throw this.lockWait ? new ExplainLockTimeoutError(this.timeoutMs, this.lockWait) : new ExplainTimeoutError(this.timeoutMs);
      }
      if (error instanceof DatabaseError && prefixLength !== undefined) throw new ExplainStatementError(error, prefixLength);
      this.abandoned = true;
      throw new DatabaseConnectionError(describeConnectionError(error, this.pool.target), error);
    } finally {
      clearTimeout(deadline);
      this.running = undefined;
    }
    if (this.stopReason) {
      await this.stopping;
      throw this.stopError();
    }
    return value;
  }

  /** A statement without a timeout may run as long as it likes; keep-alive notices a dead peer. */
  private deadlineFor(isStatement: boolean): number | undefined {
    if (!isStatement) return STEP_DEADLINE_MS;
    return this.timeoutMs > 0 ? this.timeoutMs + DEADLINE_MARGIN_MS : undefined;
  }

  /**
   * Shortly before the server's statement_timeout, asks from a second connection whether the
   * statement is waiting for a lock and who holds it: once the server cancels it, the wait is gone.
   */
  checkLocksBeforeTimeout(backendPid: number): void {
    const lead = Math.min(LOCK_CHECK_LEAD_MS, this.timeoutMs / 5);
    this.lockTimer = setTimeout(() => {
      this.lockCheck = findLockBlockers(this.pool.clientConfig(), backendPid, SEPARATE_CANCEL_TIMEOUT_MS).then((wait) => {
        if (wait && wait.blockers.length > 0) this.lockWait = wait;
      });
    }, this.timeoutMs - lead);
  }

  stopAfterTimeout(): void {
    this.deadline = setTimeout(() => this.stop('timeout'), this.timeoutMs);
  }

  stop(reason: StopReason, deadlineMs = 0): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.deadlineMs = deadlineMs;
    const running = this.running;
    if (running) this.stopping = this.stopStatement(running);
  }

  /**
   * Rolls back, clears the session's state and returns the connection, or closes it when either
   * cannot be trusted. Each step has the step deadline: a silent server must not hold the caller.
   */
  async finish(): Promise<void> {
    clearTimeout(this.deadline);
    clearTimeout(this.lockTimer);
    await this.stopping;
    await this.lockCheck;
    if (!this.abandoned && serverVersions.get(this.client)?.dblink) this.abandoned = true;
    for (const step of ['ROLLBACK', 'DISCARD ALL']) {
      if (this.abandoned) break;
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STEP_DEADLINE_MS)));
      const answered = await Promise.race([
        this.client.query(step).then(
          () => true,
          () => false,
        ),
        silence,
      ]);
      clearTimeout(timer);
      if (!answered) this.abandoned = true;
    }
    if (this.abandoned) destroySocket(this.client);
    this.client.release(this.abandoned);
  }

  private async stopStatement(running: Promise<unknown>): Promise<void> {
    const settled = running.then(
      () => true,
      () => true,
    );
    const within = (ms: number) => Promise.race([settled, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    // Whatever the cancel attempts do, the socket is closed once the budget is spent.
    const budget = setTimeout(() => this.abandon(), STOP_BUDGET_MS);
    try {
      const facts = serverVersions.get(this.client);
      if (!facts?.embedded) {
        await sendCancelRequest(this.client);
        if (await within(CANCEL_GRACE_MS)) return;
        if (facts) {
          await cancelBackendFromSeparateConnection(this.pool.clientConfig(), facts.backendPid, SEPARATE_CANCEL_TIMEOUT_MS);
          if (await within(CANCEL_GRACE_MS)) return;
        }
      }
      this.abandon();
      await settled;
    } finally {
      clearTimeout(budget);
    }
  }

  private abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    // A busy client's end() drops the socket at once; destroying it also covers a silent network.
    destroySocket(this.client);
    this.client.end().catch(() => undefined);
  }

  private stopError(): Error {
    if (this.stopReason === 'timeout') return new ExplainTimeoutError(this.timeoutMs);
    if (this.stopReason === 'deadline') return new ExplainDeadlineError(this.pool.target, this.deadlineMs);
    return new ExplainCancelledError(!this.abandoned);
  }
}

async function serverFacts(client: PoolClient): Promise<SessionFacts> {
  const known = serverVersions.get(client);
  if (known) return known;
  const result = await client.query<{ num: number; version: string; full: string; pid: number; dblink: boolean }>(
    "SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS version, version() AS full, pg_backend_pid() AS pid, " +
      "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'dblink') AS dblink",
  );
  const row = result.rows[0]!;
  const pglite = /PGlite [\d.]+/.exec(row.full)?.[0];
  const facts = {
    text: `PostgreSQL ${row.version.split(' ')[0]}${pglite ? ` (${pglite})` : ''}`,
    num: row.num,
    embedded: pglite !== undefined,
    backendPid: row.pid,
    dblink: row.dblink,
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
