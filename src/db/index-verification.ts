/**
 * Checks index suggestions against the real planner before the user sees them. The policy (what
 * is kept, how it is ranked) is src/core/advice/indexes/verification-policy.ts; this file picks the
 * planner it asks, on one connection, inside a transaction that is rolled back:
 *
 *   BEGIN; SET LOCAL statement_timeout = N
 *   CREATE EXTENSION IF NOT EXISTS hypopg          -- when missing; undone by the rollback
 *   ... the policy's questions: EXPLAIN (FORMAT JSON) <statement> with candidate indexes ...
 *   ROLLBACK
 *
 * With HypoPG the candidates are hypothetical indexes: nothing is built. On the embedded demo
 * database, which has no HypoPG and is the user's own copy, each candidate is built for real under
 * a savepoint that is rolled back. Anywhere else the suggestions come back marked unverified, with
 * a note on how to enable verification. Hypothetical indexes live in the backend's memory, outside
 * any transaction, so the connection is closed afterwards rather than returned to the pool.
 */
import { DatabaseError, type PoolClient } from 'pg';
import type { IndexSuggestion } from '../core/advice/advice-model';
import type { Planner } from '../core/advice/indexes/planner';
import { markUnverified, verifyWithPlanner, type VerificationPolicyOptions } from '../core/advice/indexes/verification-policy';
import { HypopgPlanner } from './hypopg-planner';
import { PlannerSession } from './planner-session';
import type { PlanLensPool } from './pool';
import { RolledBackIndexPlanner } from './rolled-back-index-planner';

export const DEFAULT_VERIFICATION_TIMEOUT_MS = 30_000;

/** SQLSTATE insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';

export interface VerifyOptions extends VerificationPolicyOptions {
  /** Values for the statement's $1, $2, ... placeholders, as for the explain itself. */
  values?: ReadonlyArray<string | null>;
  /** statement_timeout for each planning step, ms (default 30 000). */
  timeoutMs?: number;
}

export async function verifySuggestions(
  pool: PlanLensPool,
  statementSql: string,
  suggestions: readonly IndexSuggestion[],
  options: VerifyOptions = {},
): Promise<IndexSuggestion[]> {
  if (suggestions.length === 0) return [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_VERIFICATION_TIMEOUT_MS;
  const client = await pool.connect();
  let hypotheticalIndexesMade = false;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.max(Math.trunc(timeoutMs), 0)}`);
    const session = new PlannerSession(client, statementSql, options.values ?? []);
    let planner: Planner;
    const hypopg = await enableHypopg(client);
    if ('schema' in hypopg) {
      planner = new HypopgPlanner(session, hypopg.schema);
      hypotheticalIndexesMade = true;
    } else if (await isEmbeddedDemo(client)) {
      planner = new RolledBackIndexPlanner(session);
    } else {
      return markUnverified(suggestions, hypopg.note);
    }
    return await verifyWithPlanner(planner, suggestions, options);
  } finally {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(hypotheticalIndexesMade || !rolledBack);
  }
}

async function isEmbeddedDemo(client: PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ full: string }>('SELECT version() AS full');
  return /PGlite/.test(rows[0]?.full ?? '');
}

/** HypoPG's schema, creating the extension inside the transaction when it is not there yet. */
async function enableHypopg(client: PoolClient): Promise<{ schema: string } | { note: string }> {
  const installed = await hypopgSchema(client);
  if (installed !== undefined) return { schema: installed };
  await client.query('SAVEPOINT plan_lens_hypopg');
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS hypopg');
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT plan_lens_hypopg');
    return { note: await unavailableNote(client, error) };
  }
  const created = await hypopgSchema(client);
  return created === undefined ? { note: await unavailableNote(client, undefined) } : { schema: created };
}

async function hypopgSchema(client: PoolClient): Promise<string | undefined> {
  const result = await client.query<{ schema: string }>(
    "SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'hypopg'",
  );
  return result.rows[0]?.schema;
}

async function unavailableNote(client: PoolClient, error: unknown): Promise<string> {
  const { rows } = await client.query<{ num: number }>("SELECT current_setting('server_version_num')::int AS num");
  const major = Math.floor(rows[0]!.num / 10000);
  const untried = 'This index was not tried against the planner:';
  const afterwards = 'Plan Lens then tries each index as a hypothetical one (HypoPG) before suggesting it.';
  if (error instanceof DatabaseError && error.code === INSUFFICIENT_PRIVILEGE) {
    return `${untried} HypoPG is installed on the server, but this role may not create the extension. Ask an administrator to run CREATE EXTENSION hypopg; in this database. ${afterwards}`;
  }
  return (
    `${untried} the HypoPG extension is not available on this server. Install it (apt install postgresql-${major}-hypopg, ` +
    `or your platform's hypopg package) and run CREATE EXTENSION hypopg; in this database. ${afterwards}`
  );
}
