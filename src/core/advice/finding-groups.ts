/**
 * One finding per cause. A rule that fires on several nodes reading the same table (a table read
 * in two places, or the partitions of one partitioned table, the scans under one Append) reports
 * one finding listing those nodes, not one per node: 240 partitions give one finding.
 */
import type { Finding } from './advice-model';
import type { AnalyzedPlan } from '../plan/model';
import { fixText } from './finding-fix';
import { formatCount } from '../format';
import { tableName } from '../plan/node-label';

/** Nodes that combine the rows of their children as one relation: partitions, or UNION ALL branches. */
const APPENDS = new Set(['Append', 'Merge Append']);
/** How many member tables a grouped finding's explanation names. */
const NAMED_MEMBERS = 5;

export interface TableFamily {
  /** The partitioned table, when the partitions' names tell it ("orders" for orders_p2024_01 ...). */
  parent?: string;
  appendId: number;
}

/**
 * The scans under each Append (or Merge Append) that read two or more different tables: the
 * partitions of a partitioned table. By node id.
 */
export function partitionFamilies(plan: AnalyzedPlan): Map<number, TableFamily> {
  const families = new Map<number, TableFamily>();
  for (const append of plan.nodes) {
    if (!APPENDS.has(append.nodeType)) continue;
    const members = append.childIds.map((id) => plan.nodes[id]).filter((child) => child.relation !== undefined);
    const tables = new Set(members.map((member) => tableName(member)));
    if (tables.size < 2) continue;
    const parent = commonParentName(members.map((member) => member.relation!));
    const schema = members[0].schema;
    const family: TableFamily = { appendId: append.id };
    if (parent) family.parent = schema && schema !== 'public' ? `${schema}.${parent}` : parent;
    for (const member of members) families.set(member.id, family);
  }
  return families;
}

/**
 * The name the partitions share, by whole `_`-separated words without digits, the way partitions
 * are usually named: orders_p2024_01 and orders_p2024_02 -> "orders"; measurements_y2006m02 ->
 * "measurements". Undefined when they share no such word.
 */
export function commonParentName(names: readonly string[]): string | undefined {
  const split = names.map((name) => name.split('_'));
  const shared: string[] = [];
  for (let i = 0; i < split[0].length; i++) {
    const word = split[0][i];
    if (/\d/.test(word) || !split.every((words) => words[i] === word) || word === '') break;
    shared.push(word);
  }
  return shared.length > 0 ? shared.join('_') : undefined;
}

/** Findings of the same rule on the same table (or the same partitioned table) merged into one, others unchanged. */
export function groupFindings(plan: AnalyzedPlan, findings: readonly Finding[]): Finding[] {
  const families = partitionFamilies(plan);
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = groupKey(plan, families, finding);
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()].map((group) => (group.length === 1 ? group[0] : merged(plan, families, group)));
}

function groupKey(plan: AnalyzedPlan, families: Map<number, TableFamily>, finding: Finding): string {
  if (finding.nodeId === null) return `${finding.ruleId} plan`;
  const node = plan.nodes[finding.nodeId];
  const table = node && tableName(node);
  if (!table) return `${finding.ruleId} node ${finding.nodeId}`;
  const family = families.get(node.id);
  if (family) return family.parent ? `${finding.ruleId} table ${family.parent}` : `${finding.ruleId} append ${family.appendId}`;
  return `${finding.ruleId} table ${table}`;
}

/** An index need about one partition, moved to the partitioned table: an index there is created on every partition. */
function onParent(indexNeed: string, partition: string, parent: string): string {
  const suffix = ` on ${partition}`;
  const need = indexNeed.endsWith(suffix) ? indexNeed.slice(0, -suffix.length) : indexNeed;
  return `${need} on the partitioned table ${parent} (which creates it on every partition)`;
}

function merged(plan: AnalyzedPlan, families: Map<number, TableFamily>, group: Finding[]): Finding {
  const members = [...group].sort((a, b) => b.impactMs - a.impactMs || a.nodeId! - b.nodeId!);
  const lead = members[0];
  const leadNode = plan.nodes[lead.nodeId!];
  const family = families.get(leadNode.id);
  const tables = [...new Set(members.map((m) => tableName(plan.nodes[m.nodeId!])!))];
  const others = members.length - 1;
  const where = family
    ? `${formatCount(tables.length)} partitions${family.parent ? ` of ${family.parent}` : ` under the Append #${family.appendId}`}`
    : `${formatCount(members.length)} reads of ${tables[0]}`;
  const impactMs = Math.min(
    members.reduce((sum, m) => sum + m.impactMs, 0),
    plan.totalMs ?? Number.POSITIVE_INFINITY,
  );
  const named = tables.slice(0, NAMED_MEMBERS).join(', ') + (tables.length > NAMED_MEMBERS ? ', ...' : '');
  const indexNeed =
    lead.indexNeed !== undefined && family?.parent ? onParent(lead.indexNeed, tableName(leadNode)!, family.parent) : lead.indexNeed;
  const finding: Finding = {
    ...lead,
    severity: members.some((m) => m.severity === 'critical')
      ? 'critical'
      : members.some((m) => m.severity === 'warning')
        ? 'warning'
        : 'info',
    nodeIds: members.map((m) => m.nodeId!),
    title: `${where}: ${lead.title}, and the same on ${formatCount(others)} ${others === 1 ? 'other' : 'others'}`,
    explanation: `${lead.explanation} The same holds on ${where} (${named}); the numbers above are the largest of them.`,
    fix: fixText(indexNeed, lead.remedy, undefined),
    impactMs: Math.round(impactMs * 1000) / 1000,
    suggestionIds: [...new Set(members.flatMap((m) => m.suggestionIds))],
  };
  if (indexNeed === undefined) delete finding.indexNeed;
  else finding.indexNeed = indexNeed;
  return finding;
}
