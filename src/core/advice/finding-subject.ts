/**
 * What part of the statement a finding is about, read from its plan node: the ORDER BY keys for a
 * sort, the conditions on a table for a node with a filter, else the table reference. The editor
 * locates it in the statement's text (src/core/sql/statement-locations.ts) to place its diagnostic.
 */
import type { Finding } from './advice-model';
import type { AnalyzedPlan } from '../plan/model';
import type { StatementSubject } from '../sql/statement-locations';
import { partitionFamilies, type TableFamily } from './finding-groups';

const SORTS = new Set(['Sort', 'Incremental Sort']);

export function findingSubjects(plan: AnalyzedPlan, findings: Finding[]): Finding[] {
  let families: Map<number, TableFamily> | undefined;
  return findings.map((finding) => {
    if (finding.nodeId === null) return finding;
    const node = plan.nodes[finding.nodeId];
    if (!node) return finding;
    if (SORTS.has(node.nodeType)) return { ...finding, subject: { kind: 'order-by' } };
    if (!node.relation) return finding;
    families ??= partitionFamilies(plan);
    const parent = families.get(node.id)?.parent;
    const names = [node.relation, node.alias, parent?.split('.').pop()].filter((name): name is string => name !== undefined);
    const subject: StatementSubject = typeof node.raw['Filter'] === 'string' ? { kind: 'predicate', names } : { kind: 'table', names };
    return { ...finding, subject };
  });
}
