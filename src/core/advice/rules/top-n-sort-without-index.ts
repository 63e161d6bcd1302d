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
import { descendants, exclusiveMs, rawText, rowChildren, sortKeys } from './node-facts';
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
      const inputRows = estimated ? input.planRowsTotal : (input.actualRowsTotal ?? 0);
      const returned = Math.max(1, estimated ? limit.planRows : (limit.actualRowsTotal ?? 0));
      if (inputRows < TOP_N_MIN_INPUT_ROWS || inputRows < returned * TOP_N_MIN_INPUT_PER_ROW) continue;

      const keys = sortKeys(sort);
      const method = rawText(sort, 'Sort Method');
      const scans = scannedTables(plan, sort);
      const owner = sortedTable(keys, scans);
      findings.push(
        nodeFinding(TOP_N_SORT_WITHOUT_INDEX, sort, {
          severity: estimated ? 'info' : 'warning',
          title:
            `${nodeName(sort)}${keys.length > 0 ? ` by ${keys.join(', ')}` : ''} ${estimated ? 'is estimated to read' : 'reads'} ` +
            `${formatCount(inputRows)} rows to return ${estimated ? 'about ' : ''}${formatCount(returned)}`,
          explanation:
            `To return the first ${formatCount(returned)} rows, PostgreSQL ${estimated ? 'would read' : 'read'} all ${formatCount(inputRows)} candidates and sorted them` +
            `${method ? ` (${method})` : ''}. Read through an index in the sort order, the rows come already sorted and the Limit stops after ${formatCount(returned)}.`,
          ...(owner ? { indexNeed: `the sort order (${keys.join(', ')}) on ${tableName(owner)}` } : {}),
          remedy: remedyFor(keys, scans, owner),
          // The sort itself is what reading in index order saves for sure; the reading below it has its own findings.
          impactMs: estimated ? 0 : exclusiveMs(sort) * (1 - returned / inputRows),
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

/** The table whose plain columns the sort keys are: the only one read, or the one their qualifier names. */
function sortedTable(keys: string[], scans: PlanNode[]): PlanNode | undefined {
  const owners = scans.filter((scan) => keysAreColumnsOf(keys, scan) && (scans.length === 1 || keys.every((k) => k.includes('.'))));
  return owners.length === 1 ? owners[0] : undefined;
}

function remedyFor(keys: string[], scans: PlanNode[], owner: PlanNode | undefined): string {
  const steps: string[] = [];
  if (owner && scans.length > 1) {
    steps.push(
      `With the rows coming from a join, reading in index order works when ${tableName(owner)} is the table the join reads first.`,
    );
  }
  const filter = owner && rawText(owner, 'Filter');
  if (filter) steps.push(`The rows also pass the filter ${filter}: an index in the sort order may step over many rows that fail it.`);
  if (!owner) {
    steps.push(
      `The sort keys${keys.length > 0 ? ` (${keys.join(', ')})` : ''} are not plain columns of one table, so no single index can hand the rows over in this order.`,
    );
  }
  steps.push(
    'Without an index in that order, sorting fewer rows (a narrower WHERE) or keyset pagination (WHERE key < last seen) keeps the sort small.',
  );
  return steps.join(' ');
}

/** Whether every sort key is a plain column of `scan`'s table, as an index column could be. */
function keysAreColumnsOf(keys: string[], scan: PlanNode): boolean {
  if (keys.length === 0) return false;
  return keys.every((key) => {
    const match = SORT_KEY.exec(key);
    return match !== null && (match[1] === undefined || match[1] === scan.alias || match[1] === scan.relation);
  });
}
