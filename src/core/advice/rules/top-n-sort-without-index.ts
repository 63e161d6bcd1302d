/**
 * top-n-sort-without-index: a Limit takes the first rows of a Sort that had to read (and sort)
 * many more. An index in the sort order would hand the rows over already sorted, and the Limit
 * would stop after the few it needs.
 *
 * Also fires on estimate-only plans, from the planner's row estimates, as info: the estimates say
 * how many rows the sort would read if the query ran.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan, PlanNode } from '../../plan/model';
import { descendants, inclusiveMs, rawText, rowChildren, sortKeys } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount } from '../../format';
import { nodeName, tableName } from '../../plan/node-label';

export const TOP_N_SORT_WITHOUT_INDEX = 'top-n-sort-without-index';

/** Rows sorted below which sorting is cheap however few are kept. */
export const TOP_N_MIN_INPUT_ROWS = 1_000;
/** Rows sorted per row returned from which reading in index order would read far fewer. */
export const TOP_N_MIN_INPUT_PER_ROW = 10;

/** Nodes between a Limit and its Sort that pass the order through: a parallel sort is merged by a Gather Merge. */
const ORDER_PRESERVING = new Set(['Gather Merge', 'Result']);
/** "p.created_at DESC NULLS LAST": an optional qualifier, a column, an optional direction and nulls order. */
const SORT_KEY = /^(?:("?[\w$]+"?)\.)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)((?: (?:ASC|DESC))?(?: NULLS (?:FIRST|LAST))?)$/;

export const topNSortWithoutIndex: Rule = {
  id: TOP_N_SORT_WITHOUT_INDEX,
  title: 'Limit over a sort of many rows',
  description:
    'A Limit returns the first few rows of a Sort that read many times more: an index in the sort order would let the Limit stop after the rows it needs.',
  needs: 'estimates',
  thresholds: [
    { name: 'TOP_N_MIN_INPUT_ROWS', value: TOP_N_MIN_INPUT_ROWS, meaning: 'fewest rows sorted to report' },
    { name: 'TOP_N_MIN_INPUT_PER_ROW', value: TOP_N_MIN_INPUT_PER_ROW, meaning: 'fewest rows sorted per row the Limit returns to report' },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const limit of plan.nodes) {
      if (limit.nodeType !== 'Limit') continue;
      const sort = sortBelow(plan, limit);
      const input = sort && rowChildren(plan, sort)[0];
      if (!sort || !input) continue;
      const estimated = !plan.analyzed;
      if (!estimated && !sort.executed) continue;
      const inputRows = estimated ? input.planRowsTotal : input.actualRowsTotal ?? 0;
      const returned = Math.max(1, estimated ? limit.planRows : limit.actualRowsTotal ?? 0);
      if (inputRows < TOP_N_MIN_INPUT_ROWS || inputRows < returned * TOP_N_MIN_INPUT_PER_ROW) continue;

      const keys = sortKeys(sort);
      const method = rawText(sort, 'Sort Method');
      const scans = scannedTables(plan, sort);
      findings.push(
        nodeFinding(TOP_N_SORT_WITHOUT_INDEX, sort, {
          severity: estimated ? 'info' : 'warning',
          title:
            `${nodeName(sort)}${keys.length > 0 ? ` by ${keys.join(', ')}` : ''} ${estimated ? 'is estimated to read' : 'reads'} ` +
            `${formatCount(inputRows)} rows to return ${estimated ? 'about ' : ''}${formatCount(returned)}`,
          explanation:
            `To return the first ${formatCount(returned)} rows, PostgreSQL ${estimated ? 'would read' : 'read'} all ${formatCount(inputRows)} candidates and sorted them` +
            `${method ? ` (${method})` : ''}. Read through an index in the sort order, the rows come already sorted and the Limit stops after ${formatCount(returned)}.`,
          fix: fixFor(keys, scans),
          // Reading in index order would read about the rows returned instead of all of them.
          impactMs: estimated ? 0 : inclusiveMs(sort) * (1 - returned / inputRows),
        }),
      );
    }
    return findings;
  },
};

function sortBelow(plan: AnalyzedPlan, limit: PlanNode): PlanNode | undefined {
  let node = rowChildren(plan, limit)[0];
  while (node && ORDER_PRESERVING.has(node.nodeType)) node = rowChildren(plan, node)[0];
  return node && node.nodeType === 'Sort' ? node : undefined;
}

function scannedTables(plan: AnalyzedPlan, sort: PlanNode): PlanNode[] {
  const byTable = new Map<string, PlanNode>();
  for (const node of descendants(plan, sort)) {
    const table = tableName(node);
    if (table && !byTable.has(table)) byTable.set(table, node);
  }
  return [...byTable.values()];
}

function fixFor(keys: string[], scans: PlanNode[]): string {
  // The table whose columns the sort keys are: the only one read, or the one their qualifier names.
  const owners = scans.filter((scan) => indexColumns(keys, scan) !== undefined && (scans.length === 1 || keys.every((k) => k.includes('.'))));
  const scan = owners.length === 1 ? owners[0] : undefined;
  const steps: string[] = [];
  if (scan) {
    steps.push(
      `CREATE INDEX ON ${tableName(scan)} (${indexColumns(keys, scan)!.join(', ')}): an index in the sort order lets PostgreSQL read the rows already sorted and stop early` +
        (scans.length > 1 ? `; with the rows coming from a join, that works when ${tableName(scan)} is the table the join reads first.` : '.'),
    );
    const filter = rawText(scan, 'Filter');
    if (filter) {
      steps.push(
        `The rows also pass the filter ${filter}: columns compared with = belong in the index before the sort columns, ` +
          'or make it a partial index with the filter as its WHERE clause; otherwise the index scan may step over many rows that fail the filter.',
      );
    }
  } else {
    steps.push(
      `An index in the sort order${keys.length > 0 ? ` (${keys.join(', ')})` : ''} on the table the rows come from lets PostgreSQL read them already sorted and stop early.`,
    );
  }
  return steps.join(' ');
}

/** The sort keys as index columns of `scan`'s table, when every key is a plain column of it. */
function indexColumns(keys: string[], scan: PlanNode): string[] | undefined {
  if (keys.length === 0) return undefined;
  const columns: string[] = [];
  for (const key of keys) {
    const match = SORT_KEY.exec(key);
    if (!match) return undefined;
    const [, qualifier, column, order] = match;
    if (qualifier !== undefined && qualifier !== scan.alias && qualifier !== scan.relation) return undefined;
    columns.push(`${column}${order}`);
  }
  return columns;
}
