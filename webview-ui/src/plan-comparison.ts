/**
 * Two plans of one statement compared, worded for the comparison view: the diff itself (numbers and
 * node changes) is core's diffPlans. Pure: no DOM, so it is tested in Node.
 */
import type { AnalyzedPlan, NodeBuffers } from '../../src/core/plan/model';
import { diffPlans, type PlanDiff } from '../../src/core/plan/plan-diff';
import { formatCostChange, formatFactor, formatMs, formatNumber } from '../../src/core/format';

/** A ratio this close to 1 (either way) is no change worth a word. */
const SAME_SPEED_RATIO = 1.05;

export interface PlanComparison extends Pick<PlanDiff, 'changes' | 'removedIds' | 'addedIds'> {
  /** Execution time, when both plans were run. */
  time?: { before: number; after: number; text: string } & SpeedChange;
  cost: { before: number; after: number; text: string };
  /** Shared blocks hit and read, when both plans were explained with BUFFERS. */
  buffers?: { text: string; note: string };
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

/** Shared blocks a plan touched: hit in PostgreSQL's cache, or read from the OS or disk. */
function sharedBlocks(buffers: NodeBuffers): string {
  return `${formatNumber(buffers.sharedHit)} hit, ${formatNumber(buffers.sharedRead)} read`;
}

export function comparePlans(before: AnalyzedPlan, after: AnalyzedPlan): PlanComparison {
  const diff = diffPlans(before, after);
  const costBefore = diff.before.totalCost;
  const costAfter = diff.after.totalCost;
  const comparison: PlanComparison = {
    cost: { before: costBefore, after: costAfter, text: formatCostChange(costBefore, costAfter) },
    changes: diff.changes,
    removedIds: diff.removedIds,
    addedIds: diff.addedIds,
  };
  const timeBefore = diff.before.executionMs;
  const timeAfter = diff.after.executionMs;
  if (timeBefore !== undefined && timeAfter !== undefined) {
    comparison.time = {
      before: timeBefore,
      after: timeAfter,
      text: `${formatMs(timeBefore)} → ${formatMs(timeAfter)}`,
      ...speedChange(timeBefore, timeAfter),
    };
  }
  const buffersBefore = diff.before.buffers;
  const buffersAfter = diff.after.buffers;
  if (buffersBefore && buffersAfter) {
    const total = (b: NodeBuffers) => b.sharedHit + b.sharedRead;
    comparison.buffers = {
      text: `${formatNumber(total(buffersBefore))} → ${formatNumber(total(buffersAfter))} blocks`,
      note: `${sharedBlocks(buffersBefore)} → ${sharedBlocks(buffersAfter)}`,
    };
  }
  return comparison;
}
