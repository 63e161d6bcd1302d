/**
 * What changed between two plans of one statement: the numbers a reader compares first (time, cost,
 * buffers) and which nodes appeared, disappeared or changed method on the same relation. The
 * before/after view of "Create index now" and the plan history's "Compare with..." both show this.
 */
import type { AnalyzedPlan, NodeBuffers, PlanNode } from './model';
import { nodeName } from './node-label';

/** The figures of one plan that a comparison (and the plan history's list) shows. */
export interface PlanSummary {
  /** Execution time when the plan ran (EXPLAIN ANALYZE), else undefined. */
  executionMs?: number;
  planningMs?: number;
  totalCost: number;
  nodeCount: number;
  /** All nodes' blocks together; undefined without the BUFFERS option. */
  buffers?: NodeBuffers;
}

export type NodeChange =
  /** A node on a relation gave way to another on the same relation: "Seq Scan on products p → Index Scan …". */
  | { kind: 'replaced'; from: string; to: string; fromId: number; toId: number }
  | { kind: 'removed'; name: string; id: number }
  | { kind: 'added'; name: string; id: number };

export interface PlanDiff {
  before: PlanSummary;
  after: PlanSummary;
  /** Replacements first, then removed, then added nodes, each in plan order. */
  changes: NodeChange[];
  /** Nodes of the plan before that the plan after has no counterpart of. */
  removedIds: ReadonlySet<number>;
  /** Nodes of the plan after that the plan before had no counterpart of. */
  addedIds: ReadonlySet<number>;
}

const BUFFER_KEYS: ReadonlyArray<keyof NodeBuffers> = [
  'sharedHit',
  'sharedRead',
  'sharedDirtied',
  'sharedWritten',
  'localHit',
  'localRead',
  'localDirtied',
  'localWritten',
  'tempRead',
  'tempWritten',
];

function totalBuffers(plan: AnalyzedPlan): NodeBuffers | undefined {
  if (!plan.hasBuffers) return undefined;
  const total = Object.fromEntries(BUFFER_KEYS.map((key) => [key, 0])) as unknown as NodeBuffers;
  // Node buffers are exclusive (children subtracted), so their sum is the plan's total without double counting.
  for (const node of plan.nodes) {
    if (!node.buffers) continue;
    for (const key of BUFFER_KEYS) total[key] += node.buffers[key];
  }
  return total;
}

export function summarizePlan(plan: AnalyzedPlan): PlanSummary {
  return {
    executionMs: plan.analyzed ? (plan.executionMs ?? plan.totalMs) : undefined,
    planningMs: plan.planningMs,
    totalCost: plan.nodes[0].totalCost,
    nodeCount: plan.nodes.length,
    buffers: totalBuffers(plan),
  };
}

/** Node ids by name, in plan order. */
function byName(plan: AnalyzedPlan): Map<string, number[]> {
  const names = new Map<string, number[]>();
  for (const node of plan.nodes) {
    const name = nodeName(node);
    let ids = names.get(name);
    if (!ids) {
      ids = [];
      names.set(name, ids);
    }
    ids.push(node.id);
  }
  return names;
}

/** The nodes of `plan` beyond as many of each name as `other` has. */
function unmatched(plan: AnalyzedPlan, names: Map<string, number[]>, otherNames: Map<string, number[]>): PlanNode[] {
  const rest: PlanNode[] = [];
  for (const [name, ids] of names) {
    const kept = otherNames.get(name)?.length ?? 0;
    rest.push(...ids.slice(kept).map((id) => plan.nodes[id]));
  }
  return rest.sort((a, b) => a.id - b.id);
}

function relationKey(node: PlanNode): string {
  return JSON.stringify([node.schema ?? null, node.relation]);
}

/**
 * Nodes are matched by name ("Seq Scan on products p"), as many of each as both plans have; the
 * rest went or came. A node that went and one that came on the same relation read as one replaced
 * by the other, which is what an index does to a scan.
 */
export function diffPlans(before: AnalyzedPlan, after: AnalyzedPlan): PlanDiff {
  const beforeNames = byName(before);
  const afterNames = byName(after);
  const removed = unmatched(before, beforeNames, afterNames);
  const added = unmatched(after, afterNames, beforeNames);

  // Added nodes on each relation, in plan order, so pairing stays linear on plans of thousands of nodes.
  const addedOn = new Map<string, PlanNode[]>();
  for (const node of added) {
    if (node.relation === undefined) continue;
    const key = relationKey(node);
    const nodes = addedOn.get(key);
    if (nodes) nodes.push(node);
    else addedOn.set(key, [node]);
  }
  const replaced: NodeChange[] = [];
  const pairedAdded = new Set<number>();
  const pairedRemoved = new Set<number>();
  for (const gone of removed) {
    if (gone.relation === undefined) continue;
    const successor = addedOn.get(relationKey(gone))?.shift();
    if (successor) {
      pairedAdded.add(successor.id);
      pairedRemoved.add(gone.id);
      replaced.push({ kind: 'replaced', from: nodeName(gone), to: nodeName(successor), fromId: gone.id, toId: successor.id });
    }
  }
  return {
    before: summarizePlan(before),
    after: summarizePlan(after),
    changes: [
      ...replaced,
      ...removed
        .filter((node) => !pairedRemoved.has(node.id))
        .map((node): NodeChange => ({ kind: 'removed', name: nodeName(node), id: node.id })),
      ...added
        .filter((node) => !pairedAdded.has(node.id))
        .map((node): NodeChange => ({ kind: 'added', name: nodeName(node), id: node.id })),
    ],
    removedIds: new Set(removed.map((node) => node.id)),
    addedIds: new Set(added.map((node) => node.id)),
  };
}
