/** Finding nodes by what they are (type, label) or what they touch (relation, index, alias, CTE, function). */
import type { AnalyzedPlan, PlanNode } from '../../src/core/plan/model';

function searchableText(node: PlanNode): string {
  return [node.label, node.nodeType, node.relation, node.schema, node.alias, node.index, node.cteName, node.functionName, node.subplanName]
    .filter((part): part is string => part !== undefined)
    .join('\n')
    .toLowerCase();
}

export class NodeSearch {
  private texts?: string[];

  constructor(private readonly plan: AnalyzedPlan) {}

  /** Ids of the nodes whose type, label or names contain every word of `query`, in plan order. */
  find(query: string): number[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) {
      return [];
    }
    this.texts ??= this.plan.nodes.map(searchableText);
    const found: number[] = [];
    this.texts.forEach((text, id) => {
      if (words.every((word) => text.includes(word))) {
        found.push(id);
      }
    });
    return found;
  }
}
