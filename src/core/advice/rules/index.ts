/**
 * The warning rules: `RULES` documents them (id, title, description, thresholds) and
 * `evaluateRules` runs them all on an analysed plan.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan } from '../../plan/model';
import { SEVERITY_RANK, type Rule, type RuleContext } from './rule';
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
import { DEFAULT_EXECUTION_TARGET_MS, executionOverTarget, jitOverhead, planningSlowerThanExecution } from './plan-timing';

export type { Rule, RuleContext, RuleThreshold } from './rule';
export { DEFAULT_EXECUTION_TARGET_MS } from './plan-timing';

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
  executionOverTarget,
];

export interface EvaluateRulesOptions {
  /** Execution time the statement should stay under, ms (> 0); DEFAULT_EXECUTION_TARGET_MS when absent or not a positive number. */
  executionTargetMs?: number;
}

/**
 * Every rule's findings on `plan`, without those a more specific rule superseded on the same
 * node, sorted by time at stake (largest first), then severity (worst first), then plan order.
 */
export function evaluateRules(plan: AnalyzedPlan, options: EvaluateRulesOptions = {}): Finding[] {
  const target = options.executionTargetMs;
  const context: RuleContext = {
    executionTargetMs: target !== undefined && Number.isFinite(target) && target > 0 ? target : DEFAULT_EXECUTION_TARGET_MS,
  };
  const byRule = new Map<string, Finding[]>();
  for (const rule of RULES) byRule.set(rule.id, rule.evaluate(plan, context));

  const findings: Finding[] = [];
  for (const rule of RULES) {
    const superseding = new Set<number>();
    for (const id of rule.supersededBy ?? []) {
      for (const finding of byRule.get(id) ?? []) if (finding.nodeId !== null) superseding.add(finding.nodeId);
    }
    for (const finding of byRule.get(rule.id)!) {
      if (finding.nodeId === null || !superseding.has(finding.nodeId)) findings.push(finding);
    }
  }
  return findings.sort(
    (a, b) =>
      b.impactMs - a.impactMs ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (a.nodeId ?? -1) - (b.nodeId ?? -1) ||
      a.ruleId.localeCompare(b.ruleId),
  );
}
