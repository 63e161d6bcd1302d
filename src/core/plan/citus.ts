/**
 * Citus's distributed plans. A "Custom Scan (Citus Adaptive)" keeps, inside its own properties,
 * the plans of its distributed subplans (run first, on this server) and of its tasks (run on the
 * worker nodes) (Citus 12, multi_explain.c):
 *
 *   "Distributed Query": {
 *     "Subplans": [{ "Intermediate Data Size": "14 bytes", "PlannedStmt": [{ "Plan": {...} }] }],
 *     "Job": { "Task Count": 32, "Tasks Shown": "One of 32", "Tasks": [
 *       { "Node": "host=w1 port=5432 dbname=app", "Remote Plan": [[{ "Plan": {...}, "Execution Time": 3.1 }]] } ] } }
 *
 * The model makes each subplan and each task a node under its scan, with its plan as a subtree;
 * these helpers take them out of the scan's keys and put them back, so the raw plan still reads
 * exactly as Citus wrote it.
 */
import type { RawCitusJob, RawCitusSubplan, RawCitusTask, RawExplainResult, RawPlanNode } from './explain-json';

/** The model's "Node Type" of a task: Citus's text format draws it as a node ("->  Task"). */
export const TASK_NODE_TYPE = 'Task';
/** The model's "Node Type" of a distributed subplan ("->  Distributed Subplan 1_1" in the text format). */
export const SUBPLAN_NODE_TYPE = 'Distributed Subplan';

/** A plan node, a Citus task or a Citus distributed subplan: what the model makes a node of. */
export type RawModelNode = RawPlanNode | RawCitusTask | RawCitusSubplan;
export type ModelNodeKind = 'plan' | 'task' | 'subplan';

export interface ModelChild {
  raw: RawModelNode;
  kind: ModelNodeKind;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function jobOf(raw: RawPlanNode): RawCitusJob | undefined {
  const query = raw['Distributed Query'];
  return isRecord(query) && isRecord(query.Job) ? (query.Job as RawCitusJob) : undefined;
}

function objectsOnly<T>(list: unknown): T[] {
  return Array.isArray(list) && list.length > 0 && list.every(isRecord) ? (list as T[]) : [];
}

/** The tasks a Citus scan shows; [] for any other node, or a job without tasks (a re-partition job shows none). */
export function citusTasks(raw: RawPlanNode): RawCitusTask[] {
  return raw['Node Type'] === 'Custom Scan' ? objectsOnly(jobOf(raw)?.Tasks) : [];
}

/** The distributed subplans of a Citus scan, or []. */
export function citusSubplans(raw: RawPlanNode): RawCitusSubplan[] {
  const query = raw['Distributed Query'];
  return raw['Node Type'] === 'Custom Scan' && isRecord(query) ? objectsOnly(query.Subplans) : [];
}

/** "Task Count" of a scan with tasks. */
export function citusTaskCount(raw: RawPlanNode): number | undefined {
  const count = jobOf(raw)?.['Task Count'];
  return typeof count === 'number' ? count : undefined;
}

/** The key of a task's or subplan's EXPLAIN results. */
function resultsKey(kind: 'task' | 'subplan'): 'Remote Plan' | 'PlannedStmt' {
  return kind === 'task' ? 'Remote Plan' : 'PlannedStmt';
}

/**
 * The EXPLAIN results of a task (its worker's, one per result row: [[{...}]]) or of a subplan
 * ([{...}]) that hold a plan, in order.
 */
export function planResults(raw: RawCitusTask | RawCitusSubplan, kind: 'task' | 'subplan'): RawExplainResult[] {
  const rows = raw[resultsKey(kind)];
  if (!Array.isArray(rows)) return [];
  const results: RawExplainResult[] = [];
  for (const row of rows) {
    for (const result of Array.isArray(row) ? row : [row]) {
      if (isRecord(result) && isRecord(result.Plan)) results.push(result as RawExplainResult);
    }
  }
  return results;
}

/**
 * What the model hangs under a node: its "Plans", then a Citus scan's subplans and tasks (in the
 * order Citus prints them); under a subplan or a task, the roots of its plans.
 */
export function modelChildren(raw: RawModelNode, kind: ModelNodeKind): ModelChild[] {
  if (kind !== 'plan') return planResults(raw as RawCitusTask, kind).map((result) => ({ raw: result.Plan, kind: 'plan' }));
  const node = raw as RawPlanNode;
  const children: ModelChild[] = Array.isArray(node.Plans) ? node.Plans.map((child) => ({ raw: child, kind: 'plan' })) : [];
  for (const subplan of citusSubplans(node)) children.push({ raw: subplan, kind: 'subplan' });
  for (const task of citusTasks(node)) children.push({ raw: task, kind: 'task' });
  return children;
}

/**
 * The node's own keys, without what becomes its children in the model: "Plans", a scan's
 * "Subplans" and "Tasks", a subplan's or task's "Plan"s (their "Planning Time", "Execution Time"
 * stay).
 */
export function ownKeys(raw: RawModelNode, kind: ModelNodeKind): Record<string, unknown> {
  if (kind !== 'plan') {
    const key = resultsKey(kind);
    const rows = (raw as Record<string, unknown>)[key];
    if (!Array.isArray(rows)) return { ...raw };
    return { ...raw, [key]: rows.map((row) => (Array.isArray(row) ? row.map(withoutPlan) : withoutPlan(row))) };
  }
  const { Plans: _children, ...own } = raw as RawPlanNode;
  const node = raw as RawPlanNode;
  const subplans = citusSubplans(node).length > 0;
  const tasks = citusTasks(node).length > 0;
  if (!subplans && !tasks) return own;
  const distributed = node['Distributed Query']!;
  let query: Record<string, unknown> = distributed;
  if (subplans) {
    const { Subplans: _subplans, ...rest } = distributed;
    query = rest;
  }
  if (tasks) {
    const { Tasks: _tasks, ...job } = distributed.Job!;
    query = { ...query, Job: job };
  }
  return { ...own, 'Distributed Query': query };
}

function withoutPlan(result: unknown): unknown {
  if (!isRecord(result) || !isRecord(result.Plan)) return result;
  const { Plan: _plan, ...rest } = result;
  return rest;
}

/** A scan's keys with its subplans and tasks put back where Citus writes them: "Subplans" first, "Tasks" last in "Job". */
export function withCitusChildren(
  scan: Record<string, unknown>,
  subplans: Array<Record<string, unknown>>,
  tasks: Array<Record<string, unknown>>,
): Record<string, unknown> {
  let query = scan['Distributed Query'] as Record<string, unknown>;
  if (subplans.length > 0) query = { Subplans: subplans, ...query };
  if (tasks.length > 0) query = { ...query, Job: { ...(query.Job as Record<string, unknown>), Tasks: tasks } };
  return { ...scan, 'Distributed Query': query };
}

/** A task's or subplan's keys with its plans' roots put back, in order, first in each result as PostgreSQL writes "Plan". */
export function withPlans(
  raw: Record<string, unknown>,
  kind: 'task' | 'subplan',
  roots: Array<Record<string, unknown>>,
): Record<string, unknown> {
  const key = resultsKey(kind);
  let next = 0;
  const fill = (result: unknown): unknown =>
    isRecord(result) && !('Plan' in result) && next < roots.length ? { Plan: roots[next++], ...result } : result;
  const rows = (raw[key] as unknown[]).map((row) => (Array.isArray(row) ? row.map(fill) : fill(row)));
  return { ...raw, [key]: rows };
}

/** The worker a task ran on, from Citus's "host=10.0.0.5 port=5432 dbname=app". */
export function workerOf(node: string): { host?: string; port?: number; dbname?: string } {
  const worker: { host?: string; port?: number; dbname?: string } = {};
  for (const match of node.matchAll(/(\w+)=(\S+)/g)) {
    if (match[1] === 'host') worker.host = match[2];
    else if (match[1] === 'port' && /^\d+$/.test(match[2])) worker.port = Number(match[2]);
    else if (match[1] === 'dbname') worker.dbname = match[2];
  }
  return worker;
}

/**
 * The distributed table a shard belongs to: Citus names shards `<table>_<shard id>` ("orders_102008").
 * A name without that suffix is returned as is.
 */
export function distributedTableOf(shard: string): string {
  const match = /^(.+)_\d+$/.exec(shard);
  return match ? match[1] : shard;
}
