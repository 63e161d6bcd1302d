/**
 * index-scan-filter-not-selective: an index scan finds rows by its index condition, then its
 * Filter throws most of them away. The index narrows by the wrong columns, or by too few: a
 * compound index including the filtered columns would find only the rows kept.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan } from '../../plan/model';
import { exclusiveMs, rawText } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount, formatPercent } from '../../format';
import { nodeName, tableName } from '../../plan/node-label';

export const INDEX_SCAN_FILTER_NOT_SELECTIVE = 'index-scan-filter-not-selective';

/** Rows removed by the filter (all loops) below which the extra fetches are too few to matter. */
export const INDEX_FILTER_MIN_REMOVED_ROWS = 1_000;
/** Share of the rows the index found that the filter removed: warning. */
export const INDEX_FILTER_WARNING_SHARE = 0.5;
/** Share from which the index finds ten rows for every one kept: critical. */
export const INDEX_FILTER_CRITICAL_SHARE = 0.9;

const INDEX_SCANS = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

export const indexScanFilterNotSelective: Rule = {
  id: INDEX_SCAN_FILTER_NOT_SELECTIVE,
  title: 'Index scan whose filter removes most rows',
  description:
    'An Index Scan, Index Only Scan or Bitmap Heap Scan finds rows through its index condition, then its Filter removes most of them: a compound index including the filtered columns would find only the rows kept.',
  needs: 'actuals',
  thresholds: [
    {
      name: 'INDEX_FILTER_MIN_REMOVED_ROWS',
      value: INDEX_FILTER_MIN_REMOVED_ROWS,
      meaning: 'fewest rows removed by the filter (all loops) to report',
    },
    {
      name: 'INDEX_FILTER_WARNING_SHARE',
      value: INDEX_FILTER_WARNING_SHARE,
      meaning: 'warning when the filter removes more than this share of the rows the index found',
    },
    { name: 'INDEX_FILTER_CRITICAL_SHARE', value: INDEX_FILTER_CRITICAL_SHARE, meaning: 'critical above this share' },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      if (!INDEX_SCANS.has(node.nodeType) || !node.executed || node.actualRowsTotal === undefined) continue;
      const removed = node.rowsRemovedByFilter ?? 0;
      const filter = rawText(node, 'Filter');
      if (removed < INDEX_FILTER_MIN_REMOVED_ROWS || filter === undefined) continue;
      const found = removed + node.actualRowsTotal;
      const share = removed / found;
      if (share <= INDEX_FILTER_WARNING_SHARE) continue;

      const table = tableName(node) ?? 'the table';
      const indexCondition = rawText(node, 'Index Cond') ?? rawText(node, 'Recheck Cond');
      const byIndex = node.index ? `the index ${node.index}` : 'the index';
      findings.push(
        nodeFinding(INDEX_SCAN_FILTER_NOT_SELECTIVE, node, {
          severity: share > INDEX_FILTER_CRITICAL_SHARE ? 'critical' : 'warning',
          title: `${nodeName(node)}: Filter removes ${formatCount(removed)} of ${formatCount(found)} rows the index found (${formatPercent(share)})`,
          explanation:
            `${byIndex[0].toUpperCase()}${byIndex.slice(1)} narrowed the search${indexCondition ? ` by ${indexCondition}` : ''}, but the filter ${filter} then discarded ` +
            `${formatPercent(share)} of the rows it found. Each of those was fetched from ${table} only to be thrown away: the index is not selective enough for this query.`,
          indexNeed: `both the index condition${indexCondition ? ` ${indexCondition}` : ''} and the filter ${filter} on ${table}`,
          remedy:
            'Otherwise, check that the filter compares the plain column with a value of its own type (a cast or a function on the column keeps it out of any index), ' +
            'and that the statistics are current (ANALYZE), so the planner knows how many rows the index condition alone returns.',
          impactMs: exclusiveMs(node) * share,
        }),
      );
    }
    return findings;
  },
};
