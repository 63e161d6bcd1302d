/**
 * The one analysis entry point: EXPLAIN output in, analysed plan with findings out. The CLI, the
 * plan panel and the editor diagnostics all call it, so they can never disagree about a plan.
 * Index suggestions need the database (catalog, HypoPG) and join the advice afterwards through
 * `withSuggestions`.
 */
import type { Finding, IndexSuggestion, PlanAdvice } from './advice/advice-model';
import { evaluateRules } from './advice/rules';
import { analyzePlan, parseExplainJson } from './plan';
import type { RawExplainResult } from './plan/explain-json';
import type { AnalyzedPlan } from './plan/model';

export interface AnalysisOptions {
  /** Execution time the statement should stay under, ms; the rules' default when absent. */
  executionTargetMs?: number;
}

export interface PlanAnalysis {
  raw: RawExplainResult;
  plan: AnalyzedPlan;
  advice: PlanAdvice;
}

/** Parses (throwing PlanParseError on input that is not a plan), analyses and evaluates the rules. */
export function analyzeExplainOutput(input: unknown, options: AnalysisOptions = {}): PlanAnalysis {
  const raw = parseExplainJson(input);
  const plan = analyzePlan(raw);
  const findings = evaluateRules(plan, { executionTargetMs: options.executionTargetMs });
  return { raw, plan, advice: { findings, suggestions: [] } };
}

/** Verified improvement first (largest relative cost drop), then unverified suggestions in their order. */
function improvement(suggestion: IndexSuggestion): number {
  const { costBefore, costAfter } = suggestion.verification;
  if (costBefore === undefined || costAfter === undefined || costBefore <= 0) return -1;
  return (costBefore - costAfter) / costBefore;
}

/**
 * The advice with index suggestions ranked and linked to the findings on the nodes they help, so
 * a finding can offer "Create index …" as its fix.
 */
export function withSuggestions(advice: PlanAdvice, suggestions: IndexSuggestion[]): PlanAdvice {
  const ranked = suggestions
    .map((suggestion, order) => ({ suggestion, order, gain: improvement(suggestion) }))
    .sort((a, b) => b.gain - a.gain || a.order - b.order)
    .map(({ suggestion }) => suggestion);
  const findings: Finding[] = advice.findings.map((finding) => ({
    ...finding,
    suggestionIds:
      finding.nodeId === null ? [] : ranked.filter((s) => s.nodeIds.includes(finding.nodeId!)).map((s) => s.id),
  }));
  return { findings, suggestions: ranked };
}
