import type { RawPlanNode } from './explain-json';
import type { PlanNode, RemoteServer } from './model';

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

/** A Citus task as its node is named: "Task on 10.0.0.5:5432 app", from "host=10.0.0.5 port=5432 dbname=app". */
export function taskLabel(server: RemoteServer): string {
  if (server.host === undefined) return server.node === undefined ? 'Task' : `Task on ${server.node}`;
  const port = server.port === undefined ? '' : `:${server.port}`;
  return `Task on ${server.host}${port}${server.dbname === undefined ? '' : ` ${server.dbname}`}`;
}

/** A Citus distributed subplan, numbered as Citus numbers them (its text format adds the plan's id: "Distributed Subplan 12_1"). */
export function subplanLabel(index: number): string {
  return `Distributed Subplan ${index + 1}`;
}

/** Where a node that ran on another server ran: "Ran on the Citus worker host=10.0.0.5 port=5432 dbname=app". */
export function ranOnText(server: RemoteServer): string {
  return server.node === undefined ? 'Ran on a Citus worker whose plan Citus could not get' : `Ran on the Citus worker ${server.node}`;
}

/** A Citus scan's tasks as the plan shows them: "1 of 32 tasks shown". */
export function tasksShownText(tasks: NonNullable<PlanNode['tasks']>): string {
  const of = tasks.count === undefined ? '' : ` of ${tasks.count}`;
  return `${tasks.shown}${of} task${(tasks.count ?? tasks.shown) === 1 ? '' : 's'} shown`;
}

function qualified(node: PlanNode, table: string): string {
  return node.schema && node.schema !== 'public' ? `${node.schema}.${table}` : table;
}

/**
 * The table a node reads, schema-qualified unless it is in public: what findings tell the user to
 * index or ANALYZE. For a node that ran on a Citus worker, the distributed table, not its shard.
 */
export function tableName(node: PlanNode): string | undefined {
  const table = node.distributedTable ?? node.relation;
  return table ? qualified(node, table) : undefined;
}

/**
 * The node as PostgreSQL's text format heads it, so findings can be matched against the plan: "Seq Scan on
 * products p", "Index Scan using orders_pkey on orders", "Hash Join".
 */
export function nodeName(node: PlanNode): string {
  let name = node.label;
  if (node.index) name += ` using ${node.index}`;
  const table = node.relation ? qualified(node, node.relation) : undefined;
  if (table) {
    name += ` on ${table}`;
    if (node.alias && node.alias !== node.relation) name += ` ${node.alias}`;
  } else if (node.cteName) {
    name += ` on ${node.cteName}`;
  } else if (node.functionName) {
    name += ` on ${node.functionName}`;
  }
  return name;
}
