/**
 * seq-scan-large-table: a sequential scan reads a large table to keep a small share of it, the
 * classic missing index. Needs actual rows: an estimate-only plan does not say how many rows the
 * table has, only how many the planner expects to keep.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan } from '../../plan/model';
import { exclusiveMs, rawText } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount, formatPercent } from '../../format';
import { nodeName, tableName } from '../../plan/node-label';

export const SEQ_SCAN_LARGE_TABLE = 'seq-scan-large-table';

/** Rows read (kept + removed by the filter, over all loops) from which a scan counts as large: below it, reading everything is cheap whatever it keeps. */
export const SEQ_SCAN_MIN_ROWS_READ = 10_000;
/** Kept share below which an index would read far fewer rows than the scan did: warning. */
export const SEQ_SCAN_WARNING_KEPT_SHARE = 0.1;
/** Kept share below which an index would read a hundredth of the rows or less: critical. */
export const SEQ_SCAN_CRITICAL_KEPT_SHARE = 0.01;

export const seqScanLargeTable: Rule = {
  id: SEQ_SCAN_LARGE_TABLE,
  title: 'Sequential scan on a large table keeps few rows',
  description:
    'A Seq Scan (or Parallel Seq Scan) reads every row of a large table and its Filter throws most of them away: an index on the filtered columns would read only the rows kept.',
  needs: 'actuals',
  thresholds: [
    {
      name: 'SEQ_SCAN_MIN_ROWS_READ',
      value: SEQ_SCAN_MIN_ROWS_READ,
      meaning: 'rows read (kept + removed, all loops) from which the table counts as large',
    },
    {
      name: 'SEQ_SCAN_WARNING_KEPT_SHARE',
      value: SEQ_SCAN_WARNING_KEPT_SHARE,
      meaning: 'warning when the scan keeps less than this share of the rows it read',
    },
    { name: 'SEQ_SCAN_CRITICAL_KEPT_SHARE', value: SEQ_SCAN_CRITICAL_KEPT_SHARE, meaning: 'critical when it keeps less than this share' },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      if (node.nodeType !== 'Seq Scan' || !node.executed || node.actualRowsTotal === undefined) continue;
      const filter = rawText(node, 'Filter');
      const removed = node.rowsRemovedByFilter ?? 0;
      if (filter === undefined || removed === 0) continue;
      const kept = node.actualRowsTotal;
      const read = kept + removed;
      const keptShare = kept / read;
      if (read < SEQ_SCAN_MIN_ROWS_READ || keptShare >= SEQ_SCAN_WARNING_KEPT_SHARE) continue;

      const table = tableName(node) ?? 'the table';
      // A parallel scan's loops are its processes sharing one pass, not repeated passes.
      const loops = node.loops > 1 && !node.parallelAware ? ` in ${formatCount(node.loops)} loops` : '';
      findings.push(
        nodeFinding(SEQ_SCAN_LARGE_TABLE, node, {
          severity: keptShare < SEQ_SCAN_CRITICAL_KEPT_SHARE ? 'critical' : 'warning',
          title: `${nodeName(node)} reads ${formatCount(read)} rows${loops} to keep ${formatCount(kept)} (${formatPercent(keptShare)})`,
          explanation:
            `PostgreSQL read every row of ${table} and discarded ${formatCount(removed)} of them (${formatPercent(1 - keptShare)}) ` +
            `with the filter ${filter}. No index let it go straight to the ${formatCount(kept)} rows it needed; ` +
            'the more rows the filter discards, the more an index saves.',
          indexNeed: `the filter ${filter} on ${table}`,
          remedy:
            `If an index on these columns exists already, check that the condition can use it (no function or cast on the column, matching types) and that statistics are current (ANALYZE ${table}); ` +
            'if the query needs most of the table after all, reading fewer columns or fewer rows (a narrower WHERE, a LIMIT) is what helps.',
          // An index would read about the kept rows only; the time spent on the others is at stake.
          impactMs: exclusiveMs(node) * (1 - keptShare),
        }),
      );
    }
    return findings;
  },
};
