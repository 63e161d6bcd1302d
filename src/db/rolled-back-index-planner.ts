/**
 * The Planner of a database without HypoPG that is the user's own copy (the embedded demo
 * database): the candidates are built for real under a savepoint, the statement is planned, and
 * the savepoint is rolled back, so nothing stays. Building costs time and locks the table for
 * writes while it lasts, which is why it is never done on a server.
 */
import type { IndexSuggestion } from '../core/advice/advice-model';
import { formatCreateIndex } from '../core/advice/index-ddl';
import type { PlannedCost, Planner } from '../core/advice/indexes/planner';
import { usedSuggestions, type PlannerSession } from './planner-session';

export class RolledBackIndexPlanner implements Planner {
  readonly method = 'rolled-back-index';

  constructor(private readonly session: PlannerSession) {}

  async costWith(candidates: readonly IndexSuggestion[]): Promise<PlannedCost | { error: string }> {
    const planned = await this.session.guarded(async () => {
      // CREATE INDEX CONCURRENTLY cannot run in a transaction; a plain build is rolled back all the same.
      for (const candidate of candidates) await this.session.client.query(formatCreateIndex({ ...candidate, concurrently: false }));
      return this.session.plan();
    }, false);
    if ('error' in planned) return planned;
    return { cost: planned.cost, used: usedSuggestions(planned, new Map(candidates.map((candidate) => [candidate.name, candidate.id]))) };
  }
}
