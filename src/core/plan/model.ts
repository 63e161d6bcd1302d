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
  /** max(actual, estimated) / min(actual, estimated), both per loop ("Actual Rows" vs "Plan Rows"), with 0 treated as 1; always >= 1. */
  factor: number;
  /** 'under': PostgreSQL expected fewer rows than came; 'over': it expected more. */
  direction: MisestimateDirection;
}

/** Block counts (8 kB blocks by default) of the BUFFERS option; all loops and, under a Gather, all processes together. */
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

/** WAL generated (the WAL option); all loops and processes together. */
export interface NodeWal {
  records: number;
  fpi: number;
  bytes: number;
}

/** The server a Citus task ran on, as its "Node" names it ("host=10.0.0.5 port=5432 dbname=app"); all unset when Citus could not get the task's plan. */
export interface RemoteServer {
  node?: string;
  host?: string;
  port?: number;
  dbname?: string;
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
  /** "Actual Loops": how often the node ran (under a Gather, over all processes); 0 when never executed or not analyzed. */
  loops: number;
  /** Rows returned per loop (PostgreSQL's "Actual Rows"); undefined without ANALYZE. */
  actualRows?: number;
  /** actualRows x loops, rounded to a whole row (PostgreSQL reports a rounded per-loop average). */
  actualRowsTotal?: number;
  /** planRows x max(loops, 1), the estimate comparable to actualRowsTotal. */
  planRowsTotal: number;
  /**
   * Undefined without ANALYZE and for nodes that never executed. Factor 1 ("exact") when a Limit
   * above stopped the node before it ran dry (see stoppedEarly).
   */
  misestimate?: Misestimate;
  /**
   * True when a Limit above read fewer rows than the node would have returned, so its actual rows
   * fall short of the estimate by design, not by misjudgement.
   */
  stoppedEarly?: boolean;

  /**
   * Wall time of the node and its children, ms: "Actual Total Time" x loops, divided by the number of
   * processes under a Gather / Gather Merge (launched workers, plus the leader when it participates).
   * 0 for a node that never executed; undefined without ANALYZE or with TIMING OFF.
   */
  inclusiveMs?: number;
  /**
   * inclusiveMs minus the children's inclusive time, never below 0. An InitPlan's time is taken from
   * the node that uses its result (rather than the node it hangs under); a CTE's time from its
   * CTE Scans, in proportion to their own time, so neither is counted twice. A Citus scan's tasks
   * ran in parallel on other servers while it waited: only the longest shown task's time comes off
   * the scan (see analyzePlan).
   */
  exclusiveMs?: number;
  /** exclusiveMs / AnalyzedPlan.totalMs, 0..1. */
  exclusiveShare?: number;

  /** Over all loops (PostgreSQL reports a per-loop average), rounded to a whole row. */
  rowsRemovedByFilter?: number;
  rowsRemovedByJoinFilter?: number;
  rowsRemovedByIndexRecheck?: number;
  /**
   * removed / (removed + actualRowsTotal), 0..1, counting filter, join filter and recheck (all x loops);
   * undefined when the node reports none of them or saw no row at all.
   */
  removedRatio?: number;

  /** Buffers of this node alone (children subtracted, InitPlans and CTEs attributed as for exclusiveMs); undefined without BUFFERS. */
  buffers?: NodeBuffers;
  /** sharedHit / (sharedHit + sharedRead) of this node alone; undefined when it touched no shared block. */
  cacheHitRatio?: number;
  /**
   * I/O read time of this node alone, ms (track_io_timing): shared, local and temp together, summed
   * over parallel processes (so it can exceed exclusiveMs); undefined when PostgreSQL reported none.
   */
  ioReadMs?: number;
  /** I/O write time of this node alone, ms, as ioReadMs. */
  ioWriteMs?: number;
  /** WAL of this node alone (children subtracted); undefined without the WAL option. */
  wal?: NodeWal;

  /** Gather / Gather Merge only. */
  workersPlanned?: number;
  workersLaunched?: number;

  /**
   * Set on the nodes that ran on another server: a Citus task (nodeType "Task", a child of its
   * "Custom Scan (Citus Adaptive)") and every node of the task's remote plan below it.
   */
  remote?: RemoteServer;
  /**
   * A remote node's table as the distributed table Citus sharded it from ("orders" for the shard
   * "orders_102008" in `relation`): the name DDL and ANALYZE take on the coordinator.
   */
  distributedTable?: string;
  /** A Citus scan with tasks: how many tasks the job had ("Task Count") and how many the plan shows as child nodes. */
  tasks?: { shown: number; count?: number };

  /**
   * Every key PostgreSQL wrote for this node, verbatim, except what the model makes its children:
   * "Plans", a Citus scan's "Tasks" (under "Distributed Query"), a task's remote "Plan"s. A task's
   * keys are Citus's ("Node", "Remote Plan" with its "Execution Time"...), without "Node Type".
   */
  raw: Omit<RawPlanNode, 'Plans'>;
}

/** Largest value over all nodes, 0 when no node has one; for scaling bars and colours. */
export interface PlanMaxima {
  inclusiveMs: number;
  exclusiveMs: number;
  actualRowsTotal: number;
  planRowsTotal: number;
  totalCost: number;
  misestimateFactor: number;
  /** Exclusive shared blocks hit + read + dirtied + written. */
  sharedBlocks: number;
}

/**
 * A trigger's time over all its calls. AFTER triggers (foreign key checks among them) run once the
 * plan has finished: outside every node's time, inside executionMs. BEFORE triggers run inside the
 * modifying node's time.
 */
export interface TriggerTiming {
  name: string;
  /** The foreign key behind an RI_ConstraintTrigger. */
  constraint?: string;
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
  /** totalMs is 0 when PostgreSQL reported no JIT timing (EXPLAIN without ANALYZE). */
  jit?: { functions: number; totalMs: number; raw: Record<string, unknown> };
  settings?: Record<string, string>;
  maxima: PlanMaxima;
  /** The top-level object PostgreSQL returned, minus "Plan" (Planning, Triggers, JIT, ...). */
  rawTopLevel: Omit<RawExplainResult, 'Plan'>;
}
