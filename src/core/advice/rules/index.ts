/**
 * The warning rules: `RULES` documents them (id, title, description, thresholds) and
 * `evaluateRules` runs them all on an analysed plan.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan } from '../../plan/model';
import type { Rule } from './rule';
import { seqScanLargeTable } from './seq-scan-large-table';
import { rowsRemovedByFilter } from './rows-removed-by-filter';
import { rowMisestimate } from './row-misestimate';
import { nestedLoopManyLoops } from './nested-loop-many-loops';
import { hashSpillBatches, sortSpillToDisk } from './work-mem-spills';
import { lossyBitmapHeapScan } from './lossy-bitmap-heap-scan';
import { indexOnlyScanHeapFetches } from './index-only-scan-heap-fetches';
import { topNSortWithoutIndex } from './top-n-sort-without-index';
import { indexScanFilterNotSelective } from './index-scan-filter-not-selective';
import { slowNode } from './slow-node';
import { parallelWorkersShort } from './parallel-workers-short';
import { jitOverhead, planningSlowerThanExecution } from './plan-timing';
import { sortFindings } from '../finding-ranking';

export type { Rule, RuleThreshold } from './rule';

export const RULES: readonly Rule[] = [
  seqScanLargeTable,
  rowsRemovedByFilter,
  rowMisestimate,
  nestedLoopManyLoops,
  sortSpillToDisk,
  hashSpillBatches,
  lossyBitmapHeapScan,
  indexOnlyScanHeapFetches,
  topNSortWithoutIndex,
  indexScanFilterNotSelective,
  slowNode,
  parallelWorkersShort,
  jitOverhead,
  planningSlowerThanExecution,
];

/**
 * Every rule's findings on `plan`, one per node, without those a more specific rule superseded on
 * the same node, sorted by time at stake (largest first), then severity (worst first), then plan
 * order. `rankFindings` then groups them by cause and sets their severity from the time at stake.
 */
export function evaluateRules(plan: AnalyzedPlan): Finding[] {
  const byRule = new Map<string, Finding[]>();
  // A rule runs after the rules that supersede it and is told the nodes they reported, so that it
  // does not write (on a large plan, thousands of) findings only for them to be dropped here.
  while (byRule.size < RULES.length) {
    const before = byRule.size;
    for (const rule of RULES) {
      const superseding = rule.supersededBy ?? [];
      if (byRule.has(rule.id) || !superseding.every((id) => byRule.has(id))) continue;
      const skip = new Set<number>();
      for (const id of superseding) {
        for (const finding of byRule.get(id)!) if (finding.nodeId !== null) skip.add(finding.nodeId);
      }
      byRule.set(
        rule.id,
        rule.evaluate(plan, skip).filter((finding) => finding.nodeId === null || !skip.has(finding.nodeId)),
      );
    }
    if (byRule.size === before) throw new Error('The rules supersede each other in a cycle, or name a rule that does not exist.');
  }
  return sortFindings(RULES.flatMap((rule) => byRule.get(rule.id)!));
}
