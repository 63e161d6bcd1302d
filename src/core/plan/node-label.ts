import type { RawPlanNode } from './explain-json';

// Maps, not object literals: the key is plan text, and "constructor" or "__proto__" must not find Object's own members.
const AGGREGATE_BY_STRATEGY: ReadonlyMap<unknown, string> = new Map([
  ['Plain', 'Aggregate'],
  ['Sorted', 'GroupAggregate'],
  ['Hashed', 'HashAggregate'],
  ['Mixed', 'MixedAggregate'],
]);

const SETOP_BY_STRATEGY: ReadonlyMap<unknown, string> = new Map([
  ['Sorted', 'SetOp'],
  ['Hashed', 'HashSetOp'],
]);

/**
 * The node's name as PostgreSQL's text format prints it ("Parallel Seq Scan", "Partial HashAggregate",
 * "Hash Left Join", "Index Only Scan Backward", "Insert"), without the "using index" / "on relation"
 * parts, which PlanNode carries separately. Mirrors ExplainNode() in PostgreSQL's explain.c: the JSON
 * format splits that name over "Node Type", "Strategy", "Partial Mode", "Operation", "Join Type",
 * "Command" and "Scan Direction".
 */
export function nodeLabel(node: RawPlanNode): string {
  const type = node['Node Type'];
  let name: string = type;
  switch (type) {
    case 'Aggregate': {
      name = AGGREGATE_BY_STRATEGY.get(node.Strategy ?? 'Plain') ?? type;
      const mode = node['Partial Mode'];
      if (mode === 'Partial' || mode === 'Finalize') name = `${mode} ${name}`;
      break;
    }
    case 'SetOp':
      name = SETOP_BY_STRATEGY.get(node.Strategy ?? 'Sorted') ?? type;
      if (node.Command) name += ` ${node.Command}`;
      break;
    case 'ModifyTable':
      name = node.Operation ?? type;
      break;
    case 'Foreign Scan':
      if (node.Operation && node.Operation !== 'Select') name = `Foreign ${node.Operation}`;
      break;
    case 'Custom Scan':
      if (node['Custom Plan Provider']) name = `Custom Scan (${node['Custom Plan Provider']})`;
      break;
    case 'Index Scan':
    case 'Index Only Scan':
      if (node['Scan Direction'] === 'Backward') name += ' Backward';
      break;
    case 'Hash Join':
    case 'Merge Join':
    case 'Nested Loop': {
      const joinType = node['Join Type'] ?? 'Inner';
      const base = type === 'Nested Loop' ? type : type.slice(0, -' Join'.length);
      if (joinType !== 'Inner') name = `${base} ${joinType} Join`;
      break;
    }
  }
  if (node['Async Capable'] === true) name = `Async ${name}`;
  if (node['Parallel Aware'] === true) name = `Parallel ${name}`;
  return name;
}
