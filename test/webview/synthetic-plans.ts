/**
 * EXPLAIN (ANALYZE, FORMAT JSON) results made up to order: plans of any size for the benchmarks,
 * and a plan whose strings are markup, for the injection tests. They go through the real
 * parser and analyser like any captured plan.
 */
import type { RawExplainResult, RawPlanNode } from '../../src/core/plan/explain-json';

/** A deterministic pseudo-random sequence, so every run measures the same plan. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Shape {
  type: string;
  extra?: Record<string, unknown>;
  children?: Shape[];
}

function scan(relation: string, next: () => number): Shape {
  const kind = next();
  if (kind < 0.5) {
    return { type: 'Seq Scan', extra: { 'Relation Name': relation, Alias: relation, Filter: `(created_at >= '2024-01-01'::date)` } };
  }
  if (kind < 0.8) {
    return {
      type: 'Bitmap Heap Scan',
      extra: { 'Relation Name': relation, Alias: relation, 'Recheck Cond': '(customer_id = 42)' },
      children: [{ type: 'Bitmap Index Scan', extra: { 'Index Name': `${relation}_customer_id_idx`, 'Index Cond': '(customer_id = 42)' } }],
    };
  }
  return {
    type: 'Nested Loop',
    extra: { 'Join Type': 'Inner' },
    children: [
      {
        type: 'Index Scan',
        extra: { 'Relation Name': relation, Alias: relation, 'Index Name': `${relation}_pkey`, 'Index Cond': '(id = 7)' },
      },
      { type: 'Index Only Scan', extra: { 'Relation Name': 'customers', Alias: 'c', 'Index Name': 'customers_pkey' } },
    ],
  };
}

function size(shape: Shape): number {
  return 1 + (shape.children ?? []).reduce((sum, child) => sum + size(child), 0);
}

/** A wide nest of joins 20 deep, so deep subtrees exist too. */
function chain(depth: number, next: () => number): Shape {
  let shape = scan('audit_log', next);
  for (let level = 0; level < depth; level++) {
    shape = {
      type: 'Hash Join',
      extra: { 'Join Type': 'Inner', 'Hash Cond': `(t${level}.id = audit_log.ref_id)` },
      children: [
        shape,
        { type: 'Hash', children: [{ type: 'Seq Scan', extra: { 'Relation Name': `lookup_${level}`, Alias: `t${level}` } }] },
      ],
    };
  }
  return shape;
}

/**
 * A partitioned-table plan of exactly `nodeCount` nodes (at least 30): an aggregate over a
 * hash join of an Append of partition scans (of one, two or three nodes each) with a deep join chain.
 */
export function syntheticExplain(nodeCount: number, seed = 1): RawExplainResult {
  const next = random(seed);
  const deep = chain(8, next);
  const fixed = 3 + size(deep);
  const partitions: Shape[] = [];
  let remaining = nodeCount - fixed - 1;
  for (let i = 0; remaining > 0; i++) {
    let partition = scan(`orders_p${String(i).padStart(5, '0')}`, next);
    if (size(partition) > remaining) {
      partition = { type: 'Seq Scan', extra: { 'Relation Name': `orders_p${i}`, Alias: `orders_p${i}` } };
    }
    partitions.push(partition);
    remaining -= size(partition);
  }
  const shape: Shape = {
    type: 'Aggregate',
    extra: { Strategy: 'Plain' },
    children: [
      {
        type: 'Hash Join',
        extra: { 'Join Type': 'Inner', 'Hash Cond': '(orders.ref_id = audit_log.id)' },
        children: [
          { type: 'Append', children: partitions },
          { type: 'Hash', children: [deep] },
        ],
      },
    ],
  };
  const plan = toRaw(shape, next, undefined);
  return { Plan: plan, 'Planning Time': 12.5, 'Execution Time': plan['Actual Total Time'] as number };
}

/** Builds the raw node bottom-up, so that times and costs add up as PostgreSQL's would. */
function toRaw(shape: Shape, next: () => number, relationship: string | undefined): RawPlanNode {
  const children = (shape.children ?? []).map((child, i) => toRaw(child, next, i === 0 ? 'Outer' : 'Inner'));
  const childTime = children.reduce((sum, child) => sum + (child['Actual Total Time'] as number), 0);
  const childCost = children.reduce((sum, child) => sum + (child['Total Cost'] as number), 0);
  const rows = Math.max(1, Math.round(next() ** 3 * 100_000));
  const estimate = Math.max(1, Math.round(rows * (next() < 0.1 ? 50 : 0.5 + next())));
  const read = Math.round(next() * 400);
  return {
    'Node Type': shape.type,
    ...(relationship ? { 'Parent Relationship': relationship } : {}),
    'Parallel Aware': false,
    'Startup Cost': 0,
    'Total Cost': Math.round((childCost + next() * 1000) * 100) / 100,
    'Plan Rows': estimate,
    'Plan Width': 8 + Math.round(next() * 120),
    'Actual Startup Time': 0.01,
    'Actual Total Time': Math.round((childTime + next() ** 4 * 40) * 1000) / 1000,
    'Actual Rows': rows,
    'Actual Loops': 1,
    ...shape.extra,
    'Shared Hit Blocks': Math.round(next() * 100) + children.reduce((s, c) => s + (c['Shared Hit Blocks'] as number), 0),
    'Shared Read Blocks': read + children.reduce((s, c) => s + (c['Shared Read Blocks'] as number), 0),
    ...(children.length > 0 ? { Plans: children } : {}),
  };
}

export const IMG_PAYLOAD = '<img src=x onerror=alert(1)>';
export const SCRIPT_PAYLOAD = '</script><script>window.__pwned=1</script>';

/** A two-node plan whose relation, alias, filter and sort key are markup. */
export function hostileExplain(): RawExplainResult {
  return {
    Plan: {
      'Node Type': 'Sort',
      'Parallel Aware': false,
      'Startup Cost': 10,
      'Total Cost': 12,
      'Plan Rows': 5,
      'Plan Width': 40,
      'Actual Startup Time': 0.2,
      'Actual Total Time': 0.3,
      'Actual Rows': 5,
      'Actual Loops': 1,
      'Sort Key': [`(note || '${SCRIPT_PAYLOAD}')`],
      Plans: [
        {
          'Node Type': 'Seq Scan',
          'Parent Relationship': 'Outer',
          'Parallel Aware': false,
          'Relation Name': IMG_PAYLOAD,
          Alias: SCRIPT_PAYLOAD,
          'Startup Cost': 0,
          'Total Cost': 10,
          'Plan Rows': 5,
          'Plan Width': 40,
          'Actual Startup Time': 0.01,
          'Actual Total Time': 0.1,
          'Actual Rows': 5,
          'Actual Loops': 1,
          Filter: `((note = '${IMG_PAYLOAD}'::text) OR (body = '${SCRIPT_PAYLOAD}'::text))`,
          'Rows Removed by Filter': 95,
        },
      ],
    },
    'Planning Time': 0.1,
    'Execution Time': 0.4,
  };
}
