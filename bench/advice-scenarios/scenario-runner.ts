/**
 * Building a scenario's schema on a PostgreSQL server, timing its query with EXPLAIN ANALYZE,
 * and creating suggested indexes for real: shared by the benchmark and the PostgreSQL tests.
 */
import type { IndexSuggestion } from '../../src/core/advice/advice-model';
import { formatCreateIndex } from '../../src/core/advice/index-ddl';
import { analyzePlan, parseExplainJson, type AnalyzedPlan } from '../../src/core/plan';
import { runExplain } from '../../src/db/explain-runner';
import type { PlanLensPool } from '../../src/db/pool';
import { scenarioSchema, type AdviceScenario } from './scenarios';

/** Generous: building a table on a busy two-core machine takes seconds. */
const SETUP_TIMEOUT_MS = 120_000;

export async function execute(pool: PlanLensPool, sql: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(sql);
  } finally {
    client.release();
  }
}

/** Creates the scenario's schema afresh, fills it and gives the planner statistics and a visibility map. */
export async function buildScenario(pool: PlanLensPool, scenario: AdviceScenario, schema = scenarioSchema(scenario)): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query(`SET statement_timeout = ${SETUP_TIMEOUT_MS}`);
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};`);
    for (const extension of scenario.extensions ?? []) await client.query(`CREATE EXTENSION IF NOT EXISTS ${extension}`);
    await client.query(scenario.setup(schema));
    // VACUUM cannot run inside the implicit transaction of a multi-statement query: one table at a time.
    // Partitioned tables ('p') too: ANALYZE gives them their own statistics, which partitions do not.
    const tables = await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'p') ORDER BY relname`,
      [schema],
    );
    for (const { name } of tables.rows) await client.query(`VACUUM (ANALYZE) ${schema}.${name}`);
    await client.query('RESET statement_timeout');
  } finally {
    client.release();
  }
  return schema;
}

export async function dropScenario(pool: PlanLensPool, scenario: AdviceScenario, schema = scenarioSchema(scenario)): Promise<void> {
  await execute(pool, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  for (const extension of scenario.extensions ?? []) await execute(pool, `DROP EXTENSION IF EXISTS ${extension}`);
}

export async function explainAnalyzed(pool: PlanLensPool, sql: string, values?: ReadonlyArray<string | null>): Promise<AnalyzedPlan> {
  const run = await runExplain(pool, sql, { analyze: true, buffers: true, timeoutMs: 60_000, ...(values ? { values } : {}) });
  return analyzePlan(parseExplainJson(run.explainJson));
}

export interface TimedRuns {
  /** Median execution time (EXPLAIN ANALYZE's "Execution Time"), ms. */
  medianMs: number;
  /** The plan of the last run. */
  plan: AnalyzedPlan;
}

/** One warm-up run (so the table is in the cache either way), then the median of `runs`. */
export async function timeQuery(pool: PlanLensPool, sql: string, runs: number, values?: ReadonlyArray<string | null>): Promise<TimedRuns> {
  let plan = await explainAnalyzed(pool, sql, values);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    plan = await explainAnalyzed(pool, sql, values);
    times.push(plan.executionMs ?? plan.totalMs ?? 0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, plan };
}

/**
 * The suggestion's index, built for real (without CONCURRENTLY, so it can run anywhere). Returns the
 * names a plan may scan it by: its own, and on a partitioned table those of the partitions' indexes.
 */
export async function createForReal(pool: PlanLensPool, suggestion: IndexSuggestion): Promise<string[]> {
  await execute(pool, formatCreateIndex({ ...suggestion, concurrently: false }));
  const client = await pool.connect();
  try {
    // pg_partition_tree lists nothing for an index that is not partitioned.
    const { rows } = await client.query<{ name: string }>(
      'SELECT c.relname AS name FROM pg_partition_tree(to_regclass($1)) t JOIN pg_class c ON c.oid = t.relid WHERE t.level > 0 ORDER BY t.level, 1',
      [`${suggestion.schema === undefined ? '' : `"${suggestion.schema}".`}"${suggestion.name}"`],
    );
    return [suggestion.name, ...rows.map((row) => row.name)];
  } finally {
    client.release();
  }
}

export function planUsesIndex(plan: AnalyzedPlan, indexNames: string | readonly string[]): boolean {
  const names = new Set(typeof indexNames === 'string' ? [indexNames] : indexNames);
  return plan.nodes.some((node) => node.index !== undefined && names.has(node.index));
}
