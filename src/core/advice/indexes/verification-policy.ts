/**
 * Which candidate indexes to suggest, once a planner can be asked about them:
 *
 * - each candidate (or set of candidates that only help together, the branches of an OR) is
 *   planned alone; it survives when the planner uses every index of it and the estimated cost
 *   drops by at least MIN_COST_IMPROVEMENT;
 * - INCLUDE columns pay only for an index-only scan: when the planner picks another scan, the
 *   narrower index is tried instead, since it does the same job for less;
 * - survivors are ranked by the cost they reach, and each one below the first must still lower
 *   the cost by MIN_COST_IMPROVEMENT with all the ones above it in place, so no two suggestions do
 *   the same job;
 * - candidates the planner could not simulate stay, marked unverified with the planner's reason,
 *   at most one per plan node.
 *
 * Pure: the planner is an interface (HypoPG, an index built and rolled back, or a table in tests).
 */
import { VERIFICATION_METHOD_NAMES, type IndexSuggestion, type IndexVerification } from '../advice-model';
import { preferOnePerNode, withoutInclude } from '../index-advisor';
import type { Planner } from './planner';

/** A suggestion must lower the statement's estimated cost by at least this share to be kept. */
export const MIN_COST_IMPROVEMENT = 0.1;

export interface VerificationPolicyOptions {
  /** Override of MIN_COST_IMPROVEMENT. */
  minImprovement?: number;
}

/** A candidate, or the candidates of one set, verified together. */
type Unit = IndexSuggestion[];

export async function verifyWithPlanner(
  planner: Planner,
  suggestions: readonly IndexSuggestion[],
  options: VerificationPolicyOptions = {},
): Promise<IndexSuggestion[]> {
  if (suggestions.length === 0) return [];
  const minImprovement = options.minImprovement ?? MIN_COST_IMPROVEMENT;
  const before = await planner.costWith([]);
  if ('error' in before) {
    return markUnverified(suggestions, `This index was not tried against the planner: planning the statement failed (${before.error}).`);
  }
  const costBefore = before.cost;
  const helpful: Array<{ unit: Unit; cost: number }> = [];
  const notSimulated: IndexSuggestion[] = [];
  for (const proposed of unitsOf(suggestions)) {
    let unit = proposed;
    let outcome = await planner.costWith(unit);
    const coveringUnused = (planned: Exclude<typeof outcome, { error: string }>) =>
      unit.some((suggestion) => suggestion.include.length > 0 && planned.used.get(suggestion.id) !== 'Index Only Scan');
    if (!('error' in outcome) && coveringUnused(outcome)) {
      unit = unit.map(withoutInclude);
      outcome = await planner.costWith(unit);
    }
    if ('error' in outcome) {
      const note =
        `This index was not tried against the planner: ${VERIFICATION_METHOD_NAMES[planner.method]} could not stand in for it (${outcome.error}). ` +
        'Build it on a copy of the database and compare the plans to measure it.';
      notSimulated.push(...unit.map((suggestion) => withVerification(suggestion, { method: 'unverified', note })));
      continue;
    }
    const used = unit.every((suggestion) => outcome.used.has(suggestion.id));
    const verification: IndexVerification = { method: planner.method, costBefore, costAfter: outcome.cost, usedByPlanner: used };
    unit = unit.map((suggestion) => withVerification(suggestion, verification));
    if (used && improves(costBefore, outcome.cost, minImprovement)) helpful.push({ unit, cost: outcome.cost });
  }

  helpful.sort((a, b) => a.cost - b.cost);
  const kept: IndexSuggestion[] = [];
  let combinedCost = costBefore;
  for (const { unit } of helpful) {
    const together = await planner.costWith([...kept, ...unit]);
    if ('error' in together || !unit.every((suggestion) => together.used.has(suggestion.id))) continue;
    if (together.cost > combinedCost * (1 - minImprovement)) continue;
    combinedCost = together.cost;
    kept.push(...unit.map((suggestion) => withVerification(suggestion, { ...suggestion.verification, costAfterCombined: together.cost })));
  }
  return [...kept, ...preferOnePerNode(notSimulated)];
}

/** Without the planner's word, at most one suggestion per plan node, each saying why it is unverified. */
export function markUnverified(suggestions: readonly IndexSuggestion[], note: string): IndexSuggestion[] {
  return preferOnePerNode(suggestions).map((suggestion) => withVerification(suggestion, { method: 'unverified', note }));
}

function improves(before: number, after: number, minImprovement: number): boolean {
  return before > 0 && (before - after) / before >= minImprovement;
}

function withVerification(suggestion: IndexSuggestion, verification: IndexVerification): IndexSuggestion {
  return { ...suggestion, verification };
}

/** Suggestions in their order, those of one set gathered at the place of the first. */
function unitsOf(suggestions: readonly IndexSuggestion[]): Unit[] {
  const units: Unit[] = [];
  const bySet = new Map<string, Unit>();
  for (const suggestion of suggestions) {
    if (suggestion.set === undefined) {
      units.push([suggestion]);
      continue;
    }
    const unit = bySet.get(suggestion.set);
    if (unit) unit.push(suggestion);
    else {
      const fresh = [suggestion];
      bySet.set(suggestion.set, fresh);
      units.push(fresh);
    }
  }
  return units;
}
