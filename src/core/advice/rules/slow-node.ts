/**
 * slow-node: one node's own time (its children's excluded) is a large share of the execution.
 * It points at where the time went when no more specific rule explains that node; those take
 * precedence on the same node.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan, PlanNode } from '../../plan/model';
import { exclusiveMs } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount, formatMs, formatPercent } from '../../format';
import { nodeName } from '../../plan/node-label';
import { SEQ_SCAN_LARGE_TABLE } from './seq-scan-large-table';
import { ROWS_REMOVED_BY_FILTER } from './rows-removed-by-filter';
import { NESTED_LOOP_MANY_LOOPS } from './nested-loop-many-loops';
import { HASH_SPILL_BATCHES, SORT_SPILL_TO_DISK } from './work-mem-spills';
import { LOSSY_BITMAP_HEAP_SCAN } from './lossy-bitmap-heap-scan';
import { INDEX_ONLY_SCAN_HEAP_FETCHES } from './index-only-scan-heap-fetches';
import { TOP_N_SORT_WITHOUT_INDEX } from './top-n-sort-without-index';
import { INDEX_SCAN_FILTER_NOT_SELECTIVE } from './index-scan-filter-not-selective';

export const SLOW_NODE = 'slow-node';

/** Share of the execution time spent in one node that is worth pointing at: info. */
export const SLOW_NODE_INFO_SHARE = 0.1;
/** Share from which the node is the main cost of the query: warning. */
export const SLOW_NODE_WARNING_SHARE = 0.4;
/** Share from which the node is nearly all of it: critical. */
export const SLOW_NODE_CRITICAL_SHARE = 0.9;
/** Execution time (ms) below which shares say nothing worth acting on. */
export const SLOW_NODE_MIN_TOTAL_MS = 1;

/** What usually makes a node of each kind slow, and what to try. */
const HINTS: Array<{ test: (node: PlanNode) => boolean; hint: string }> = [
  {
    test: (n) => /Scan$/.test(n.nodeType) && n.relation !== undefined,
    hint: 'A scan is slow when it reads many rows or pages: an index matching the conditions reads fewer, selecting fewer columns can allow an index-only scan, and a table bloated by updates and deletes shrinks with VACUUM (FULL) or pg_repack.',
  },
  {
    test: (n) => n.nodeType === 'Sort' || n.nodeType === 'Incremental Sort',
    hint: 'Sorting fewer rows (filter earlier), narrower rows, or reading them in order from an index avoids the cost.',
  },
  {
    test: (n) => n.nodeType === 'Aggregate' || n.nodeType === 'Group' || n.nodeType === 'WindowAgg',
    hint: 'Aggregating is proportional to its input: filter rows before it, aggregate before joining where possible, or keep a pre-aggregated (materialized) result for repeated questions.',
  },
  {
    test: (n) => n.nodeType.endsWith('Join') || n.nodeType === 'Nested Loop',
    hint: 'A join is slow when it forms many row pairs: check the row estimates of its inputs, and that its condition lets it look matches up (equality for a Hash Join, an index on the inner side for a Nested Loop).',
  },
  {
    test: (n) => n.nodeType === 'Materialize' || n.nodeType === 'Memoize',
    hint: 'It hands the same rows to the join above it once per loop: the number of loops is the cost, so look at that join and at why its outer side has so many rows.',
  },
  {
    test: (n) => n.nodeType === 'Hash',
    hint: 'Building a hash table costs in proportion to its input: the smaller side of the join should be the one hashed, with as few columns as possible.',
  },
];
const GENERIC_HINT =
  'Look at how many rows it processes and how many of them later nodes actually keep: processing fewer rows earlier is usually the fix.';

export const slowNode: Rule = {
  id: SLOW_NODE,
  title: 'Node takes a large share of the time',
  description:
    "One node's own time (its children excluded) is a large share of the execution time. Reported only when no more specific rule explains that node, and only when the execution takes long enough for shares to matter.",
  needs: 'actuals',
  thresholds: [
    { name: 'SLOW_NODE_INFO_SHARE', value: SLOW_NODE_INFO_SHARE, meaning: 'info from this share of the execution time' },
    { name: 'SLOW_NODE_WARNING_SHARE', value: SLOW_NODE_WARNING_SHARE, meaning: 'warning from this share' },
    { name: 'SLOW_NODE_CRITICAL_SHARE', value: SLOW_NODE_CRITICAL_SHARE, meaning: 'critical from this share' },
    {
      name: 'SLOW_NODE_MIN_TOTAL_MS',
      value: SLOW_NODE_MIN_TOTAL_MS,
      meaning: 'no finding when the execution takes this long or less (ms)',
    },
  ],
  supersededBy: [
    SEQ_SCAN_LARGE_TABLE,
    ROWS_REMOVED_BY_FILTER,
    NESTED_LOOP_MANY_LOOPS,
    SORT_SPILL_TO_DISK,
    HASH_SPILL_BATCHES,
    LOSSY_BITMAP_HEAP_SCAN,
    INDEX_ONLY_SCAN_HEAP_FETCHES,
    TOP_N_SORT_WITHOUT_INDEX,
    INDEX_SCAN_FILTER_NOT_SELECTIVE,
  ],
  evaluate(plan: AnalyzedPlan, skip?: ReadonlySet<number>): Finding[] {
    const totalMs = plan.totalMs;
    if (!plan.analyzed || totalMs === undefined || totalMs <= SLOW_NODE_MIN_TOTAL_MS) return [];
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      const share = node.exclusiveShare;
      if (share === undefined || share < SLOW_NODE_INFO_SHARE) continue;
      if (skip?.has(node.id)) continue;
      const ms = exclusiveMs(node);
      findings.push(
        nodeFinding(SLOW_NODE, node, {
          severity: share >= SLOW_NODE_CRITICAL_SHARE ? 'critical' : share >= SLOW_NODE_WARNING_SHARE ? 'warning' : 'info',
          title: `${nodeName(node)} takes ${formatPercent(share)} of the execution time (${formatMs(ms)} of ${formatMs(totalMs)})`,
          explanation:
            `This node's own work, not counting the nodes below it, took ${formatMs(ms)}${node.loops > 1 ? ` over ${formatCount(node.loops)} loops` : ''}: ` +
            'speeding up the rest of the plan cannot save more than the remainder.',
          remedy: HINTS.find((h) => h.test(node))?.hint ?? GENERIC_HINT,
          impactMs: ms,
        }),
      );
    }
    return findings;
  },
};
