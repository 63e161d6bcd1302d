/**
 * What the verification policy needs from a database: the statement's estimated cost with a set
 * of candidate indexes in place, and which of them the planner chose. One implementation asks
 * HypoPG for hypothetical indexes (src/db/hypopg-planner.ts); another builds the indexes for real
 * inside a transaction that is rolled back, for databases without HypoPG that are the user's own
 * copy (src/db/rolled-back-index-planner.ts). Tests use a planner made of a cost table.
 */
import type { IndexSuggestion, VerificationMethod } from '../advice-model';

export interface PlannedCost {
  /** The plan root's Total Cost. */
  cost: number;
  /** Suggestion id -> node type of the scan that used its index ("Index Scan", "Bitmap Index Scan", ...). */
  used: ReadonlyMap<string, string>;
}

export interface Planner {
  readonly method: Exclude<VerificationMethod, 'unverified'>;
  /**
   * The statement planned with exactly these candidates added to the existing indexes. An error
   * (the definition was refused, planning failed) comes back as text, leaving the planner usable.
   */
  costWith(candidates: readonly IndexSuggestion[]): Promise<PlannedCost | { error: string }>;
}
