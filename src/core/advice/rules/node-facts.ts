/**
 * Facts about nodes that several rules need: their row-feeding children, the rows a scan read,
 * numbers and texts from PostgreSQL's raw keys.
 */
import type { AnalyzedPlan, PlanNode } from '../../plan/model';

/** Children that feed the node rows: InitPlans and SubPlans only hand it values. */
export function rowChildren(plan: AnalyzedPlan, node: PlanNode): PlanNode[] {
  return node.childIds
    .map((id) => plan.nodes[id])
    .filter((child) => child.parentRelationship !== 'InitPlan' && child.parentRelationship !== 'SubPlan');
}

/** The child a join (or a Hash Join's Hash) reads as its inner side. */
export function innerChild(plan: AnalyzedPlan, node: PlanNode): PlanNode | undefined {
  return rowChildren(plan, node).find((child) => child.parentRelationship === 'Inner');
}

export function outerChild(plan: AnalyzedPlan, node: PlanNode): PlanNode | undefined {
  return rowChildren(plan, node).find((child) => child.parentRelationship === 'Outer');
}

/** Rows the node looked at over all loops: those it returned plus those its filters and rechecks removed. */
export function rowsExamined(node: PlanNode): number | undefined {
  if (node.actualRowsTotal === undefined) return undefined;
  return (
    node.actualRowsTotal + (node.rowsRemovedByFilter ?? 0) + (node.rowsRemovedByJoinFilter ?? 0) + (node.rowsRemovedByIndexRecheck ?? 0)
  );
}

/** The nodes below `node` (itself excluded), in preorder. */
export function descendants(plan: AnalyzedPlan, node: PlanNode): PlanNode[] {
  const found: PlanNode[] = [];
  const stack = [...node.childIds].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    found.push(plan.nodes[id]);
    const children = plan.nodes[id].childIds;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return found;
}

/** A raw key's value when it is a finite number. */
export function rawNumber(node: PlanNode, key: string): number | undefined {
  const value = node.raw[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A raw key's value when it is a non-empty string. */
export function rawText(node: PlanNode, key: string): string | undefined {
  const value = node.raw[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Per-worker details (sort and hash statistics of parallel workers), when PostgreSQL reported them. */
export function rawWorkers(node: PlanNode): Array<Record<string, unknown>> {
  const workers = node.raw['Workers'];
  return Array.isArray(workers) ? workers.filter((w): w is Record<string, unknown> => typeof w === 'object' && w !== null) : [];
}

/** A Sort's "Sort Key" entries as PostgreSQL printed them ("p.created_at DESC"). */
export function sortKeys(node: PlanNode): string[] {
  const keys = node.raw['Sort Key'];
  return Array.isArray(keys) ? keys.map(String) : [];
}

/** ms, 0 when the plan has no timing for the node (estimate only, TIMING OFF). */
export function exclusiveMs(node: PlanNode): number {
  return node.exclusiveMs ?? 0;
}

export function inclusiveMs(node: PlanNode): number {
  return node.inclusiveMs ?? 0;
}
