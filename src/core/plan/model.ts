/**
 * The analysed plan: what every consumer (CLI, panel, webview, diagnostics) reads.
 *
 * PostgreSQL's own EXPLAIN keys stay verbatim inside `raw`; everything Plan Lens derives lives in
 * camelCase fields beside it, so the two can never clash. The structure is JSON-serialisable
 * (no cycles, no Maps): the host posts it to the webview as is.
 */
import type { RawPlanNode, RawExplainResult } from './explain-json';

export type MisestimateDirection = 'under' | 'over' | 'exact';

export interface Misestimate {
  /** max(actual, estimated) / min(actual, estimated), both per loop, with 0 treated as 1; always >= 1. */
  factor: number;
  /** 'under': PostgreSQL expected fewer rows than came; 'over': it expected more. */
  direction: MisestimateDirection;
}

export interface NodeBuffers {
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  sharedWritten: number;
  localHit: number;
  localRead: number;
  localDirtied: number;
  localWritten: number;
  tempRead: number;
  tempWritten: number;
}

export interface PlanNode {
  /** Preorder index in `AnalyzedPlan.nodes`; the root is 0. */
  id: number;
  parentId: number | null;
  childIds: number[];
  depth: number;

  nodeType: string;
  /** The node as PostgreSQL's text format names it: "Parallel Seq Scan", "Partial HashAggregate", "Hash Left Join". */
  label: string;
  parentRelationship?: string;
  subplanName?: string;
  relation?: string;
  schema?: string;
  alias?: string;
  index?: string;
  cteName?: string;
  functionName?: string;
  joinType?: string;
  strategy?: string;
  operation?: string;
  parallelAware: boolean;

  startupCost: number;
  totalCost: number;
  /** Rows estimated per loop (PostgreSQL's "Plan Rows"). */
  planRows: number;
  planWidth: number;

  /** False for an estimate-only plan, or a node PostgreSQL reports as never executed. */
  executed: boolean;
  loops: number;
  /** Rows returned per loop (PostgreSQL's "Actual Rows"); undefined without ANALYZE. */
  actualRows?: number;
  /** actualRows x loops. */
  actualRowsTotal?: number;
  /** planRows x loops, the estimate comparable to actualRowsTotal. */
  planRowsTotal: number;
  misestimate?: Misestimate;

  /** Wall time of the node and its children, ms (actual total time x loops, divided among parallel workers). */
  inclusiveMs?: number;
  /** inclusiveMs minus the children's inclusive time (with CTE / InitPlan corrections), never below 0. */
  exclusiveMs?: number;
  /** exclusiveMs / AnalyzedPlan.totalMs, 0..1. */
  exclusiveShare?: number;

  rowsRemovedByFilter?: number;
  rowsRemovedByJoinFilter?: number;
  rowsRemovedByIndexRecheck?: number;
  /** removed / (removed + actualRowsTotal), 0..1, counting filter, join filter and recheck (all x loops). */
  removedRatio?: number;

  /** Buffers of this node alone (its children's subtracted); undefined without BUFFERS. */
  buffers?: NodeBuffers;
  /** sharedHit / (sharedHit + sharedRead) of this node alone; undefined when it touched no shared block. */
  cacheHitRatio?: number;
  ioReadMs?: number;
  ioWriteMs?: number;

  workersPlanned?: number;
  workersLaunched?: number;

  /** Every key PostgreSQL wrote for this node, verbatim, except "Plans". */
  raw: Omit<RawPlanNode, 'Plans'>;
}

export interface PlanMaxima {
  inclusiveMs: number;
  exclusiveMs: number;
  actualRowsTotal: number;
  planRowsTotal: number;
  totalCost: number;
  misestimateFactor: number;
  sharedBlocks: number;
}

export interface TriggerTiming {
  name: string;
  relation?: string;
  timeMs: number;
  calls: number;
}

export interface AnalyzedPlan {
  /** Nodes in preorder; nodes[i].id === i. */
  nodes: PlanNode[];
  /** Whether the plan carries actual times and rows (EXPLAIN ANALYZE). */
  analyzed: boolean;
  hasBuffers: boolean;
  planningMs?: number;
  executionMs?: number;
  /** Execution time when present, else the root's inclusive time, else undefined. */
  totalMs?: number;
  triggers: TriggerTiming[];
  jit?: { functions: number; totalMs: number; raw: Record<string, unknown> };
  settings?: Record<string, string>;
  maxima: PlanMaxima;
  /** The top-level object PostgreSQL returned, minus "Plan" (Planning, Triggers, JIT, ...). */
  rawTopLevel: Omit<RawExplainResult, 'Plan'>;
}
