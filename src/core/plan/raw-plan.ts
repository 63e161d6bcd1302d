import type { RawExplainResult, RawPlanNode } from './explain-json';
import type { AnalyzedPlan } from './model';

/**
 * The plan back in PostgreSQL's JSON shape, rebuilt from the analysed nodes' verbatim `raw` keys,
 * so "Copy plan JSON" needs no second copy of a plan that can be megabytes large.
 */
export function rawPlanOf(plan: AnalyzedPlan): RawExplainResult {
  const built = plan.nodes.map((node) => ({ ...node.raw }) as RawPlanNode);
  for (const node of plan.nodes) {
    if (node.childIds.length > 0) built[node.id].Plans = node.childIds.map((id) => built[id]);
  }
  return { Plan: built[0], ...plan.rawTopLevel } as RawExplainResult;
}

/** The rebuilt plan as PostgreSQL prints EXPLAIN (FORMAT JSON): an array of one result. */
export function rawPlanJson(plan: AnalyzedPlan): string {
  return JSON.stringify([rawPlanOf(plan)], null, 2);
}
