/**
 * What the planners of src/db share: planning the statement on one connection inside an open
 * transaction, reading the plan's cost and the indexes it scans, and running steps under a
 * savepoint so that a refused definition leaves the transaction usable.
 */
import { DatabaseError, type PoolClient, type QueryConfig } from 'pg';

export interface StatementPlan {
  cost: number;
  /** Index name as the plan prints it -> node type of the scan using it. */
  indexScans: Map<string, string>;
}

export class PlannerSession {
  constructor(
    readonly client: PoolClient,
    private readonly statementSql: string,
    private readonly values: ReadonlyArray<string | null>,
  ) {}

  async plan(): Promise<StatementPlan> {
    const config = { text: `EXPLAIN (FORMAT JSON) ${this.statementSql}`, values: [...this.values], queryMode: 'extended' };
    // queryMode (pg 8.20+, missing from @types/pg) forces the extended protocol, which refuses a second statement.
    const result = await this.client.query<{ 'QUERY PLAN': unknown }>(config as QueryConfig);
    return readStatementPlan(result.rows[0]?.['QUERY PLAN']);
  }

  /**
   * Runs the step under a savepoint; on a server error the savepoint is rolled back and the error
   * returned. `keep: false` rolls the savepoint back even after success (what the step built goes away).
   */
  async guarded<T>(step: () => Promise<T>, keep = true): Promise<T | { error: string }> {
    await this.client.query('SAVEPOINT plan_lens_step');
    try {
      const value = await step();
      await this.client.query(keep ? 'RELEASE SAVEPOINT plan_lens_step' : 'ROLLBACK TO SAVEPOINT plan_lens_step');
      return value;
    } catch (error) {
      if (!(error instanceof DatabaseError)) throw error;
      await this.client.query('ROLLBACK TO SAVEPOINT plan_lens_step');
      return { error: error.message };
    }
  }
}

/** Total cost of the plan's root and every index it uses. */
function readStatementPlan(explainJson: unknown): StatementPlan {
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

/** Suggestion id -> scan type, for the indexes (by name in the plan) that stand for suggestions. */
export function usedSuggestions(plan: StatementPlan, idsByIndexName: ReadonlyMap<string, string>): Map<string, string> {
  const used = new Map<string, string>();
  for (const [indexName, scanType] of plan.indexScans) {
    const id = idsByIndexName.get(indexName);
    if (id !== undefined) used.set(id, scanType);
  }
  return used;
}
