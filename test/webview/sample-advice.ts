/**
 * Advice for captured PostgreSQL 15 plans, written out by hand the way the advisor words it:
 * findings on the plans' real node ids and an index suggestion with real DDL. The webview tests
 * check how advice is shown, not how it is found.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, IndexSuggestion, PlanAdvice } from '../../src/core/advice/advice-model';
import { analyzePlan, parseExplainJson } from '../../src/core/plan';
import type { AnalyzedPlan } from '../../src/core/plan/model';

export const PG15_DIR = join(__dirname, '..', 'fixtures', 'plans', 'pg15');

export function loadPg15Plan(name: string): AnalyzedPlan {
  return analyzePlan(parseExplainJson(readFileSync(join(PG15_DIR, `${name}.json`), 'utf8')));
}

export function loadPg15Statement(name: string): string {
  return readFileSync(join(PG15_DIR, `${name}.sql`), 'utf8').trim();
}

/** ecommerce-topn-n7: Limit ← Gather Merge ← Sort ← Hash Join ← (Parallel Seq Scan on products, Hash ← Seq Scan on categories). */
export const TOPN = {
  plan: 'ecommerce-topn-n7',
  /** The same statement once products has an index on created_at. */
  indexedPlan: 'ecommerce-topn-indexed-n5',
  gatherMergeId: 1,
  sortId: 2,
  productsScanId: 4,
  suggestionId: 'idx_products_created_at_price_active',
} as const;

export function topnSuggestion(overrides: Partial<IndexSuggestion> = {}): IndexSuggestion {
  return {
    id: TOPN.suggestionId,
    schema: 'public',
    table: 'products',
    columns: [
      { name: 'created_at', descending: true },
      { name: 'price', descending: false },
    ],
    include: [],
    where: 'is_active = true',
    kinds: ['compound', 'partial'],
    name: TOPN.suggestionId,
    concurrently: true,
    ddl: 'CREATE INDEX CONCURRENTLY idx_products_created_at_price_active ON public.products (created_at DESC, price) WHERE is_active = true;',
    reason:
      'Parallel Seq Scan on products p filters on is_active and price, and the Sort above it orders by created_at DESC for a LIMIT 20: ' +
      'an index in that order, on the active products only, returns the first 20 rows without reading the rest.',
    nodeIds: [TOPN.productsScanId, TOPN.sortId],
    verification: { method: 'hypopg', costBefore: 12_345, costAfter: 210, usedByPlanner: true },
    ...overrides,
  };
}

export function topnFindings(): Finding[] {
  return [
    {
      ruleId: 'jit-overhead',
      severity: 'warning',
      nodeId: null,
      nodeIds: [],
      title: 'JIT compilation took 33.1 ms, 62% of the 53.1 ms execution',
      explanation: "PostgreSQL compiled 12 functions to machine code because the plan's estimated cost exceeded jit_above_cost.",
      fix: "SET jit = off for this query or its role, or raise jit_above_cost above this plan's cost.",
      remedy: "SET jit = off for this query or its role, or raise jit_above_cost above this plan's cost.",
      impactMs: 33.1,
      suggestionIds: [],
    },
    {
      ruleId: 'seq-scan-large-table',
      severity: 'critical',
      nodeId: TOPN.productsScanId,
      nodeIds: [TOPN.productsScanId],
      title: 'Parallel Seq Scan on products p reads 200,000 rows to keep 80,036 (40%)',
      explanation:
        'PostgreSQL read every row of products and discarded 119,964 of them (60%) with the filter ' +
        "(is_active AND (price > '10000'::numeric)).",
      fix: 'Create an index on products (is_active, price), the columns of the filter; a partial index (WHERE is_active) is smaller.',
      remedy: 'Create an index on products (is_active, price), the columns of the filter; a partial index (WHERE is_active) is smaller.',
      impactMs: 19.9,
      suggestionIds: [TOPN.suggestionId],
    },
    {
      ruleId: 'top-n-sort-without-index',
      severity: 'warning',
      nodeId: TOPN.sortId,
      nodeIds: [TOPN.sortId],
      title: 'Sort of 80,036 rows to return the first 20 (ORDER BY created_at DESC)',
      explanation: 'Every matching row is read and sorted to keep 20 of them.',
      fix: 'An index on products (created_at DESC) lets PostgreSQL read the rows already in order and stop after 20.',
      remedy: 'An index on products (created_at DESC) lets PostgreSQL read the rows already in order and stop after 20.',
      impactMs: 12.8,
      suggestionIds: [TOPN.suggestionId],
    },
    {
      ruleId: 'parallel-workers-short',
      severity: 'info',
      nodeId: TOPN.gatherMergeId,
      nodeIds: [TOPN.gatherMergeId],
      title: 'Gather Merge started 2 workers for a 53 ms query',
      explanation: 'Starting parallel workers costs a few milliseconds each.',
      fix: 'Once the index makes the query fast, the planner no longer chooses a parallel plan.',
      remedy: 'Once the index makes the query fast, the planner no longer chooses a parallel plan.',
      impactMs: 2.4,
      suggestionIds: [],
    },
  ];
}

/** The advice as the host sends it: findings by impact, the largest first. */
export function topnAdvice(): PlanAdvice {
  return { findings: topnFindings(), suggestions: [topnSuggestion()] };
}
