/**
 * The one analysis entry point: EXPLAIN output in, analysed plan with findings out. The CLI, the
 * plan panel and the editor diagnostics all call it, so they can never disagree about a plan.
 * Index suggestions need the database (catalog, HypoPG) and join the advice afterwards through
 * `withSuggestions`.
 */
import type { Finding, IndexSuggestion, PlanAdvice } from './advice/advice-model';
import { fixText } from './advice/finding-fix';
import { fixFirstOf, planAdvice } from './advice/finding-ranking';
import { evaluateRules } from './advice/rules';
import { analyzePlan, parseExplainJson } from './plan';
import type { RawExplainResult } from './plan/explain-json';
import type { AnalyzedPlan } from './plan/model';

export interface AnalysisOptions {
  /** Execution time the statement should stay under, ms; DEFAULT_EXECUTION_TARGET_MS when absent. */
  executionTargetMs?: number;
}

export interface PlanAnalysis {
  raw: RawExplainResult;
  plan: AnalyzedPlan;
  advice: PlanAdvice;
}

/** Parses (throwing PlanParseError on input that is not a plan), analyses, evaluates the rules and ranks their findings. */
export function analyzeExplainOutput(input: unknown, options: AnalysisOptions = {}): PlanAnalysis {
  const raw = parseExplainJson(input);
  const plan = analyzePlan(raw);
  return { raw, plan, advice: planAdvice(plan, evaluateRules(plan), options.executionTargetMs) };
}

/** Verified improvement first (largest relative cost drop), then unverified suggestions in their order. */
function improvement(suggestion: IndexSuggestion): number {
  const { costBefore, costAfter } = suggestion.verification;
  if (costBefore === undefined || costAfter === undefined || costBefore <= 0) return -1;
  return (costBefore - costAfter) / costBefore;
}

/**
 * The advice with index suggestions ranked and linked to the findings on the nodes they help: a
 * finding an index could fix then points to them, or says that no index helps.
 */
export function withSuggestions(advice: PlanAdvice, suggestions: IndexSuggestion[]): PlanAdvice {
  const ranked = suggestions
    .map((suggestion, order) => ({ suggestion, order, gain: improvement(suggestion) }))
    .sort((a, b) => b.gain - a.gain || a.order - b.order)
    .map(({ suggestion }) => suggestion);
  const findings: Finding[] = advice.findings.map((finding) => {
    const nodes = new Set(finding.nodeIds);
    const linked = ranked.filter((s) => s.nodeIds.some((id) => nodes.has(id)));
    return { ...finding, suggestionIds: linked.map((s) => s.id), fix: fixText(finding.indexNeed, finding.remedy, linked) };
  });
  const linked: PlanAdvice = { ...advice, findings, suggestions: ranked };
  const fixFirst = fixFirstOf(findings, advice.headline?.executionMs);
  if (fixFirst) linked.fixFirst = fixFirst;
  else delete linked.fixFirst;
  return linked;
}
