/**
 * rows-removed-by-filter: a node reads many rows only to discard most of them with a Filter, a
 * Join Filter or an index recheck. The more specific rules (a large sequential scan, an index
 * whose filter is not selective, a lossy bitmap, a nested loop rescanning its inner side) take
 * precedence on the same node.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan, PlanNode } from '../../plan/model';
import { exclusiveMs, rawNumber, rawText, rowsExamined } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount, formatPercent } from '../../format';
import { nodeName, tableName } from '../../plan/node-label';
import { SEQ_SCAN_LARGE_TABLE } from './seq-scan-large-table';
import { INDEX_SCAN_FILTER_NOT_SELECTIVE } from './index-scan-filter-not-selective';
import { LOSSY_BITMAP_HEAP_SCAN } from './lossy-bitmap-heap-scan';
import { NESTED_LOOP_MANY_LOOPS } from './nested-loop-many-loops';

export const ROWS_REMOVED_BY_FILTER = 'rows-removed-by-filter';

/** Rows removed (all loops) below which the waste is too small to matter, whatever the share. */
export const ROWS_REMOVED_MIN_ROWS = 1_000;
/** Share of the rows read that filters removed from which the node does more discarding than work: warning. */
export const ROWS_REMOVED_WARNING_SHARE = 0.5;
/** Share from which nine rows in ten are read for nothing: critical. */
export const ROWS_REMOVED_CRITICAL_SHARE = 0.9;

interface Removal {
  what: 'Filter' | 'Join Filter' | 'Index Recheck';
  condition: string | undefined;
  rows: number;
}

export const rowsRemovedByFilter: Rule = {
  id: ROWS_REMOVED_BY_FILTER,
  title: 'Most rows read are removed by a filter',
  description:
    'A node discards most of the rows it reads with its Filter, Join Filter or index recheck (counted over all loops): the work of reading them bought nothing.',
  needs: 'actuals',
  thresholds: [
    { name: 'ROWS_REMOVED_MIN_ROWS', value: ROWS_REMOVED_MIN_ROWS, meaning: 'fewest rows removed (all loops) to report' },
    {
      name: 'ROWS_REMOVED_WARNING_SHARE',
      value: ROWS_REMOVED_WARNING_SHARE,
      meaning: 'warning when filters remove more than this share of the rows read',
    },
    { name: 'ROWS_REMOVED_CRITICAL_SHARE', value: ROWS_REMOVED_CRITICAL_SHARE, meaning: 'critical above this share' },
  ],
  supersededBy: [SEQ_SCAN_LARGE_TABLE, INDEX_SCAN_FILTER_NOT_SELECTIVE, LOSSY_BITMAP_HEAP_SCAN, NESTED_LOOP_MANY_LOOPS],
  evaluate(plan: AnalyzedPlan, skip?: ReadonlySet<number>): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      const read = rowsExamined(node);
      if (!node.executed || read === undefined || read === 0) continue;
      if (skip?.has(node.id)) continue;
      const removals = removalsOf(node);
      const removed = removals.reduce((sum, r) => sum + r.rows, 0);
      const share = removed / read;
      if (removed < ROWS_REMOVED_MIN_ROWS || share <= ROWS_REMOVED_WARNING_SHARE) continue;

      const main = removals.reduce((a, b) => (b.rows > a.rows ? b : a));
      const by = removals.map((r) => r.what).join(' and ');
      findings.push(
        nodeFinding(ROWS_REMOVED_BY_FILTER, node, {
          severity: share > ROWS_REMOVED_CRITICAL_SHARE ? 'critical' : 'warning',
          title: `${nodeName(node)}: ${by} ${removals.length > 1 ? 'remove' : 'removes'} ${formatCount(removed)} of ${formatCount(read)} rows read (${formatPercent(share)})`,
          explanation: explanationFor(main, node),
          remedy: remedyFor(main, node),
          ...(main.what === 'Filter' && tableName(node)
            ? { indexNeed: `the condition ${main.condition ?? 'of the filter'} on ${tableName(node)}` }
            : {}),
          // Time spent on the removed rows, assuming every row read costs the same.
          impactMs: exclusiveMs(node) * share,
        }),
      );
    }
    return findings;
  },
};

function removalsOf(node: PlanNode): Removal[] {
  const removals: Removal[] = [];
  if (node.rowsRemovedByFilter) removals.push({ what: 'Filter', condition: rawText(node, 'Filter'), rows: node.rowsRemovedByFilter });
  if (node.rowsRemovedByJoinFilter) {
    removals.push({ what: 'Join Filter', condition: rawText(node, 'Join Filter'), rows: node.rowsRemovedByJoinFilter });
  }
  if (node.rowsRemovedByIndexRecheck) {
    removals.push({ what: 'Index Recheck', condition: rawText(node, 'Recheck Cond'), rows: node.rowsRemovedByIndexRecheck });
  }
  return removals;
}

function explanationFor(removal: Removal, node: PlanNode): string {
  const condition = removal.condition ? ` ${removal.condition}` : '';
  switch (removal.what) {
    case 'Filter':
      return `${nodeName(node)} fetched the rows first and only then tested them against the condition${condition}, discarding most: every discarded row was read, and possibly fetched from disk, for nothing.`;
    case 'Join Filter':
      return `The join formed row pairs and only then tested them against${condition}: a join filter cannot be used to find matching rows, only to reject pairs already formed, so most of the pairing work was wasted.`;
    case 'Index Recheck':
      return `The bitmap or the index could only point at candidate rows, so each was rechecked against${condition} and most failed: the bitmap went lossy (whole pages instead of rows), or the index type only narrows down candidates.`;
  }
}

function remedyFor(removal: Removal, node: PlanNode): string {
  switch (removal.what) {
    case 'Filter':
      return tableName(node)
        ? 'Without an index, write the condition so that it filters earlier (before a join or an aggregate), or on the plain column rather than on an expression of it; check the statistics are current (ANALYZE).'
        : `The rows come from the nodes below, not from a table: filter them earlier, in the subquery or join that produces them, so fewer reach ${nodeName(node)}.`;
    case 'Join Filter':
      return 'Turn the condition into one the join can look rows up by: an equality between columns of the two sides (for a Hash or Merge Join), or a column comparison an index on the inner side can serve. Conditions that concern only one table belong in its WHERE clause, where they filter before the join.';
    case 'Index Recheck':
      return (rawNumber(node, 'Lossy Heap Blocks') ?? 0) > 0
        ? 'Raise work_mem for this query so the bitmap keeps one entry per row instead of per page.'
        : 'The index itself only narrows down candidates (BRIN, or GIN and GiST operator classes such as trigram matching): a more precise index or condition leaves fewer rows to recheck; for BRIN, a smaller pages_per_range.';
  }
}
