/** The words and numbers of advice as the page shows them: impact, severities, verification. */
import { VERIFICATION_METHOD_NAMES, type IndexVerification, type Severity } from '../../src/core/advice/advice-model';
import { SEVERITIES_DESCENDING, type FindingBadge, type SeverityCounts } from './advice-index';
import { formatExact, formatMs } from './format';

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatExact(count)} ${count === 1 ? singular : pluralForm}`;
}

export const SEVERITY_NAMES: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

/** "~12 ms": what fixing a finding could save at most; undefined when nothing measurable is at stake. */
export function formatImpact(ms: number): string | undefined {
  if (!(ms > 0)) {
    return undefined;
  }
  if (ms >= 1000) {
    return `~${formatMs(ms)}`;
  }
  if (ms >= 10) {
    return `~${Math.round(ms)} ms`;
  }
  return `~${ms >= 1 ? ms.toFixed(1) : Number(ms.toPrecision(2))} ms`;
}

/** "1 critical, 2 warnings", the most serious first; severities with no finding left out. */
export function describeSeverities(counts: SeverityCounts): string {
  return SEVERITIES_DESCENDING.filter((severity) => counts[severity] > 0)
    .map((severity) => (severity === 'info' ? `${formatExact(counts.info)} info` : plural(counts[severity], severity)))
    .join(', ');
}

/** The tooltip of a card's badge. */
export function describeBadge(badge: FindingBadge): string {
  const text = `${plural(badge.count, 'finding')}: ${describeSeverities(badge.bySeverity)}`;
  if (badge.hidden === 0) {
    return text;
  }
  return badge.hidden === badge.count
    ? `${text}, on nodes folded into this card`
    : `${text}; ${formatExact(badge.hidden)} on nodes folded into this card`;
}

/** A plan's total cost as people quote it: whole units from 100 up, else two decimals. */
export function formatCostValue(cost: number): string {
  return cost >= 100 ? formatExact(Math.round(cost)) : cost.toFixed(2);
}

/** "−98%", "+12%": the change from `before` to `after`; undefined when `before` is 0. */
export function formatChange(before: number, after: number): string | undefined {
  if (before === 0) {
    return undefined;
  }
  const percent = ((after - before) / before) * 100;
  // Whole percents, except where rounding would claim all or nothing: 99.9% faster is not 100%.
  let rounded = Math.round(percent);
  if (Math.abs(percent) < 1 || (Math.abs(rounded) === 100 && Math.abs(percent) !== 100)) {
    rounded = Number(percent.toFixed(1));
  }
  if (rounded === 0) {
    return '±0%';
  }
  // A true minus sign: the hyphen reads as a dash beside an arrow.
  return `${rounded < 0 ? '−' : '+'}${Math.abs(rounded)}%`;
}

/** "12,345 → 210 (−98%)" */
export function formatCostChange(before: number, after: number): string {
  const change = formatChange(before, after);
  return `${formatCostValue(before)} → ${formatCostValue(after)}${change ? ` (${change})` : ''}`;
}

/**
 * How far a suggestion was checked: 'verified' when the planner used the hypothetical index,
 * 'rejected' when it was asked and did not, 'unverified' when it could not be asked.
 */
export type VerificationOutcome = 'verified' | 'rejected' | 'unverified';

/** "Verified with HypoPG: cost 12,345 → 210 (−98%), planner uses it", or "Unverified: <why>". */
export function describeVerification(verification: IndexVerification): { outcome: VerificationOutcome; text: string } {
  if (verification.method === 'unverified') {
    return { outcome: 'unverified', text: verification.note ? `Unverified: ${verification.note}` : 'Unverified' };
  }
  const parts: string[] = [];
  const { costBefore, costAfter, costAfterCombined, usedByPlanner } = verification;
  if (costBefore !== undefined && costAfter !== undefined) {
    parts.push(`cost ${formatCostChange(costBefore, costAfter)}`);
  }
  if (usedByPlanner !== undefined) {
    parts.push(usedByPlanner ? 'planner uses it' : 'planner does not use it');
  }
  if (costAfterCombined !== undefined && costAfterCombined !== costAfter) {
    parts.push(`with the suggestions above: cost ${formatCostValue(costAfterCombined)}`);
  }
  if (verification.note) {
    parts.push(verification.note);
  }
  return {
    outcome: usedByPlanner === false ? 'rejected' : 'verified',
    text: `Verified with ${VERIFICATION_METHOD_NAMES[verification.method]}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`,
  };
}
