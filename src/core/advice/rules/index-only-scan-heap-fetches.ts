/**
 * index-only-scan-heap-fetches: an Index Only Scan had to visit the table for many of its rows
 * because their pages are not marked all-visible in the visibility map, which only VACUUM sets.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan } from '../../plan/model';
import { exclusiveMs, rawNumber } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount, formatPercent } from '../../format';
import { nodeName, tableName } from '../../plan/node-label';

export const INDEX_ONLY_SCAN_HEAP_FETCHES = 'index-only-scan-heap-fetches';

/** Heap fetches (all loops) below which the extra visits cost too little to matter. */
export const HEAP_FETCHES_MIN = 1_000;
/** Share of the index entries visited that needed a heap fetch: info. */
export const HEAP_FETCHES_INFO_SHARE = 0.1;
/** Share from which the scan is mostly an ordinary index scan in disguise: warning. */
export const HEAP_FETCHES_WARNING_SHARE = 0.5;

export const indexOnlyScanHeapFetches: Rule = {
  id: INDEX_ONLY_SCAN_HEAP_FETCHES,
  title: 'Index Only Scan fetches rows from the table',
  description:
    'An Index Only Scan visited the table (Heap Fetches) for many rows, because their pages are not all-visible in the visibility map: VACUUM sets it.',
  needs: 'actuals',
  thresholds: [
    { name: 'HEAP_FETCHES_MIN', value: HEAP_FETCHES_MIN, meaning: 'fewest heap fetches to report' },
    {
      name: 'HEAP_FETCHES_INFO_SHARE',
      value: HEAP_FETCHES_INFO_SHARE,
      meaning: 'info from this share of index entries fetched from the table',
    },
    { name: 'HEAP_FETCHES_WARNING_SHARE', value: HEAP_FETCHES_WARNING_SHARE, meaning: 'warning from this share' },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      if (node.nodeType !== 'Index Only Scan' || !node.executed || node.actualRowsTotal === undefined) continue;
      // A total over all loops, unlike the per-loop row counts.
      const fetches = rawNumber(node, 'Heap Fetches') ?? 0;
      // Every index entry the scan visited may need a fetch, including those its Filter then removed.
      const visited = node.actualRowsTotal + (node.rowsRemovedByFilter ?? 0);
      if (fetches < HEAP_FETCHES_MIN || visited === 0) continue;
      const share = Math.min(1, fetches / visited);
      if (share < HEAP_FETCHES_INFO_SHARE) continue;
      const table = tableName(node) ?? 'the table';
      findings.push(
        nodeFinding(INDEX_ONLY_SCAN_HEAP_FETCHES, node, {
          severity: share >= HEAP_FETCHES_WARNING_SHARE ? 'warning' : 'info',
          title: `${nodeName(node)} fetched ${formatCount(fetches)} of ${formatCount(visited)} rows from the table (${formatPercent(share)})`,
          explanation:
            'An index-only scan can skip the table only for pages the visibility map marks all-visible. ' +
            `Pages of ${table} changed (or filled) since its last VACUUM are not, so the scan read the table for ${formatPercent(share)} of its rows, as an ordinary index scan would.`,
          remedy:
            `Run VACUUM ${table} to set the visibility map. If the table keeps changing, let autovacuum visit it sooner, e.g. ` +
            `ALTER TABLE ${table} SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02) ` +
            '(the insert setting, PostgreSQL 13+, also covers tables that are only ever inserted into).',
          impactMs: exclusiveMs(node) * share,
        }),
      );
    }
    return findings;
  },
};
