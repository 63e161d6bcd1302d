/** The words and numbers of advice as the page shows them: impact, severities, verification. */
import { VERIFICATION_METHOD_NAMES, type IndexVerification, type Severity } from '../../src/core/advice/advice-model';
import { SEVERITIES_DESCENDING, type FindingBadge, type SeverityCounts } from './advice-index';
import { formatCost, formatCostChange, formatMs, formatNumber } from '../../src/core/format';

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : pluralForm}`;
}

export const SEVERITY_NAMES: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

/** "~12 ms": what fixing a finding could save at most; undefined when nothing measurable is at stake. */
export function formatImpact(ms: number): string | undefined {
  if (!(ms > 0)) {
    return undefined;
  }
  return `~${formatMs(ms)}`;
}

/** "1 critical, 2 warnings", the most serious first; severities with no finding left out. */
export function describeSeverities(counts: SeverityCounts): string {
  return SEVERITIES_DESCENDING.filter((severity) => counts[severity] > 0)
    .map((severity) => (severity === 'info' ? `${formatNumber(counts.info)} info` : plural(counts[severity], severity)))
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
    : `${text}; ${formatNumber(badge.hidden)} on nodes folded into this card`;
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
    parts.push(`with the suggestions above: cost ${formatCost(costAfterCombined)}`);
  }
  if (verification.note) {
    parts.push(verification.note);
  }
  return {
    outcome: usedByPlanner === false ? 'rejected' : 'verified',
    text: `Verified with ${VERIFICATION_METHOD_NAMES[verification.method]}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`,
  };
}
