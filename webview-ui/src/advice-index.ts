/**
 * The advice of one plan, looked up the ways the page needs it: findings by impact and by node,
 * suggestions by id and by node, and the finding badges of the cards on screen. Pure: no DOM, so
 * it is tested in Node.
 */
import type { Finding, IndexSuggestion, PlanAdvice, Severity } from '../../src/core/advice/advice-model';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import { holderOf, type PlanIndex, type VisibleTree } from './visible-tree';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Severities from the most to the least serious, the order summaries list them in. */
export const SEVERITIES_DESCENDING: readonly Severity[] = ['critical', 'warning', 'info'];

export type SeverityCounts = Record<Severity, number>;

/** What a card shows about the findings it draws. */
export interface FindingBadge {
  count: number;
  highest: Severity;
  bySeverity: SeverityCounts;
  /** How many of them are on nodes the card folds or hides, not on its own node. */
  hidden: number;
}

export function countSeverities(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, warning: 0, info: 0 };
  for (const finding of findings) {
    counts[finding.severity]++;
  }
  return counts;
}

export class AdviceIndex {
  /** Every finding, the largest impact first. */
  readonly findings: readonly Finding[];
  readonly suggestions: readonly IndexSuggestion[];
  /** Findings about the whole plan rather than one node. */
  readonly planWide: readonly Finding[];
  private readonly byNode = new Map<number, Finding[]>();
  private readonly suggestionsByNode = new Map<number, IndexSuggestion[]>();
  private readonly suggestionsById = new Map<string, IndexSuggestion>();

  /** `advice` undefined: none has arrived (yet), which the page tells apart from "no findings". */
  constructor(
    readonly advice: PlanAdvice | undefined,
    plan: AnalyzedPlan,
  ) {
    const nodeCount = plan.nodes.length;
    // The host sorts them already; sorting again (stable) keeps the list right whoever built it.
    this.findings = [...(advice?.findings ?? [])].sort((a, b) => b.impactMs - a.impactMs);
    this.suggestions = advice?.suggestions ?? [];
    const planWide: Finding[] = [];
    for (const finding of this.findings) {
      if (finding.nodeId === null) {
        planWide.push(finding);
        continue;
      }
      // A finding about several nodes (the partitions of one table) shows on each of them.
      for (const nodeId of finding.nodeIds.length > 0 ? finding.nodeIds : [finding.nodeId]) {
        if (nodeId >= nodeCount) continue;
        let list = this.byNode.get(nodeId);
        if (!list) {
          list = [];
          this.byNode.set(nodeId, list);
        }
        list.push(finding);
      }
    }
    this.planWide = planWide;
    for (const suggestion of this.suggestions) {
      this.suggestionsById.set(suggestion.id, suggestion);
      for (const nodeId of new Set(suggestion.nodeIds)) {
        let list = this.suggestionsByNode.get(nodeId);
        if (!list) {
          list = [];
          this.suggestionsByNode.set(nodeId, list);
        }
        list.push(suggestion);
      }
    }
  }

  get hasAdvice(): boolean {
    return this.advice !== undefined;
  }

  findingsOn(nodeId: number): readonly Finding[] {
    return this.byNode.get(nodeId) ?? [];
  }

  suggestionsFor(nodeId: number): readonly IndexSuggestion[] {
    return this.suggestionsByNode.get(nodeId) ?? [];
  }

  suggestion(id: string): IndexSuggestion | undefined {
    return this.suggestionsById.get(id);
  }

  /** This advice's counterpart of a finding from an earlier one (same rule, node and title), if it still has it. */
  sameFinding(finding: Finding): Finding | undefined {
    return this.findings.find(
      (candidate) => candidate.ruleId === finding.ruleId && candidate.nodeId === finding.nodeId && candidate.title === finding.title,
    );
  }

  /** Findings on the nodes a group folds, in their subtrees too, the largest impact first. */
  findingsUnder(rootIds: readonly number[], plan: AnalyzedPlan): Finding[] {
    const inside = new Set<number>();
    const stack = [...rootIds];
    while (stack.length > 0) {
      const id = stack.pop()!;
      inside.add(id);
      stack.push(...plan.nodes[id].childIds);
    }
    return this.findings.filter((finding) => finding.nodeIds.some((id) => inside.has(id)));
  }

  /**
   * Badges by item key: each finding counts on the card that draws its node, which is the node's
   * own card, or the group or collapsed ancestor hiding it (as search marks hidden matches).
   */
  badges(tree: VisibleTree, index: PlanIndex): Map<string, FindingBadge> {
    const badges = new Map<string, FindingBadge>();
    for (const [nodeId, findings] of this.byNode) {
      const holder = holderOf(tree, index, nodeId);
      let badge = badges.get(holder.key);
      if (!badge) {
        badge = { count: 0, highest: 'info', bySeverity: { critical: 0, warning: 0, info: 0 }, hidden: 0 };
        badges.set(holder.key, badge);
      }
      const own = holder.kind === 'node' && holder.nodeId === nodeId;
      for (const finding of findings) {
        badge.count++;
        badge.bySeverity[finding.severity]++;
        if (SEVERITY_RANK[finding.severity] > SEVERITY_RANK[badge.highest]) {
          badge.highest = finding.severity;
        }
        if (!own) {
          badge.hidden++;
        }
      }
    }
    return badges;
  }
}
