/**
 * What Plan Lens advises about a plan: findings (warning rules fired on nodes) and index
 * suggestions. JSON-serialisable: the host posts them to the webview, the CLI prints them, the
 * editor turns them into diagnostics and quick fixes. All of them read these types.
 */

import type { StatementSubject } from '../sql/statement-locations';

export type Severity = 'info' | 'warning' | 'critical';

export interface Finding {
  /** Stable rule id, e.g. "seq-scan-large-table"; also the diagnostic code in the editor. */
  ruleId: string;
  severity: Severity;
  /**
   * The node the finding is about (preorder id in AnalyzedPlan.nodes), the one with the most time at
   * stake when it is about several; null for plan-wide findings.
   */
  nodeId: number | null;
  /**
   * Every node with this cause, most time at stake first: one node, or the same rule on one table
   * read in several places or on the partitions of one partitioned table. Empty for plan-wide findings.
   */
  nodeIds: number[];
  /** One line: what is wrong, with the numbers ("Seq Scan on products reads 200,000 rows to keep 1,240 (0.6%)"). */
  title: string;
  /** Plain-language explanation of why it matters. */
  explanation: string;
  /**
   * What to do about it, in full: the index suggestion(s) that fix it, or why no index helps, then
   * `remedy`. Never DDL: index statements come only from the index advisor.
   */
  fix: string;
  /** When an index could fix it: what the index would have to serve, in words ("the filter (sku = 42)"). */
  indexNeed?: string;
  /** What helps besides an index, or instead of one: a rewrite, statistics, a setting. */
  remedy: string;
  /** Estimated execution time at stake, ms (what fixing it could save at most); used to sort by impact. */
  impactMs: number;
  /** Ids of index suggestions that address this finding. */
  suggestionIds: string[];
  /** The part of the statement it is about (a table reference, its conditions, the ORDER BY), where the editor places it. */
  subject?: StatementSubject;
}

/**
 * `expression`: a key is an expression (`lower(email)`); `pattern`: a key uses a pattern operator
 * class for prefix LIKE; `gin`: a GIN index (JSONB containment, trigram search); `partitioned`: on a
 * partitioned table, which creates it on every partition; `set`: one of several indexes proposed and
 * verified together (the branches of an OR).
 */
export type IndexKind = 'single' | 'compound' | 'partial' | 'covering' | 'expression' | 'pattern' | 'gin' | 'partitioned' | 'set';

/**
 * 'hypopg': planned with hypothetical indexes on the server; 'rolled-back-index': the index was built
 * inside a transaction that was rolled back (the embedded demo database); 'unverified': neither.
 */
export type VerificationMethod = 'hypopg' | 'rolled-back-index' | 'unverified';

/** How a verification method is named to the user: "Verified with ...". */
export const VERIFICATION_METHOD_NAMES: Readonly<Record<Exclude<VerificationMethod, 'unverified'>, string>> = {
  hypopg: 'HypoPG',
  'rolled-back-index': 'an index built and rolled back',
};

export interface IndexVerification {
  method: VerificationMethod;
  /** Estimated total cost of the statement's plan before and with the hypothetical index. */
  costBefore?: number;
  costAfter?: number;
  /** Whether the planner chose the hypothetical index. */
  usedByPlanner?: boolean;
  /**
   * Estimated total cost with this index and every higher-ranked suggestion in place together: a
   * suggestion is kept only when it still lowers the cost on top of the ones ranked above it.
   */
  costAfterCombined?: number;
  /** Why it was not verified and how to enable verification, when method is 'unverified'. */
  note?: string;
}

export interface IndexSuggestion {
  /** Stable within one analysis: the index name. */
  id: string;
  schema?: string;
  table: string;
  /**
   * Key columns in order, each with its direction; `nullsFirst` only where the NULLS order differs
   * from the direction's default (an ORDER BY ... NULLS LAST on a descending key).
   */
  columns: Array<{
    /** The column, or for an expression key the column it reads (for names and messages). */
    name: string;
    descending: boolean;
    nullsFirst?: boolean;
    /** An expression key as SQL (`lower(email)`); the column `name` otherwise. */
    expression?: string;
    /** An operator class other than the default (`text_pattern_ops`, `jsonb_path_ops`, `gin_trgm_ops`). */
    opclass?: string;
  }>;
  /** Access method other than B-tree. */
  method?: 'gin';
  /** Suggestions with the same set id only help together (one per branch of an OR) and are verified as one. */
  set?: string;
  /** INCLUDE columns of a covering index. */
  include: string[];
  /** Partial index predicate (SQL) as PostgreSQL stores it, e.g. "is_active" or "status = 'open'::text". */
  where?: string;
  kinds: IndexKind[];
  name: string;
  concurrently: boolean;
  /** The CREATE INDEX statement, formatted by the one DDL formatter. */
  ddl: string;
  /** Why this index: which node(s), which predicates or sort keys. */
  reason: string;
  /** Nodes the index is meant to help. */
  nodeIds: number[];
  verification: IndexVerification;
}

/** How the execution time compares with the target: the headline above the findings, not a finding. */
export interface ExecutionHeadline {
  executionMs: number;
  targetMs: number;
  /** 'over' from the target, 'far-over' from EXECUTION_FAR_OVER_MULTIPLE times it. */
  status: 'within' | 'over' | 'far-over';
  /** One line: "Execution took 1.2 s, 12 times the 100 ms target". */
  text: string;
}

/** What to fix first: the top finding and what fixing it is expected to gain. */
export interface FixFirst {
  ruleId: string;
  nodeIds: number[];
  /** The time the fix could save, ms, and its share of the execution (0..1) when the plan has one. */
  expectedGainMs: number;
  expectedGainShare?: number;
  suggestionIds: string[];
  /** One line: "Fix first: Seq Scan on orders reads ... (up to 180 ms, 92% of the execution): see the suggestion idx_orders_status". */
  text: string;
}

export interface PlanAdvice {
  /** One finding per cause, sorted by impactMs, largest first. */
  findings: Finding[];
  /** Absent on estimate-only plans, which have no execution time. */
  headline?: ExecutionHeadline;
  /** Absent when no finding is above info. */
  fixFirst?: FixFirst;
  /** Sorted by verified improvement (cost before - after), largest first. */
  suggestions: IndexSuggestion[];
}
