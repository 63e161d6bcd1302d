/**
 * The Planner of a server with HypoPG: each candidate becomes a hypothetical index, which the
 * planner considers as if it existed, without anything being built. Hypothetical indexes live in
 * the backend's memory, outside any transaction: the caller closes the connection afterwards.
 */
import type { IndexSuggestion } from '../core/advice/advice-model';
import { formatCreateIndex, quoteIdentifier } from '../core/advice/index-ddl';
import type { PlannedCost, Planner } from '../core/advice/indexes/planner';
import { usedSuggestions, type PlannerSession } from './planner-session';

export class HypopgPlanner implements Planner {
  readonly method = 'hypopg';
  private readonly functions: string;

  constructor(
    private readonly session: PlannerSession,
    schema: string,
  ) {
    this.functions = quoteIdentifier(schema);
  }

  async costWith(candidates: readonly IndexSuggestion[]): Promise<PlannedCost | { error: string }> {
    await this.session.client.query(`SELECT ${this.functions}.hypopg_reset()`);
    const idsByIndexName = new Map<string, string>();
    for (const candidate of candidates) {
      // HypoPG takes a plain CREATE INDEX; CONCURRENTLY is about building, which never happens here.
      const ddl = formatCreateIndex({ ...candidate, concurrently: false });
      const created = await this.session.guarded(async () => {
        const result = await this.session.client.query<{ indexname: string }>(
          `SELECT indexname FROM ${this.functions}.hypopg_create_index($1)`,
          [ddl],
        );
        const name = result.rows[0]?.indexname;
        if (name === undefined) throw new Error('hypopg_create_index returned no index');
        return name;
      });
      if (typeof created !== 'string') return created;
      idsByIndexName.set(created, candidate.id);
    }
    const planned = await this.session.guarded(() => this.session.plan());
    await this.session.client.query(`SELECT ${this.functions}.hypopg_reset()`);
    if ('error' in planned) return planned;
    return { cost: planned.cost, used: usedSuggestions(planned, idsByIndexName) };
  }
}
