/**
 * Severity and order from the time a fix could save, not from the rule alone: findings are grouped
 * by cause, then a finding whose time at stake is under the floor is info whatever its rule said,
 * and only one at stake for a large share of the execution is critical. The execution time against
 * its target is the headline above them, and the top finding is what to fix first.
 */
import type { ExecutionHeadline, Finding, FixFirst, PlanAdvice, Severity } from './advice-model';
import type { AnalyzedPlan } from '../plan/model';
import { groupFindings } from './finding-groups';
import { findingSubjects } from './finding-subject';
import { SEVERITY_RANK } from './rules/rule';
import { formatMs, formatPercent } from '../format';

/** Time at stake (ms) under which a finding is info: a fix could not save a noticeable amount. */
export const IMPACT_FLOOR_MS = 1;
/** Share of the execution time under which a finding is info, however many ms that is. */
export const IMPACT_FLOOR_SHARE = 0.01;
/** Share of the execution time at stake from which a finding is critical (between the floor and this: warning). */
export const IMPACT_CRITICAL_SHARE = 0.25;
/** The execution target when the caller sets none, ms. */
export const DEFAULT_EXECUTION_TARGET_MS = 100;
/** Execution time from this multiple of the target: the headline says it is far over. */
export const EXECUTION_FAR_OVER_MULTIPLE = 10;

/** How long the statement ran, ms: what shares of time at stake are shares of; undefined for estimates. */
export function executionTimeOf(plan: AnalyzedPlan): number | undefined {
  if (!plan.analyzed) return undefined;
  const ms = plan.executionMs ?? plan.totalMs;
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/**
 * The severity the time at stake allows. A rule's "info" stays info (it marks notes, or guesses
 * from estimates); otherwise the time decides. Without timing (estimates) the rule's own stands.
 */
export function severityByImpact(ruleSeverity: Severity, impactMs: number, executionMs: number | undefined): Severity {
  if (executionMs === undefined || ruleSeverity === 'info') return ruleSeverity;
  if (impactMs < Math.max(IMPACT_FLOOR_MS, IMPACT_FLOOR_SHARE * executionMs)) return 'info';
  return impactMs >= IMPACT_CRITICAL_SHARE * executionMs ? 'critical' : 'warning';
}

/** One finding per cause, its severity from its time at stake, the most time first. */
export function rankFindings(plan: AnalyzedPlan, findings: readonly Finding[]): Finding[] {
  const executionMs = executionTimeOf(plan);
  return sortFindings(
    findingSubjects(plan, groupFindings(plan, findings)).map((finding) => ({
      ...finding,
      severity: severityByImpact(finding.severity, finding.impactMs, executionMs),
    })),
  );
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      b.impactMs - a.impactMs ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (a.nodeId ?? -1) - (b.nodeId ?? -1) ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

/** The execution time against the target; undefined for a plan that did not run. */
export function executionHeadline(plan: AnalyzedPlan, targetMs: number = DEFAULT_EXECUTION_TARGET_MS): ExecutionHeadline | undefined {
  const executionMs = executionTimeOf(plan);
  if (executionMs === undefined) return undefined;
  const target = Number.isFinite(targetMs) && targetMs > 0 ? targetMs : DEFAULT_EXECUTION_TARGET_MS;
  if (executionMs <= target) {
    return {
      executionMs,
      targetMs: target,
      status: 'within',
      text: `Execution took ${formatMs(executionMs)}, within the ${formatMs(target)} target`,
    };
  }
  return {
    executionMs,
    targetMs: target,
    status: executionMs >= target * EXECUTION_FAR_OVER_MULTIPLE ? 'far-over' : 'over',
    text: `Execution took ${formatMs(executionMs)}, ${(executionMs / target).toFixed(1)} times the ${formatMs(target)} target`,
  };
}

/** The first finding above info (they are sorted), with what fixing it is expected to gain. */
export function fixFirstOf(findings: readonly Finding[], executionMs: number | undefined): FixFirst | undefined {
  const top = findings.find((finding) => finding.severity !== 'info');
  if (!top) return undefined;
  const share = executionMs !== undefined ? Math.min(1, top.impactMs / executionMs) : undefined;
  const gain = `up to ${formatMs(top.impactMs)}${share !== undefined ? `, ${formatPercent(share)} of the execution` : ''}`;
  const action = top.suggestionIds.length > 0 ? `: create the index ${top.suggestionIds.join(', ')}` : '';
  const fixFirst: FixFirst = {
    ruleId: top.ruleId,
    nodeIds: top.nodeIds,
    expectedGainMs: top.impactMs,
    suggestionIds: top.suggestionIds,
    text: `Fix first: ${top.title} (${gain})${action}`,
  };
  if (share !== undefined) fixFirst.expectedGainShare = share;
  return fixFirst;
}

/** The advice of a plan before index suggestions: ranked findings, the headline and what to fix first. */
export function planAdvice(plan: AnalyzedPlan, findings: readonly Finding[], executionTargetMs?: number): PlanAdvice {
  const ranked = rankFindings(plan, findings);
  const advice: PlanAdvice = { findings: ranked, suggestions: [] };
  const headline = executionHeadline(plan, executionTargetMs);
  if (headline) advice.headline = headline;
  const fixFirst = fixFirstOf(ranked, executionTimeOf(plan));
  if (fixFirst) advice.fixFirst = fixFirst;
  return advice;
}
