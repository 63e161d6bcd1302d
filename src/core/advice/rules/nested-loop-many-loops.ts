/**
 * nested-loop-many-loops: a Nested Loop runs its inner side thousands of times and each run reads
 * it without an index on the join key (a Seq Scan, a Materialize rescanned in full, or an index
 * scan whose filter discards nearly everything). A Hash Join would read the inner side once; an
 * index on the join key would make each run a lookup. Which one is right depends on the data size:
 * a Nested Loop over an index wins for a few outer rows, a Hash Join for many.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan, PlanNode } from '../../plan/model';
import { descendants, inclusiveMs, innerChild, outerChild, rawText, rowChildren, rowsExamined } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount, formatFactor } from '../../format';
import { nodeName, tableName } from '../../plan/node-label';

export const NESTED_LOOP_MANY_LOOPS = 'nested-loop-many-loops';

/** Inner-side runs from which rescanning it adds up. */
export const NESTED_LOOP_MIN_LOOPS = 1_000;
/** Rows the inner side reads over all runs from which the repeated work is worth a finding: warning. */
export const NESTED_LOOP_MIN_ROWS_READ = 100_000;
/** Rows read over all runs from which the repeated work dominates almost any plan: critical. */
export const NESTED_LOOP_CRITICAL_ROWS_READ = 10_000_000;
/** An inner index scan whose filters remove this share of what it reads does not narrow by the join key. */
export const NESTED_LOOP_INNER_REMOVED_SHARE = 0.9;
/** Outer-side misestimate from which the fix names it as the likely reason the planner chose a Nested Loop. */
const OUTER_MISESTIMATE_FACTOR = 10;

const INDEX_SCANS = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

interface InnerRead {
  /** The node that reads the rows each run: the scan, or the Materialize that replays them. */
  node: PlanNode;
  rowsRead: number;
  how: 'scan' | 'materialize' | 'filtered index';
}

export const nestedLoopManyLoops: Rule = {
  id: NESTED_LOOP_MANY_LOOPS,
  title: 'Nested Loop rescans its inner side without an index',
  description:
    'A Nested Loop runs its inner side thousands of times, and each run reads it without an index on the join key: a Hash Join would read it once, an index would make each run a lookup.',
  needs: 'actuals',
  thresholds: [
    { name: 'NESTED_LOOP_MIN_LOOPS', value: NESTED_LOOP_MIN_LOOPS, meaning: 'fewest runs of the inner side to report' },
    {
      name: 'NESTED_LOOP_MIN_ROWS_READ',
      value: NESTED_LOOP_MIN_ROWS_READ,
      meaning: 'fewest rows read by the inner side over all runs to report (warning)',
    },
    {
      name: 'NESTED_LOOP_CRITICAL_ROWS_READ',
      value: NESTED_LOOP_CRITICAL_ROWS_READ,
      meaning: 'critical from this many rows read over all runs',
    },
    {
      name: 'NESTED_LOOP_INNER_REMOVED_SHARE',
      value: NESTED_LOOP_INNER_REMOVED_SHARE,
      meaning: 'an inner index scan removing this share of its rows counts as not using the join key',
    },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      if (node.nodeType !== 'Nested Loop' || !node.executed) continue;
      const inner = innerChild(plan, node);
      const outer = outerChild(plan, node);
      if (!inner || !outer) continue;
      const read = innerRead(plan, inner);
      if (!read || read.node.loops < NESTED_LOOP_MIN_LOOPS || read.rowsRead < NESTED_LOOP_MIN_ROWS_READ) continue;
      // Without any condition (a cross join) every pair is wanted: no other join method could do less.
      const joinCondition = conditionOf(plan, node, outer, read);
      if (joinCondition === undefined) continue;

      const loops = read.node.loops;
      const what = read.how === 'materialize' ? describeMaterialize(plan, read.node) : nodeName(read.node);
      const verb = read.how === 'materialize' ? 'rescans' : 'runs';
      findings.push(
        nodeFinding(NESTED_LOOP_MANY_LOOPS, node, {
          severity: read.rowsRead >= NESTED_LOOP_CRITICAL_ROWS_READ ? 'critical' : 'warning',
          title: `${nodeName(node)} ${verb} ${what} ${formatCount(loops)} times, reading ${formatCount(read.rowsRead)} rows`,
          explanation:
            `For each of the ${formatCount(outer.actualRowsTotal ?? loops)} rows of its outer side, the Nested Loop ${
              read.how === 'materialize'
                ? 'replays every row kept by the Materialize'
                : read.how === 'scan'
                  ? 'scans the inner table again'
                  : 'runs an index scan that does not narrow by the join key'
            } and tests ${joinCondition}: ${formatCount(read.rowsRead)} rows read in all. ` +
            'A Hash Join reads the inner side once and looks matches up in memory; an index on the join key turns each run into a quick lookup. ' +
            'A Nested Loop over an index is right for a few outer rows, a Hash Join for many.',
          indexNeed: `the join key of ${innerTableName(plan, read)} in ${joinCondition}`,
          remedy: remedyFor(node, outer, read),
          // A Hash Join would read the inner side once: the rest of the join's time beyond the outer side is at stake.
          impactMs: inclusiveMs(node) - inclusiveMs(outer) - inclusiveMs(inner) / Math.max(inner.loops, 1),
        }),
      );
    }
    return findings;
  },
};

function innerRead(plan: AnalyzedPlan, inner: PlanNode): InnerRead | undefined {
  let node = inner;
  // A Memoize answers repeated keys from its cache: only its misses run the node below.
  if (node.nodeType === 'Memoize') {
    const below = rowChildren(plan, node)[0];
    if (!below) return undefined;
    node = below;
  }
  if (!node.executed) return undefined;
  if (node.nodeType === 'Materialize') return { node, rowsRead: node.actualRowsTotal ?? 0, how: 'materialize' };
  const examined = rowsExamined(node) ?? 0;
  if (node.nodeType === 'Seq Scan') return { node, rowsRead: examined, how: 'scan' };
  if (INDEX_SCANS.has(node.nodeType) && (node.removedRatio ?? 0) >= NESTED_LOOP_INNER_REMOVED_SHARE) {
    return { node, rowsRead: examined, how: 'filtered index' };
  }
  return undefined;
}

/**
 * The join's condition: its Join Filter, or else a condition of the inner scan that refers to the
 * outer side (the scan is parameterized by the outer row). Undefined for a cross join.
 */
function conditionOf(plan: AnalyzedPlan, join: PlanNode, outer: PlanNode, read: InnerRead): string | undefined {
  const joinFilter = rawText(join, 'Join Filter');
  if (joinFilter) return joinFilter;
  const outerNames = new Set<string>();
  for (const node of [outer, ...descendants(plan, outer)]) {
    if (node.alias) outerNames.add(node.alias);
    if (node.relation) outerNames.add(node.relation);
  }
  for (const key of ['Index Cond', 'Recheck Cond', 'Filter']) {
    const condition = rawText(read.node, key);
    if (condition !== undefined && qualifiersIn(condition).some((name) => outerNames.has(name))) return condition;
  }
  return undefined;
}

/**
 * The names before a dot in a condition as EXPLAIN prints it ("(t.item_id = i.id)" -> t, i),
 * string literals left out: which tables the condition refers to.
 */
function qualifiersIn(condition: string): string[] {
  const code = condition.replace(/'(?:[^']|'')*'/g, "''");
  return [...code.matchAll(/(?<![\w$".])("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\.(?=["A-Za-z_])/g)].map((m) =>
    m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1],
  );
}

function describeMaterialize(plan: AnalyzedPlan, materialize: PlanNode): string {
  const source = rowChildren(plan, materialize)[0];
  return source ? `Materialize (of ${nodeName(source)})` : 'Materialize';
}

/** The table the inner side reads, looking through a Materialize. */
function innerTableName(plan: AnalyzedPlan, read: InnerRead): string {
  let node: PlanNode | undefined = read.node;
  while (node && !node.relation) node = rowChildren(plan, node)[0];
  return (node && tableName(node)) ?? 'the inner side';
}

function remedyFor(join: PlanNode, outer: PlanNode, read: InnerRead): string {
  const steps: string[] = [];
  const outerMisestimate = outer.misestimate;
  if (outerMisestimate && outerMisestimate.direction === 'under' && outerMisestimate.factor >= OUTER_MISESTIMATE_FACTOR) {
    steps.push(
      `The planner expected ${formatCount(outer.planRowsTotal)} outer rows and got ${formatCount(outer.actualRowsTotal ?? 0)} ` +
        `(${formatFactor(outerMisestimate.factor)} more): with a correct estimate it would likely have chosen a Hash Join; ANALYZE the outer tables.`,
    );
  } else {
    steps.push(
      'If many outer rows are normal for this query, a Hash Join suits it better: check that enable_hashjoin is on and that the join condition is an equality, which a Hash Join needs.',
    );
  }
  if (join.raw['Join Filter'] !== undefined && read.how === 'materialize') {
    steps.push(
      'A join condition that is not an equality (a range, an OR, a function) leaves the planner no join but the Nested Loop: rewrite it as an equality where possible.',
    );
  }
  return steps.join(' ');
}
