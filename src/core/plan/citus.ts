/**
 * Citus's distributed plans. A "Custom Scan (Citus Adaptive)" keeps the plans its tasks ran on the
 * worker nodes inside its own properties (Citus 12, multi_explain.c):
 *
 *   "Distributed Query": { "Job": { "Task Count": 32, "Tasks Shown": "One of 32", "Tasks": [
 *     { "Node": "host=w1 port=5432 dbname=app", "Remote Plan": [[{ "Plan": {...}, "Execution Time": 3.1 }]] } ] } }
 *
 * The model makes each task a node under its scan and each remote plan a subtree under its task;
 * these helpers take the tasks out of the scan's keys and put them back, so the raw plan still
 * reads exactly as Citus wrote it.
 */
import type { RawCitusJob, RawCitusTask, RawExplainResult, RawPlanNode } from './explain-json';

/** The model's "Node Type" of a task: Citus's text format draws it as a node ("->  Task"). */
export const TASK_NODE_TYPE = 'Task';

/** A plan node or a Citus task: what the model makes a node of. */
export type RawModelNode = RawPlanNode | RawCitusTask;

export function isTask(raw: RawModelNode): raw is RawCitusTask {
  return typeof raw['Node Type'] !== 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function jobOf(raw: RawPlanNode): RawCitusJob | undefined {
  const query = raw['Distributed Query'];
  return isRecord(query) && isRecord(query.Job) ? (query.Job as RawCitusJob) : undefined;
}

/** The tasks a Citus scan shows; [] for any other node, or a job without tasks (a re-partition job shows none). */
export function citusTasks(raw: RawPlanNode): RawCitusTask[] {
  if (raw['Node Type'] !== 'Custom Scan') return [];
  const tasks = jobOf(raw)?.Tasks;
  return Array.isArray(tasks) && tasks.length > 0 && tasks.every(isRecord) ? tasks : [];
}

/** "Task Count" and "Tasks Shown" of a scan with tasks. */
export function citusJobSummary(raw: RawPlanNode): { taskCount?: number; tasksShown?: string } {
  const job = jobOf(raw);
  const count = job?.['Task Count'];
  const shown = job?.['Tasks Shown'];
  return { ...(typeof count === 'number' ? { taskCount: count } : {}), ...(typeof shown === 'string' ? { tasksShown: shown } : {}) };
}

/** The task's remote EXPLAIN results that hold a plan, in order (one, as Citus writes them). */
export function remoteResults(task: RawCitusTask): RawExplainResult[] {
  const rows = task['Remote Plan'];
  if (!Array.isArray(rows)) return [];
  const results: RawExplainResult[] = [];
  for (const row of rows) {
    for (const result of Array.isArray(row) ? row : [row]) {
      if (isRecord(result) && isRecord(result.Plan)) results.push(result as RawExplainResult);
    }
  }
  return results;
}

/** What the model hangs under a node: its "Plans", then a Citus scan's tasks; under a task, the roots of its remote plans. */
export function modelChildren(raw: RawModelNode): RawModelNode[] {
  if (isTask(raw)) return remoteResults(raw).map((result) => result.Plan);
  const plans = Array.isArray(raw.Plans) ? raw.Plans : [];
  const tasks = citusTasks(raw);
  return tasks.length === 0 ? plans : [...plans, ...tasks];
}

/**
 * The node's own keys, without what becomes its children in the model: "Plans", a scan's "Tasks",
 * a task's remote "Plan"s (their "Planning Time", "Execution Time" stay).
 */
export function ownKeys(raw: RawModelNode): Record<string, unknown> {
  if (isTask(raw)) {
    if (!Array.isArray(raw['Remote Plan'])) return { ...raw };
    const rows = raw['Remote Plan'].map((row) => (Array.isArray(row) ? row.map(withoutPlan) : withoutPlan(row)));
    return { ...raw, 'Remote Plan': rows };
  }
  const { Plans: _children, ...own } = raw;
  if (citusTasks(raw).length === 0) return own;
  const query = raw['Distributed Query']!;
  const { Tasks: _tasks, ...job } = query.Job!;
  return { ...own, 'Distributed Query': { ...query, Job: job } };
}

function withoutPlan(result: unknown): unknown {
  if (!isRecord(result) || !isRecord(result.Plan)) return result;
  const { Plan: _plan, ...rest } = result;
  return rest;
}

/** A scan's keys with its tasks put back where Citus writes them: last in "Job". */
export function withTasks(scan: Record<string, unknown>, tasks: Array<Record<string, unknown>>): Record<string, unknown> {
  const query = scan['Distributed Query'] as { Job: Record<string, unknown> };
  return { ...scan, 'Distributed Query': { ...query, Job: { ...query.Job, Tasks: tasks } } };
}

/** A task's keys with its remote plans' roots put back, in order, first in each result as PostgreSQL writes "Plan". */
export function withRemotePlans(task: Record<string, unknown>, roots: Array<Record<string, unknown>>): Record<string, unknown> {
  let next = 0;
  const fill = (result: unknown): unknown =>
    isRecord(result) && !('Plan' in result) && next < roots.length ? { Plan: roots[next++], ...result } : result;
  const rows = (task['Remote Plan'] as unknown[]).map((row) => (Array.isArray(row) ? row.map(fill) : fill(row)));
  return { ...task, 'Remote Plan': rows };
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
