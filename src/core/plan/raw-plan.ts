import { SUBPLAN_NODE_TYPE, TASK_NODE_TYPE, withCitusChildren, withPlans } from './citus';
import type { RawExplainResult, RawPlanNode } from './explain-json';
import type { AnalyzedPlan, PlanNode } from './model';

/**
 * The plan back in PostgreSQL's JSON shape, rebuilt from the analysed nodes' verbatim `raw` keys,
 * so "Copy plan JSON" needs no second copy of a plan that can be megabytes large. Citus subplans
 * and tasks, with their plans, go back under the scan's "Distributed Query", where Citus wrote
 * them. Children first (ids are preorder, so a child's id is larger than its parent's).
 */
export function rawPlanOf(plan: AnalyzedPlan): RawExplainResult {
  const built: Array<Record<string, unknown>> = plan.nodes.map((node) => ({ ...node.raw }));
  for (let id = plan.nodes.length - 1; id >= 0; id--) {
    const node = plan.nodes[id];
    if (node.childIds.length === 0) continue;
    const kind = citusKind(node);
    const children = (of?: 'task' | 'subplan') =>
      node.childIds.filter((child) => citusKind(plan.nodes[child]) === of).map((child) => built[child]);
    if (kind) {
      built[id] = withPlans(built[id], kind, children());
      continue;
    }
    const plans = children();
    if (plans.length > 0) built[id].Plans = plans;
    const subplans = children('subplan');
    const tasks = children('task');
    if (subplans.length > 0 || tasks.length > 0) built[id] = withCitusChildren(built[id], subplans, tasks);
  }
  return { Plan: built[0] as RawPlanNode, ...plan.rawTopLevel } as RawExplainResult;
}

/** A node the model made of a Citus task or subplan: its keys are Citus's, without a "Node Type". */
function citusKind(node: PlanNode): 'task' | 'subplan' | undefined {
  if ('Node Type' in node.raw) return undefined;
  return node.nodeType === TASK_NODE_TYPE ? 'task' : node.nodeType === SUBPLAN_NODE_TYPE ? 'subplan' : undefined;
}

/** The rebuilt plan as PostgreSQL prints EXPLAIN (FORMAT JSON): an array of one result. */
export function rawPlanJson(plan: AnalyzedPlan): string {
  return JSON.stringify([rawPlanOf(plan)], null, 2);
}
