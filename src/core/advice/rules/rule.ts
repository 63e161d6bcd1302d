/**
 * What a warning rule is: data for documentation (id, title, description, thresholds) plus one
 * pure function from an analysed plan to findings. Every rule lives in its own file beside this one.
 */
import type { AnalyzedPlan, PlanNode } from '../../plan/model';
import type { Finding, Severity } from '../advice-model';
import { fixText } from '../finding-fix';

/** A number a rule compares against, exported as a constant by the rule's file and listed here for documentation. */
export interface RuleThreshold {
  /** The exported constant's name, e.g. "SEQ_SCAN_MIN_ROWS_READ". */
  name: string;
  value: number;
  /** What crossing it means, in a sentence. */
  meaning: string;
}

export interface Rule {
  /** Stable: the editor shows it as the diagnostic code and users may filter on it. */
  id: string;
  title: string;
  description: string;
  /**
   * 'actuals': fires only on EXPLAIN ANALYZE plans. 'estimates': also fires, at a lower severity,
   * on estimate-only plans, whose row counts are the planner's guesses.
   */
  needs: 'actuals' | 'estimates';
  thresholds: readonly RuleThreshold[];
  /**
   * Rules that say the same about a node more precisely: when one of them fired on a node, this
   * rule's finding on that node is dropped, so one problem is reported once.
   */
  supersededBy?: readonly string[];
  /**
   * `skip`: nodes the rules of `supersededBy` reported, whose findings evaluateRules drops; a rule
   * may leave them out rather than write their text. Called alone, a rule reports every node.
   */
  evaluate(plan: AnalyzedPlan, skip?: ReadonlySet<number>): Finding[];
}

/** Higher is worse: the tie-break after impact. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

export interface FindingText {
  severity: Severity;
  title: string;
  explanation: string;
  /** What helps besides an index (or instead of one), in words; never a CREATE INDEX. */
  remedy: string;
  /** Set when an index could fix it: what the index would have to serve ("the filter (sku = 42)"). */
  indexNeed?: string;
  impactMs: number;
}

export function nodeFinding(ruleId: string, node: PlanNode, text: FindingText): Finding {
  if (node.remote && text.indexNeed !== undefined) {
    // The node ran on a Citus worker, on a shard: the index advisor's planner checks run on the
    // server Plan Lens is connected to, which never plans the shard's query, so no suggestion will
    // come; the index belongs on the distributed table, which Citus builds on every shard.
    const { indexNeed, ...rest } = text;
    return finding(ruleId, node.id, {
      ...rest,
      remedy:
        `An index serving ${indexNeed} could help: on Citus, an index created on the distributed table is built on every shard ` +
        `(Plan Lens proposes none for a node that ran on a worker, as it cannot check it with that worker's planner). ${text.remedy}`,
    });
  }
  return finding(ruleId, node.id, text);
}

export function planFinding(ruleId: string, text: FindingText): Finding {
  return finding(ruleId, null, text);
}

function finding(ruleId: string, nodeId: number | null, text: FindingText): Finding {
  const { severity, title, explanation, remedy, indexNeed } = text;
  return {
    ruleId,
    severity,
    nodeId,
    nodeIds: nodeId === null ? [] : [nodeId],
    title,
    explanation,
    fix: fixText(indexNeed, remedy, undefined),
    ...(indexNeed !== undefined ? { indexNeed } : {}),
    remedy,
    impactMs: roundImpact(text.impactMs),
    suggestionIds: [],
  };
}

/** Microsecond precision is all EXPLAIN reports; more digits would only be noise in the JSON. */
function roundImpact(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms * 1000) / 1000 : 0;
}
