/**
 * Index advice for one explained statement: read the catalog of the tables its plan scans,
 * propose candidates from the plan, then keep those the planner confirms (HypoPG), or all of them
 * marked unverified where HypoPG is missing.
 */
import type { IndexSuggestion } from '../core/advice/advice-model';
import { proposeIndexes, tablesInPlan } from '../core/advice/index-advisor';
import type { AnalyzedPlan } from '../core/plan/model';
import { ensureSqlParser } from '../core/sql/sql-parser';
import { readCatalogSnapshot } from './catalog-reader';
import { verifySuggestions, type VerifyOptions } from './index-verification';
import type { PlanLensPool } from './pool';

export interface AdviseIndexesOptions extends VerifyOptions {
  /** CREATE INDEX CONCURRENTLY in the suggested DDL (default true). */
  concurrently?: boolean;
}

/** Suggestions ranked best first: by verified cost improvement, or by rows spared when unverified. */
export async function adviseIndexes(
  pool: PlanLensPool,
  statementSql: string,
  plan: AnalyzedPlan,
  options: AdviseIndexesOptions = {},
): Promise<IndexSuggestion[]> {
  await ensureSqlParser();
  const tables = tablesInPlan(plan, statementSql);
  if (tables.length === 0) return [];
  const client = await pool.connect();
  let catalog;
  try {
    catalog = await readCatalogSnapshot(client, tables);
    client.release();
  } catch (error) {
    // The connection may be what failed: close it rather than hand it to the next explain.
    client.release(true);
    throw error;
  }
  const { concurrently, ...verifyOptions } = options;
  const proposals = proposeIndexes({ plan, statementSql, catalog, options: { concurrently: concurrently ?? true } });
  return verifySuggestions(pool, statementSql, proposals, verifyOptions);
}
