import { TASK_NODE_TYPE, withRemotePlans, withTasks } from './citus';
import type { RawExplainResult, RawPlanNode } from './explain-json';
import type { AnalyzedPlan } from './model';

/**
 * The plan back in PostgreSQL's JSON shape, rebuilt from the analysed nodes' verbatim `raw` keys,
 * so "Copy plan JSON" needs no second copy of a plan that can be megabytes large. Citus tasks and
 * their remote plans go back under the scan's "Distributed Query", where Citus wrote them.
 * Children first (ids are preorder, so a child's id is larger than its parent's).
 */
export function rawPlanOf(plan: AnalyzedPlan): RawExplainResult {
  const built: Array<Record<string, unknown>> = plan.nodes.map((node) => ({ ...node.raw }));
  for (let id = plan.nodes.length - 1; id >= 0; id--) {
    const node = plan.nodes[id];
    if (node.childIds.length === 0) continue;
    if (node.nodeType === TASK_NODE_TYPE && node.remote) {
      built[id] = withRemotePlans(
        built[id],
        node.childIds.map((child) => built[child]),
      );
      continue;
    }
    const plans = node.childIds.filter((child) => !isTaskNode(plan, child)).map((child) => built[child]);
    const tasks = node.childIds.filter((child) => isTaskNode(plan, child)).map((child) => built[child]);
    if (plans.length > 0) built[id].Plans = plans;
    if (tasks.length > 0) built[id] = withTasks(built[id], tasks);
  }
  return { Plan: built[0] as RawPlanNode, ...plan.rawTopLevel } as RawExplainResult;
}

function isTaskNode(plan: AnalyzedPlan, id: number): boolean {
  const node = plan.nodes[id];
  return node.nodeType === TASK_NODE_TYPE && node.remote !== undefined;
}

/** The rebuilt plan as PostgreSQL prints EXPLAIN (FORMAT JSON): an array of one result. */
export function rawPlanJson(plan: AnalyzedPlan): string {
  return JSON.stringify([rawPlanOf(plan)], null, 2);
}
