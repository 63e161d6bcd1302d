/**
 * The shape of `EXPLAIN (FORMAT JSON)` output as PostgreSQL 13 to 18 write it.
 *
 * Keys stay exactly as PostgreSQL spells them: a plan pasted from any version round-trips
 * untouched, and the names match what users read in PostgreSQL's documentation. Every known key is
 * optional (which ones appear depends on the version, the node type and the EXPLAIN options); the
 * index signatures keep keys this file does not know yet, such as those of extensions or newer
 * servers.
 */

/** Values of "Node Type", PostgreSQL 13 to 18 (the text format's names differ for some: see nodeLabel). */
export type NodeType =
  | 'Result'
  | 'ProjectSet'
  | 'ModifyTable'
  | 'Append'
  | 'Merge Append'
  | 'Recursive Union'
  | 'BitmapAnd'
  | 'BitmapOr'
  | 'Nested Loop'
  | 'Merge Join'
  | 'Hash Join'
  | 'Seq Scan'
  | 'Sample Scan'
  | 'Gather'
  | 'Gather Merge'
  | 'Index Scan'
  | 'Index Only Scan'
  | 'Bitmap Index Scan'
  | 'Bitmap Heap Scan'
  | 'Tid Scan'
  | 'Tid Range Scan'
  | 'Subquery Scan'
  | 'Function Scan'
  | 'Table Function Scan'
  | 'Values Scan'
  | 'CTE Scan'
  | 'Named Tuplestore Scan'
  | 'WorkTable Scan'
  | 'Foreign Scan'
  | 'Custom Scan'
  | 'Materialize'
  | 'Memoize'
  | 'Sort'
  | 'Incremental Sort'
  | 'Group'
  | 'Aggregate'
  | 'WindowAgg'
  | 'Unique'
  | 'SetOp'
  | 'LockRows'
  | 'Limit'
  | 'Hash';

/** Values PostgreSQL writes as "Parent Relationship". */
export type ParentRelationship = 'Outer' | 'Inner' | 'Member' | 'InitPlan' | 'SubPlan' | 'Subquery' | 'children';

/** Block counters of the BUFFERS option, on plan nodes, workers, "Planning" and "Serialization". */
export interface RawBufferCounters {
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Shared Dirtied Blocks'?: number;
  'Shared Written Blocks'?: number;
  'Local Hit Blocks'?: number;
  'Local Read Blocks'?: number;
  'Local Dirtied Blocks'?: number;
  'Local Written Blocks'?: number;
  'Temp Read Blocks'?: number;
  'Temp Written Blocks'?: number;
  /** PostgreSQL 13-16: shared and local blocks together; ms. */
  'I/O Read Time'?: number;
  'I/O Write Time'?: number;
  /** PostgreSQL 17+; ms. */
  'Shared I/O Read Time'?: number;
  'Shared I/O Write Time'?: number;
  'Local I/O Read Time'?: number;
  'Local I/O Write Time'?: number;
  /** PostgreSQL 15+; ms. */
  'Temp I/O Read Time'?: number;
  'Temp I/O Write Time'?: number;
}

/** Counters of the WAL option (PostgreSQL 13+). */
export interface RawWalCounters {
  'WAL Records'?: number;
  'WAL FPI'?: number;
  'WAL Bytes'?: number;
  /** PostgreSQL 18+. */
  'WAL Buffers Full'?: number;
}

/** JIT compilation summary, at top level or per worker. */
export interface RawJit {
  'Worker Number'?: number;
  Functions?: number;
  Options?: { Inlining?: boolean; Optimization?: boolean; Expressions?: boolean; Deforming?: boolean; [key: string]: unknown };
  /** ms; PostgreSQL 17+ writes "Generation" as an object with "Deform" and "Total". */
  Timing?: {
    Generation?: number | { Deform?: number; Total?: number };
    Inlining?: number;
    Optimization?: number;
    Emission?: number;
    Total?: number;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Incremental Sort's "Full-sort Groups" / "Pre-sorted Groups". */
export interface RawSortGroups {
  'Group Count'?: number;
  'Sort Methods Used'?: string[];
  'Sort Space Memory'?: { 'Average Sort Space Used'?: number; 'Peak Sort Space Used'?: number };
  'Sort Space Disk'?: { 'Average Sort Space Used'?: number; 'Peak Sort Space Used'?: number };
  [key: string]: unknown;
}

/** One parallel worker's share of a node (VERBOSE, or sort/hash details). Its counters are this worker's only. */
export interface RawWorker extends RawBufferCounters, RawWalCounters {
  'Worker Number'?: number;
  'Actual Startup Time'?: number;
  'Actual Total Time'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Sort Method'?: string;
  'Sort Space Used'?: number;
  'Sort Space Type'?: string;
  'Full-sort Groups'?: RawSortGroups;
  'Pre-sorted Groups'?: RawSortGroups;
  'Hash Buckets'?: number;
  'Hash Batches'?: number;
  'Peak Memory Usage'?: number;
  'Disk Usage'?: number;
  'HashAgg Batches'?: number;
  'Exact Heap Blocks'?: number;
  'Lossy Heap Blocks'?: number;
  'Index Searches'?: number;
  'Cache Hits'?: number;
  'Cache Misses'?: number;
  'Cache Evictions'?: number;
  'Cache Overflows'?: number;
  JIT?: RawJit;
  [key: string]: unknown;
}

/** One node of the plan tree. Per-loop values ("Actual Rows", "Rows Removed by Filter", times) are averages over "Actual Loops". */
export interface RawPlanNode extends RawBufferCounters, RawWalCounters {
  // `string & {}` keeps other names (extensions, future versions) while editors still offer the known ones.
  'Node Type': NodeType | (string & {});
  Plans?: RawPlanNode[];
  'Parent Relationship'?: ParentRelationship | string;
  /** "InitPlan 1 (returns $0)" (PostgreSQL 13-16), "InitPlan 1" (17+), "SubPlan 2", "CTE name". */
  'Subplan Name'?: string;
  /** Aggregate: "Plain" | "Sorted" | "Hashed" | "Mixed"; SetOp: "Sorted" | "Hashed". */
  Strategy?: string;
  /** Aggregate: "Simple" | "Partial" | "Finalize". */
  'Partial Mode'?: string;
  /** ModifyTable and Foreign Scan: "Select" | "Insert" | "Update" | "Delete" | "Merge". */
  Operation?: string;
  /** SetOp: "Intersect" | "Intersect All" | "Except" | "Except All". */
  Command?: string;
  'Custom Plan Provider'?: string;
  'Parallel Aware'?: boolean;
  /** PostgreSQL 14+. */
  'Async Capable'?: boolean;
  /** PostgreSQL 18+: the planner had to use a node type its settings disable. */
  Disabled?: boolean;

  'Relation Name'?: string;
  Schema?: string;
  Alias?: string;
  'Index Name'?: string;
  'Scan Direction'?: 'Forward' | 'Backward' | 'NoMovement' | string;
  'CTE Name'?: string;
  'Function Name'?: string;
  'Function Call'?: string | string[];
  'Table Function Name'?: string;
  'Table Function Call'?: string;
  'Tuplestore Name'?: string;
  'Sampling Method'?: string;
  'Sampling Parameters'?: string[];
  'Repeatable Seed'?: string;

  'Join Type'?: 'Inner' | 'Left' | 'Full' | 'Right' | 'Semi' | 'Anti' | 'Right Semi' | 'Right Anti' | string;
  'Inner Unique'?: boolean;
  'Hash Cond'?: string;
  'Merge Cond'?: string;
  'Join Filter'?: string;

  'Startup Cost'?: number;
  'Total Cost'?: number;
  'Plan Rows'?: number;
  'Plan Width'?: number;

  /** ms per loop. Absent without ANALYZE or with TIMING OFF. */
  'Actual Startup Time'?: number;
  'Actual Total Time'?: number;
  /** Per loop; fractional from PostgreSQL 18. */
  'Actual Rows'?: number;
  /** 0 for a node that never executed. */
  'Actual Loops'?: number;

  Output?: string[];
  Filter?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  'Order By'?: string;
  'TID Cond'?: string;
  'One-Time Filter'?: string;
  'Run Condition'?: string;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Join Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Heap Fetches'?: number;
  /** PostgreSQL 18+. */
  'Index Searches'?: number;
  'Exact Heap Blocks'?: number;
  'Lossy Heap Blocks'?: number;

  'Sort Key'?: string[];
  'Presorted Key'?: string[];
  'Sort Method'?: string;
  /** kB. */
  'Sort Space Used'?: number;
  'Sort Space Type'?: 'Memory' | 'Disk' | string;
  'Full-sort Groups'?: RawSortGroups;
  'Pre-sorted Groups'?: RawSortGroups;
  'Group Key'?: string[];
  'Grouping Sets'?: Array<Record<string, unknown>>;
  'HashAgg Batches'?: number;
  'Planned Partitions'?: number;
  /** kB. */
  'Disk Usage'?: number;
  /** kB. */
  'Peak Memory Usage'?: number;
  /** PostgreSQL 18+, WindowAgg. */
  Window?: string;
  /** PostgreSQL 18+, Material / CTE Scan / WindowAgg / Recursive Union / Table Function Scan: "Memory" | "Disk". */
  Storage?: string;
  /** kB, PostgreSQL 18+. */
  'Maximum Storage'?: number;

  'Hash Buckets'?: number;
  'Original Hash Buckets'?: number;
  'Hash Batches'?: number;
  'Original Hash Batches'?: number;

  'Cache Key'?: string;
  'Cache Mode'?: string;
  'Cache Hits'?: number;
  'Cache Misses'?: number;
  'Cache Evictions'?: number;
  'Cache Overflows'?: number;
  'Estimated Capacity'?: number;
  'Estimated Distinct Lookup Keys'?: number;
  'Estimated Lookups'?: number;
  'Estimated Hit Percent'?: number;

  'Workers Planned'?: number;
  'Workers Launched'?: number;
  'Single Copy'?: boolean;
  /** InitPlan outputs a Gather computes before starting its workers. */
  'Params Evaluated'?: string[];
  Workers?: RawWorker[];

  'Subplans Removed'?: number;
  'Target Tables'?: Array<Record<string, unknown>>;
  'Conflict Resolution'?: string;
  'Conflict Arbiter Indexes'?: string[];
  'Conflict Filter'?: string;
  'Rows Removed by Conflict Filter'?: number;
  'Tuples Inserted'?: number;
  'Conflicting Tuples'?: number;
  'Tuples Updated'?: number;
  'Tuples Deleted'?: number;
  'Tuples Skipped'?: number;
  'Remote SQL'?: string;
  Relations?: string;
  /** Citus's Custom Scan: the job and the plans its tasks ran on the worker nodes. */
  'Distributed Query'?: RawDistributedQuery;

  [key: string]: unknown;
}

/**
 * Citus: what a "Custom Scan (Citus Adaptive)" writes under "Distributed Query" (Citus 12,
 * src/backend/distributed/planner/multi_explain.c: ExplainJob, ExplainTask, ExplainTaskPlacement).
 */
export interface RawDistributedQuery {
  /** CTEs and subqueries Citus plans apart and runs first, on this server, their results sent to the workers. */
  Subplans?: RawCitusSubplan[];
  Job?: RawCitusJob;
  [key: string]: unknown;
}

export interface RawCitusSubplan {
  /** EXPLAIN ANALYZE with timing, ms. */
  'Subplan Duration'?: number;
  /** EXPLAIN ANALYZE: "14 bytes". */
  'Intermediate Data Size'?: string;
  /** EXPLAIN ANALYZE: "Write locally", "Send to 2 nodes"... */
  'Result destination'?: string;
  /** The subplan's EXPLAIN: [{ "Plan": ..., "Planning Time": ... }]. */
  PlannedStmt?: RawExplainResult[];
  [key: string]: unknown;
}

export interface RawCitusJob {
  'Task Count'?: number;
  /** EXPLAIN ANALYZE of a query returning rows: "1800 bytes" (pg_size_pretty). */
  'Tuple data received from nodes'?: string;
  /** "All", "One of 32" (citus.explain_all_tasks off: the slowest task under ANALYZE), "None, not supported for re-partition queries". */
  'Tasks Shown'?: string;
  Tasks?: RawCitusTask[];
  /** A re-partition job: its MapMergeJobs ("Map Task Count", "Merge Task Count", nested "Dependent Jobs"), and no tasks. */
  'Dependent Jobs'?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** One task: a query Citus sent to a shard on a worker node, with that node's EXPLAIN of it. */
export interface RawCitusTask {
  /** VERBOSE: the query sent to the worker. */
  Query?: string;
  'Tuple data received from node'?: string;
  /** "host=10.0.0.5 port=5432 dbname=app". */
  Node?: string;
  /** The worker's EXPLAIN (FORMAT JSON) output, one element per result row: [[{ "Plan": ..., "Execution Time": ... }]]. */
  'Remote Plan'?: Array<RawExplainResult[] | RawExplainResult>;
  /** "Could not get remote plan." */
  Error?: string;
  [key: string]: unknown;
}

export interface RawTrigger {
  'Trigger Name': string;
  'Constraint Name'?: string;
  Relation?: string;
  /** ms, all calls together. */
  Time?: number;
  Calls?: number;
  [key: string]: unknown;
}

/** "Planning": buffers used by planning (BUFFERS) and memory (PostgreSQL 17 MEMORY). */
export interface RawPlanning extends RawBufferCounters {
  /** kB. */
  'Memory Used'?: number;
  /** kB. */
  'Memory Allocated'?: number;
  [key: string]: unknown;
}

/** PostgreSQL 17 SERIALIZE option. */
export interface RawSerialization extends RawBufferCounters {
  Time?: number;
  /** kB. */
  'Output Volume'?: number;
  Format?: string;
  [key: string]: unknown;
}

/** One element of the array `EXPLAIN (FORMAT JSON)` returns (auto_explain logs the same object with "Query Text"). */
export interface RawExplainResult {
  Plan: RawPlanNode;
  'Query Text'?: string;
  /** VERBOSE with compute_query_id, PostgreSQL 14+. */
  'Query Identifier'?: number;
  Planning?: RawPlanning;
  /** ms. */
  'Planning Time'?: number;
  Triggers?: RawTrigger[];
  JIT?: RawJit;
  /** Settings that differ from their defaults and affect planning (SETTINGS option, PostgreSQL 12+). */
  Settings?: Record<string, string>;
  Serialization?: RawSerialization;
  /** ms. */
  'Execution Time'?: number;
  [key: string]: unknown;
}
