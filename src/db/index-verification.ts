/**
 * Checks index suggestions against the real planner before the user sees them, with HypoPG's
 * hypothetical indexes: PostgreSQL plans the statement as if the index existed, without building
 * it. Everything happens on one connection, inside a transaction that is rolled back:
 *
 *   BEGIN; SET LOCAL statement_timeout = N
 *   CREATE EXTENSION IF NOT EXISTS hypopg          -- when missing; undone by the rollback
 *   EXPLAIN (FORMAT JSON) <statement>              -- cost before
 *   per suggestion: hypopg_create_index(<ddl>), EXPLAIN, hypopg_drop_index()
 *   ROLLBACK
 *
 * Nothing is created on the server. Hypothetical indexes live in the backend's memory, outside
 * any transaction, so the connection is closed afterwards rather than returned to the pool.
 *
 * A suggestion survives when the planner uses its index and the estimated cost drops by at least
 * MIN_COST_IMPROVEMENT; survivors are ranked by the cost they reach, and each one below the first
 * must still lower the cost with all the ones above it in place, so no two suggestions do the
 * same job. Without HypoPG the suggestions come back marked unverified, with a note on how to
 * enable verification.
 */
import { DatabaseError, type PoolClient, type QueryConfig } from 'pg';
import type { IndexSuggestion } from '../core/advice/advice-model';
import { preferOnePerNode, withoutInclude } from '../core/advice/index-advisor';
import { formatCreateIndex, quoteIdentifier } from '../core/advice/index-ddl';
import type { PlanLensPool } from './pool';

/** A suggestion must lower the statement's estimated cost by at least this share to be kept. */
export const MIN_COST_IMPROVEMENT = 0.1;

export const DEFAULT_VERIFICATION_TIMEOUT_MS = 30_000;

/** SQLSTATE insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';

export interface VerifyOptions {
  /** Values for the statement's $1, $2, ... placeholders, as for the explain itself. */
  values?: ReadonlyArray<string | null>;
  /** statement_timeout for each planning step, ms (default 30 000). */
  timeoutMs?: number;
  /** Override of MIN_COST_IMPROVEMENT. */
  minImprovement?: number;
}

interface HypotheticalIndex {
  oid: number;
  name: string;
}

interface PlannedCost {
  cost: number;
  /** Node type of the scan using each index: "Index Scan", "Index Only Scan", "Bitmap Index Scan". */
  indexScans: Map<string, string>;
}

interface HypotheticalOutcome {
  cost: number;
  /** How the planner used the hypothetical index; undefined when it did not. */
  scanType?: string;
}

export async function verifySuggestions(
  pool: PlanLensPool,
  statementSql: string,
  suggestions: readonly IndexSuggestion[],
  options: VerifyOptions = {},
): Promise<IndexSuggestion[]> {
  if (suggestions.length === 0) return [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_VERIFICATION_TIMEOUT_MS;
  const minImprovement = options.minImprovement ?? MIN_COST_IMPROVEMENT;
  const client = await pool.connect();
  let hypotheticalIndexesMade = false;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.max(Math.trunc(timeoutMs), 0)}`);
    const hypopg = await enableHypopg(client);
    if ('note' in hypopg) return unverified(suggestions, hypopg.note);
    const planner = new HypotheticalPlanner(client, hypopg.schema, statementSql, options.values ?? []);
    hypotheticalIndexesMade = true;
    await planner.reset();

    const before = await planner.tryPlan();
    if ('error' in before) {
      return unverified(suggestions, `This index was not tried against the planner: planning the statement failed (${before.error}).`);
    }
    const costBefore = before.cost;
    const checked: IndexSuggestion[] = [];
    const notSimulated: IndexSuggestion[] = [];
    for (const proposed of suggestions) {
      let suggestion = proposed;
      let outcome = await planner.planWith(suggestion);
      // INCLUDE columns pay only for an index-only scan; when the planner picks another, the narrower index does the same.
      if (!('error' in outcome) && suggestion.include.length > 0 && outcome.scanType !== 'Index Only Scan') {
        suggestion = withoutInclude(suggestion);
        outcome = await planner.planWith(suggestion);
      }
      if ('error' in outcome) {
        notSimulated.push(withVerification(suggestion, { method: 'unverified', note: `HypoPG could not simulate this index (${outcome.error}).` }));
        continue;
      }
      checked.push(
        withVerification(suggestion, { method: 'hypopg', costBefore, costAfter: outcome.cost, usedByPlanner: outcome.scanType !== undefined }),
      );
    }

    const helpful = checked
      .filter((suggestion) => isImprovement(suggestion, minImprovement))
      .sort((a, b) => a.verification.costAfter! - b.verification.costAfter!);
    const ranked: IndexSuggestion[] = [];
    let combinedCost = costBefore;
    for (const suggestion of helpful) {
      const index = await planner.create(suggestion);
      if ('error' in index) continue;
      const together = await planner.plan();
      if (together.indexScans.has(index.name) && together.cost <= combinedCost * (1 - minImprovement)) {
        combinedCost = together.cost;
        ranked.push(withVerification(suggestion, { ...suggestion.verification, costAfterCombined: together.cost }));
      } else {
        await planner.drop(index);
      }
    }
    await planner.reset();
    return [...ranked, ...preferOnePerNode(notSimulated)];
  } finally {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(hypotheticalIndexesMade || !rolledBack);
  }
}

function isImprovement(suggestion: IndexSuggestion, minImprovement: number): boolean {
  const { usedByPlanner, costBefore, costAfter } = suggestion.verification;
  if (!usedByPlanner || costBefore === undefined || costAfter === undefined || costBefore <= 0) return false;
  return (costBefore - costAfter) / costBefore >= minImprovement;
}

function withVerification(suggestion: IndexSuggestion, verification: IndexSuggestion['verification']): IndexSuggestion {
  return { ...suggestion, verification };
}

/** Without the planner's word, at most one suggestion per plan node, each saying why it is unverified. */
function unverified(suggestions: readonly IndexSuggestion[], note: string): IndexSuggestion[] {
  return preferOnePerNode(suggestions).map((suggestion) => withVerification(suggestion, { method: 'unverified', note }));
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
  const { rows } = await client.query<{ num: number; full: string }>("SELECT current_setting('server_version_num')::int AS num, version() AS full");
  const facts = rows[0]!;
  const major = Math.floor(facts.num / 10000);
  const untried = 'This index was not tried against the planner:';
  const afterwards = 'Plan Lens then tries each index as a hypothetical one (HypoPG) before suggesting it.';
  if (/PGlite/.test(facts.full)) {
    return (
      `${untried} the embedded demo database has no HypoPG extension. On a PostgreSQL server, install HypoPG ` +
      `(apt install postgresql-${major}-hypopg) and run CREATE EXTENSION hypopg; in the database. ${afterwards}`
    );
  }
  if (error instanceof DatabaseError && error.code === INSUFFICIENT_PRIVILEGE) {
    return `${untried} HypoPG is installed on the server, but this role may not create the extension. Ask an administrator to run CREATE EXTENSION hypopg; in this database. ${afterwards}`;
  }
  return (
    `${untried} the HypoPG extension is not available on this server. Install it (apt install postgresql-${major}-hypopg, ` +
    `or your platform's hypopg package) and run CREATE EXTENSION hypopg; in this database. ${afterwards}`
  );
}

/** Plans the statement as if hypothetical indexes existed. */
class HypotheticalPlanner {
  private readonly functions: string;

  constructor(
    private readonly client: PoolClient,
    schema: string,
    private readonly statementSql: string,
    private readonly values: ReadonlyArray<string | null>,
  ) {
    this.functions = quoteIdentifier(schema);
  }

  async reset(): Promise<void> {
    await this.client.query(`SELECT ${this.functions}.hypopg_reset()`);
  }

  /** The hypothetical index; an error when HypoPG rejects the definition (the transaction carries on). */
  async create(suggestion: IndexSuggestion): Promise<HypotheticalIndex | { error: string }> {
    const ddl = formatCreateIndex({
      name: suggestion.name,
      ...(suggestion.schema === undefined ? {} : { schema: suggestion.schema }),
      table: suggestion.table,
      columns: suggestion.columns,
      include: suggestion.include,
      ...(suggestion.where === undefined ? {} : { where: suggestion.where }),
      // HypoPG takes a plain CREATE INDEX; CONCURRENTLY is about building, which never happens here.
      concurrently: false,
    });
    return this.guarded(async () => {
      const result = await this.client.query<{ indexrelid: number; indexname: string }>(
        `SELECT indexrelid::int AS indexrelid, indexname FROM ${this.functions}.hypopg_create_index($1)`,
        [ddl],
      );
      const row = result.rows[0];
      if (!row) throw new Error('hypopg_create_index returned no index');
      return { oid: row.indexrelid, name: row.indexname };
    });
  }

  /** The statement's cost and use of the index with only this hypothetical index in place, besides those kept. */
  async planWith(suggestion: IndexSuggestion): Promise<HypotheticalOutcome | { error: string }> {
    const index = await this.create(suggestion);
    if ('error' in index) return index;
    const planned = await this.plan();
    await this.drop(index);
    const scanType = planned.indexScans.get(index.name);
    return { cost: planned.cost, ...(scanType === undefined ? {} : { scanType }) };
  }

  async drop(index: HypotheticalIndex): Promise<void> {
    await this.client.query(`SELECT ${this.functions}.hypopg_drop_index($1)`, [index.oid]);
  }

  async plan(): Promise<PlannedCost> {
    const config = { text: `EXPLAIN (FORMAT JSON) ${this.statementSql}`, values: [...this.values], queryMode: 'extended' };
    // queryMode (pg 8.20+, missing from @types/pg) forces the extended protocol, which refuses a second statement.
    const result = await this.client.query<{ 'QUERY PLAN': unknown }>(config as QueryConfig);
    return readPlannedCost(result.rows[0]?.['QUERY PLAN']);
  }

  async tryPlan(): Promise<PlannedCost | { error: string }> {
    return this.guarded(() => this.plan());
  }

  /** Runs a step under a savepoint, so that its failure leaves the transaction usable. */
  private async guarded<T>(step: () => Promise<T>): Promise<T | { error: string }> {
    await this.client.query('SAVEPOINT plan_lens_step');
    try {
      const value = await step();
      await this.client.query('RELEASE SAVEPOINT plan_lens_step');
      return value;
    } catch (error) {
      if (!(error instanceof DatabaseError)) throw error;
      await this.client.query('ROLLBACK TO SAVEPOINT plan_lens_step');
      return { error: error.message };
    }
  }
}

/** Total cost of the plan's root and every index it uses. */
function readPlannedCost(explainJson: unknown): PlannedCost {
  const root = (Array.isArray(explainJson) ? explainJson[0] : undefined) as { Plan?: Record<string, unknown> } | undefined;
  const plan = root?.Plan;
  if (!plan || typeof plan['Total Cost'] !== 'number') throw new Error('EXPLAIN (FORMAT JSON) returned no plan with a total cost');
  const indexScans = new Map<string, string>();
  const pending: Array<Record<string, unknown>> = [plan];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (typeof node['Index Name'] === 'string') indexScans.set(node['Index Name'], String(node['Node Type']));
    // No spread: an Append may have more children than a call takes arguments.
    if (Array.isArray(node.Plans)) for (const child of node.Plans as Array<Record<string, unknown>>) pending.push(child);
  }
  return { cost: plan['Total Cost'], indexScans };
}
