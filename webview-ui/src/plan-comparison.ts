/**
 * What changed between the plan before and after an index: time, cost, and which nodes went and
 * came. Pure: no DOM, so it is tested in Node.
 */
import type { AnalyzedPlan, PlanNode } from '../../src/core/plan/model';
import { nodeName } from './card-content';
import { formatCostChange, formatFactor, formatMs } from '../../src/core/format';

/** A ratio this close to 1 (either way) is no change worth a word. */
const SAME_SPEED_RATIO = 1.05;

export type NodeChange =
  /** A node on a relation gave way to another on the same relation: "Seq Scan on products → Index Scan …". */
  | { kind: 'replaced'; from: string; to: string }
  | { kind: 'removed'; name: string }
  | { kind: 'added'; name: string };

export interface PlanComparison {
  /** Execution time, when both plans were run. */
  time?: { before: number; after: number; text: string } & SpeedChange;
  cost: { before: number; after: number; text: string };
  changes: NodeChange[];
  /** Nodes of the plan before that the plan after has no counterpart of. */
  removedIds: ReadonlySet<number>;
  /** Nodes of the plan after that the plan before had no counterpart of. */
  addedIds: ReadonlySet<number>;
}

export interface SpeedChange {
  /** "42× faster", "2.1× slower", or "about as fast". */
  verdict: string;
  trend: 'faster' | 'slower' | 'same';
}

export function speedChange(beforeMs: number, afterMs: number): SpeedChange {
  if (beforeMs === afterMs) {
    return { verdict: 'about as fast', trend: 'same' };
  }
  // Either time may round to 0 ms; the factor is then infinite, and the direction still right.
  const factor = beforeMs / afterMs;
  if (factor >= SAME_SPEED_RATIO) {
    return { verdict: `${formatFactor(factor)} faster`, trend: 'faster' };
  }
  if (1 / factor >= SAME_SPEED_RATIO) {
    return { verdict: `${formatFactor(1 / factor)} slower`, trend: 'slower' };
  }
  return { verdict: 'about as fast', trend: 'same' };
}

function timeOf(plan: AnalyzedPlan): number | undefined {
  return plan.analyzed ? (plan.executionMs ?? plan.totalMs) : undefined;
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

/**
 * Nodes are matched by name ("Seq Scan on products p"), as many of each as both plans have; the
 * rest went or came. A node that went and one that came on the same relation read as one replaced
 * by the other, which is what an index does to a scan.
 */
function nodeChanges(before: AnalyzedPlan, after: AnalyzedPlan): Pick<PlanComparison, 'changes' | 'removedIds' | 'addedIds'> {
  const beforeNames = byName(before);
  const afterNames = byName(after);
  const removed: PlanNode[] = [];
  const added: PlanNode[] = [];
  for (const [name, ids] of beforeNames) {
    const kept = afterNames.get(name)?.length ?? 0;
    removed.push(...ids.slice(kept).map((id) => before.nodes[id]));
  }
  for (const [name, ids] of afterNames) {
    const kept = beforeNames.get(name)?.length ?? 0;
    added.push(...ids.slice(kept).map((id) => after.nodes[id]));
  }
  removed.sort((a, b) => a.id - b.id);
  added.sort((a, b) => a.id - b.id);

  const replaced: NodeChange[] = [];
  const pairedAdded = new Set<number>();
  const pairedRemoved = new Set<number>();
  for (const gone of removed) {
    if (gone.relation === undefined) {
      continue;
    }
    const successor = added.find((node) => !pairedAdded.has(node.id) && node.relation === gone.relation && node.schema === gone.schema);
    if (successor) {
      pairedAdded.add(successor.id);
      pairedRemoved.add(gone.id);
      replaced.push({ kind: 'replaced', from: nodeName(gone), to: nodeName(successor) });
    }
  }
  return {
    changes: [
      ...replaced,
      ...removed.filter((node) => !pairedRemoved.has(node.id)).map((node): NodeChange => ({ kind: 'removed', name: nodeName(node) })),
      ...added.filter((node) => !pairedAdded.has(node.id)).map((node): NodeChange => ({ kind: 'added', name: nodeName(node) })),
    ],
    removedIds: new Set(removed.map((node) => node.id)),
    addedIds: new Set(added.map((node) => node.id)),
  };
}

export function comparePlans(before: AnalyzedPlan, after: AnalyzedPlan): PlanComparison {
  const costBefore = before.nodes[0].totalCost;
  const costAfter = after.nodes[0].totalCost;
  const comparison: PlanComparison = {
    cost: { before: costBefore, after: costAfter, text: formatCostChange(costBefore, costAfter) },
    ...nodeChanges(before, after),
  };
  const timeBefore = timeOf(before);
  const timeAfter = timeOf(after);
  if (timeBefore !== undefined && timeAfter !== undefined) {
    comparison.time = {
      before: timeBefore,
      after: timeAfter,
      text: `${formatMs(timeBefore)} → ${formatMs(timeAfter)}`,
      ...speedChange(timeBefore, timeAfter),
    };
  }
  return comparison;
}
