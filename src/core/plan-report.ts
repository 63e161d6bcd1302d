/**
 * The versioned, documented JSON object that `plan-lens explain --json` and `plan-lens analyze
 * --json` print. Scripts depend on it: add fields freely, but rename or remove one only with a
 * new `version`. The README documents every field.
 */
import type { ExecutionHeadline, FixFirst, IndexKind, PlanAdvice, Severity } from './advice/advice-model';
import type { AnalyzedPlan, MisestimateDirection, PlanNode } from './plan/model';
import type { RawExplainResult } from './plan/explain-json';
import { countPlanNodes, planTimeMs, type FoundPlan } from './plan/find-plans';

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
  /** The Citus worker a node of `remoteNodes` ran on, as Citus names it ("host=10.0.0.5 port=5432 dbname=app"); null in `nodes`. */
  remote: string | null;
}

export interface PlanReportWarning {
  /** The rule's stable id, e.g. "seq-scan-large-table". */
  id: string;
  severity: Severity;
  /** The node it is about (the one with the most time at stake when there are several); null for a plan-wide finding. */
  nodeId: number | null;
  /** Every node with this cause (the partitions of one table, or one table read in several places); [] for a plan-wide finding. */
  nodeIds: number[];
  message: string;
  explanation: string;
  fix: string;
  /** Execution time at stake, ms: what fixing it could save at most. */
  impactMs: number;
  /** Names of the index suggestions that address it. */
  suggestions: string[];
}

export interface PlanReportSuggestion {
  name: string;
  schema: string | null;
  table: string;
  /** Key columns in order, "created_at DESC" for a descending one. */
  columns: string[];
  include: string[];
  where: string | null;
  kind: IndexKind[];
  ddl: string;
  reason: string;
  /** Estimated plan cost before and with the index (HypoPG); null when unverified. */
  costBefore: number | null;
  costAfter: number | null;
  /** True when the planner was shown the index (HypoPG) and chose it. */
  verified: boolean;
  nodeIds: number[];
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
  /** Nodes in `nodes` and `remoteNodes` together. */
  nodeCount: number;
  /** The EXPLAIN (FORMAT JSON) object exactly as PostgreSQL returned it. */
  plan: RawExplainResult;
  /** The nodes of the plan's "Plan" / "Plans" tree, in preorder. */
  nodes: PlanReportNode[];
  /**
   * Citus: the tasks under a "Custom Scan (Citus Adaptive)" and the nodes of their remote plans,
   * which ran on worker nodes. Ids count preorder over the whole tree, so a node's id in either list
   * is its position in the tree the text view draws, and `parentId` may point into the other list.
   */
  remoteNodes: PlanReportNode[];
  /** Execution time against the target; null for estimates. */
  headline: ExecutionHeadline | null;
  /** The top finding above info and what fixing it is expected to gain; null when there is none. */
  fixFirst: FixFirst | null;
  /** Findings of the warning rules, one per cause, largest time at stake first. */
  warnings: PlanReportWarning[];
  /** Index suggestions, best verified improvement first; empty without a database. */
  suggestions: PlanReportSuggestion[];
  /** Present when the input held several plans (an auto_explain log): every one, in input order; the report is about the one marked chosen. */
  plans?: PlanReportEntry[];
}

/** One plan of an input that held several. */
export interface PlanReportEntry {
  /** 1-based position in the input, as `--plan N` takes it. */
  number: number;
  startLine: number;
  endLine: number;
  format: 'text' | 'json';
  /** The log entry's duration, else the plan's execution time, ms; null when neither is known. */
  durationMs: number | null;
  /** The log line's prefix before the level (timestamp, process id...), null outside a log. */
  logPrefix: string | null;
  statement: string | null;
  /** Nodes read (up to the damage for a damaged plan); null when nothing could be read. */
  nodeCount: number | null;
  chosen: boolean;
  /** Why the plan could not be read, whole or in part; null when it was. */
  error: string | null;
}

export function planIndexReport(plans: FoundPlan[], chosen: number): PlanReportEntry[] {
  return plans.map((plan, i) => ({
    number: i + 1,
    startLine: plan.startLine,
    endLine: plan.endLine,
    format: plan.format,
    durationMs: planTimeMs(plan) ?? null,
    logPrefix: plan.logPrefix ?? null,
    statement: plan.queryText ?? null,
    nodeCount: plan.raw ? countPlanNodes(plan.raw.Plan) : null,
    chosen: i === chosen,
    error: plan.error?.message ?? null,
  }));
}

export interface PlanReportContext {
  server?: string;
  statement?: string;
  advice?: PlanAdvice;
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
    nodes: analyzed.nodes.filter((node) => !node.remote).map((node) => reportNode(node, analyzed.analyzed)),
    remoteNodes: analyzed.nodes.filter((node) => node.remote).map((node) => reportNode(node, analyzed.analyzed)),
    headline: context.advice?.headline ?? null,
    fixFirst: context.advice?.fixFirst ?? null,
    warnings: (context.advice?.findings ?? []).map((finding) => ({
      id: finding.ruleId,
      severity: finding.severity,
      nodeId: finding.nodeId,
      nodeIds: finding.nodeIds,
      message: finding.title,
      explanation: finding.explanation,
      fix: finding.fix,
      impactMs: finding.impactMs,
      suggestions: finding.suggestionIds,
    })),
    suggestions: (context.advice?.suggestions ?? []).map((suggestion) => ({
      name: suggestion.name,
      schema: suggestion.schema ?? null,
      table: suggestion.table,
      columns: suggestion.columns.map((c) => (c.descending ? `${c.name} DESC` : c.name)),
      include: suggestion.include,
      where: suggestion.where ?? null,
      kind: suggestion.kinds,
      ddl: suggestion.ddl,
      reason: suggestion.reason,
      costBefore: suggestion.verification.costBefore ?? null,
      costAfter: suggestion.verification.costAfter ?? null,
      verified: suggestion.verification.method !== 'unverified' && suggestion.verification.usedByPlanner === true,
      nodeIds: suggestion.nodeIds,
    })),
  };
}

function reportNode(node: PlanNode, analyzed: boolean): PlanReportNode {
  return {
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
    loops: analyzed ? node.loops : null,
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
    remote: node.remote ? (node.remote.node ?? '') : null,
  };
}
