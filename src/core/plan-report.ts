/**
 * The versioned, documented JSON object that `plan-lens explain --json` and `plan-lens analyze
 * --json` print. Scripts depend on it: add fields freely, but rename or remove one only with a
 * new `version`. The README documents every field.
 */
import type { AnalyzedPlan, MisestimateDirection } from './plan/model';
import type { RawExplainResult } from './plan/explain-json';

export const PLAN_REPORT_VERSION = 1;

export interface PlanReportNode {
  id: number;
  parentId: number | null;
  nodeType: string;
  label: string;
  parentRelationship: string | null;
  subplanName: string | null;
  relation: string | null;
  schema: string | null;
  alias: string | null;
  index: string | null;
  startupCost: number;
  totalCost: number;
  /** Rows PostgreSQL estimated over all loops (Plan Rows x loops). */
  rowsEstimated: number;
  /** Rows the node returned over all loops (Actual Rows x loops); null without ANALYZE. */
  rowsActual: number | null;
  loops: number | null;
  inclusiveMs: number | null;
  exclusiveMs: number | null;
  /** exclusiveMs as a share (0..1) of the whole execution. */
  exclusiveShare: number | null;
  misestimateFactor: number | null;
  misestimateDirection: MisestimateDirection | null;
  rowsRemovedByFilter: number | null;
  rowsRemovedByJoinFilter: number | null;
  removedRatio: number | null;
  sharedHitBlocks: number | null;
  sharedReadBlocks: number | null;
  cacheHitRatio: number | null;
  executed: boolean;
}

export interface PlanReport {
  version: typeof PLAN_REPORT_VERSION;
  /** The server's version string, e.g. "PostgreSQL 15.18"; null for a plan read from a file. */
  server: string | null;
  /** 'analyze' when the plan has actual times (EXPLAIN ANALYZE), else 'estimate'. */
  mode: 'analyze' | 'estimate';
  statement: string | null;
  planningMs: number | null;
  executionMs: number | null;
  totalMs: number | null;
  nodeCount: number;
  /** The EXPLAIN (FORMAT JSON) object exactly as PostgreSQL returned it. */
  plan: RawExplainResult;
  nodes: PlanReportNode[];
}

export interface PlanReportContext {
  server?: string;
  statement?: string;
}

export function buildPlanReport(raw: RawExplainResult, analyzed: AnalyzedPlan, context: PlanReportContext = {}): PlanReport {
  return {
    version: PLAN_REPORT_VERSION,
    server: context.server ?? null,
    mode: analyzed.analyzed ? 'analyze' : 'estimate',
    statement: context.statement ?? null,
    planningMs: analyzed.planningMs ?? null,
    executionMs: analyzed.executionMs ?? null,
    totalMs: analyzed.totalMs ?? null,
    nodeCount: analyzed.nodes.length,
    plan: raw,
    nodes: analyzed.nodes.map((node) => ({
      id: node.id,
      parentId: node.parentId,
      nodeType: node.nodeType,
      label: node.label,
      parentRelationship: node.parentRelationship ?? null,
      subplanName: node.subplanName ?? null,
      relation: node.relation ?? null,
      schema: node.schema ?? null,
      alias: node.alias ?? null,
      index: node.index ?? null,
      startupCost: node.startupCost,
      totalCost: node.totalCost,
      rowsEstimated: node.planRowsTotal,
      rowsActual: node.actualRowsTotal ?? null,
      loops: analyzed.analyzed ? node.loops : null,
      inclusiveMs: node.inclusiveMs ?? null,
      exclusiveMs: node.exclusiveMs ?? null,
      exclusiveShare: node.exclusiveShare ?? null,
      misestimateFactor: node.misestimate?.factor ?? null,
      misestimateDirection: node.misestimate?.direction ?? null,
      rowsRemovedByFilter: node.rowsRemovedByFilter ?? null,
      rowsRemovedByJoinFilter: node.rowsRemovedByJoinFilter ?? null,
      removedRatio: node.removedRatio ?? null,
      sharedHitBlocks: node.buffers?.sharedHit ?? null,
      sharedReadBlocks: node.buffers?.sharedRead ?? null,
      cacheHitRatio: node.cacheHitRatio ?? null,
      executed: node.executed,
    })),
  };
}
