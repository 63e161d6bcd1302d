/**
 * row-misestimate: the planner expected far more or far fewer rows than a node produced. Every
 * choice above the node (join method, join order, memory) was made for the wrong row count.
 *
 * A misestimate propagates: a join over a scan estimated 100x too low is itself about 100x off.
 * Only the node where it starts is reported, the one whose own estimate adds at least
 * MISESTIMATE_INFO_FACTOR to what its children already brought.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan, PlanNode } from '../../plan/model';
import { inclusiveMs, rawText, rowChildren } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatFactor, formatRows, rowsPhrase } from '../../format';
import { nodeName, tableName } from '../../plan/node-label';

export const ROW_MISESTIMATE = 'row-misestimate';

/** Estimate off by this factor (either way): plan choices start to go wrong, info. */
export const MISESTIMATE_INFO_FACTOR = 10;
/** Off by this factor: join methods and memory sizing are likely wrong, warning. */
export const MISESTIMATE_WARNING_FACTOR = 100;
/** Off by this factor: the plan was made for a different query size altogether, critical. */
export const MISESTIMATE_CRITICAL_FACTOR = 1_000;
/** Estimated and actual rows (over all loops) both below this: too few rows for the error to matter. */
export const MISESTIMATE_MIN_ROWS = 100;

/** The fewest rows per loop PostgreSQL ever estimates. */
const MIN_ROWS_PER_LOOP = 1;
/** Nodes whose row count only passes their input on: the plan above them was chosen for their input's estimate. */
const PASS_THROUGH = new Set(['Hash', 'Materialize', 'Memoize', 'Gather', 'Gather Merge', 'Sort', 'Incremental Sort']);

export const rowMisestimate: Rule = {
  id: ROW_MISESTIMATE,
  title: 'Row estimate far off',
  description:
    'The planner estimated a node would return far more or far fewer rows than it did (per loop, not counting nodes a Limit stopped early). Reported where the error starts, not at every node it propagates to.',
  needs: 'actuals',
  thresholds: [
    {
      name: 'MISESTIMATE_INFO_FACTOR',
      value: MISESTIMATE_INFO_FACTOR,
      meaning: "info from this factor, which is also the least a node must add to its children's error to be reported",
    },
    { name: 'MISESTIMATE_WARNING_FACTOR', value: MISESTIMATE_WARNING_FACTOR, meaning: 'warning from this factor' },
    { name: 'MISESTIMATE_CRITICAL_FACTOR', value: MISESTIMATE_CRITICAL_FACTOR, meaning: 'critical from this factor' },
    {
      name: 'MISESTIMATE_MIN_ROWS',
      value: MISESTIMATE_MIN_ROWS,
      meaning: 'ignored when both estimated and actual rows (all loops) are below this',
    },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      // No misestimate to judge: not run, or an estimate that is a placeholder (Citus's distributed scan).
      if (node.actualRows === undefined || node.misestimate === undefined) continue;
      const signed = signedFactor(node);
      const under = signed > 1;
      const factor = under ? signed : 1 / signed;
      if (factor < MISESTIMATE_INFO_FACTOR) continue;
      if (Math.max(node.actualRowsTotal ?? 0, node.planRowsTotal) < MISESTIMATE_MIN_ROWS) continue;
      if (ownFactor(plan, node, signed) < MISESTIMATE_INFO_FACTOR) continue;

      const perLoop = node.loops > 1 ? ' per loop' : '';
      const consumer = decidingAncestor(plan, node);
      findings.push(
        nodeFinding(ROW_MISESTIMATE, node, {
          severity: factor >= MISESTIMATE_CRITICAL_FACTOR ? 'critical' : factor >= MISESTIMATE_WARNING_FACTOR ? 'warning' : 'info',
          title:
            `${nodeName(node)} returned ${rowsPhrase(node.actualRows)}${perLoop} where the planner estimated ${formatRows(node.planRows)} ` +
            `(${formatFactor(factor)} ${under ? 'more' : 'fewer'})`,
          explanation: explanationFor(node, consumer, under),
          remedy: remedyFor(node),
          // The work above the node that was planned on this estimate: what a better estimate could change.
          impactMs: consumer ? Math.max(0, inclusiveMs(consumer) - inclusiveMs(node)) : 0,
        }),
      );
    }
    return findings;
  },
};

/**
 * actual / estimated rows per loop: above 1 when more rows came than estimated. PostgreSQL never
 * estimates fewer than one row per loop, so both count as at least one: below that, no estimate
 * could have been closer. 1 for nodes without a meaningful comparison (never executed, or stopped
 * early by a Limit).
 */
function signedFactor(node: PlanNode): number {
  if (!node.executed || node.actualRows === undefined || node.stoppedEarly) return 1;
  return Math.max(node.actualRows, MIN_ROWS_PER_LOOP) / Math.max(node.planRows, MIN_ROWS_PER_LOOP);
}

/**
 * How much of the node's error is its own. A join's estimate multiplies its inputs' (rows =
 * outer x inner x selectivity), so their errors multiply too; a single-input node inherits its
 * input's error. What remains after dividing them out, in the node's own direction.
 */
function ownFactor(plan: AnalyzedPlan, node: PlanNode, signed: number): number {
  let inherited = 1;
  for (const child of rowChildren(plan, node)) inherited *= signedFactor(child);
  const own = signed / inherited;
  return signed > 1 ? own : 1 / own;
}

/** The nearest ancestor that chose how to process this node's rows (skipping nodes that only pass them on). */
function decidingAncestor(plan: AnalyzedPlan, node: PlanNode): PlanNode | undefined {
  let parentId = node.parentId;
  while (parentId !== null) {
    const parent = plan.nodes[parentId];
    if (!PASS_THROUGH.has(parent.nodeType)) return parent;
    parentId = parent.parentId;
  }
  return undefined;
}

function explanationFor(node: PlanNode, consumer: PlanNode | undefined, under: boolean): string {
  const above = consumer ? `The ${nodeName(consumer)} above it was planned` : 'The plan was chosen';
  const planned = `${above} for ${rowsPhrase(node.planRows)} and got ${formatRows(node.actualRows!)}.`;
  return under
    ? `${planned} Plans made for few rows go wrong with many: a Nested Loop repeats its inner side once per row, ` +
        'a hash table or sort sized for a few rows spills to disk, an index path loses to a scan.'
    : `${planned} Expecting many rows, the planner may have avoided a Nested Loop or an index that would have been faster ` +
        'for the few that came, or started parallel workers for nothing.';
}

function remedyFor(node: PlanNode): string {
  const table = tableName(node);
  const condition = rawText(node, 'Filter') ?? rawText(node, 'Index Cond') ?? rawText(node, 'Recheck Cond');
  if (!table) {
    const joinCondition = rawText(node, 'Hash Cond') ?? rawText(node, 'Merge Cond') ?? rawText(node, 'Join Filter');
    return (
      `Run ANALYZE on the tables below this node so their statistics are current${joinCondition ? `; the estimate of ${joinCondition} depends on the number of distinct values of its columns` : ''}. ` +
      'Raise the statistics target of the join and filter columns (ALTER TABLE ... ALTER COLUMN ... SET STATISTICS 1000, then ANALYZE), and create extended statistics ' +
      '(CREATE STATISTICS ... (ndistinct, dependencies, mcv) ON col_a, col_b FROM table) where a filter combines correlated columns.'
    );
  }
  const steps = [`Run ANALYZE ${table}: its statistics may be stale.`];
  if (condition) {
    steps.push(
      `If they are current, raise the statistics target of the columns of ${condition} ` +
        `(ALTER TABLE ${table} ALTER COLUMN ... SET STATISTICS 1000, then ANALYZE ${table}). ` +
        'Where the condition combines columns whose values go together, which the planner assumes independent, ' +
        `extended statistics on them (CREATE STATISTICS ... (dependencies, ndistinct, mcv) ON those columns FROM ${table}, then ANALYZE) correct the estimate; ` +
        'for a condition on an expression, statistics on that expression do.',
    );
  }
  return steps.join(' ');
}
