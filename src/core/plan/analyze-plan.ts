import {
  SUBPLAN_NODE_TYPE,
  TASK_NODE_TYPE,
  citusTaskCount,
  citusTasks,
  distributedTableOf,
  modelChildren,
  ownKeys,
  planResults,
  workerOf,
  type ModelNodeKind,
  type RawModelNode,
} from './citus';
import type { RawCitusSubplan, RawCitusTask, RawExplainResult, RawPlanNode } from './explain-json';
import type { AnalyzedPlan, Misestimate, NodeBuffers, PlanMaxima, PlanNode, RemoteServer, TriggerTiming } from './model';
import { nodeLabel, subplanLabel, taskLabel } from './node-label';
import { PlanParseError } from './parse-plan';

/*
 * Time, buffers, I/O time and WAL are all inclusive in EXPLAIN: a node's counters include
 * everything that ran while it did. They are tracked side by side in flat arrays, one row of
 * DIMS numbers per node, so that one set of subtractions and corrections serves them all.
 */
const TIME = 0;
const BUFFER_KEYS = [
  'Shared Hit Blocks',
  'Shared Read Blocks',
  'Shared Dirtied Blocks',
  'Shared Written Blocks',
  'Local Hit Blocks',
  'Local Read Blocks',
  'Local Dirtied Blocks',
  'Local Written Blocks',
  'Temp Read Blocks',
  'Temp Written Blocks',
] as const;
const FIRST_BUFFER = 1;
const IO_READ = FIRST_BUFFER + BUFFER_KEYS.length;
const IO_WRITE = IO_READ + 1;
const WAL_KEYS = ['WAL Records', 'WAL FPI', 'WAL Bytes'] as const;
const FIRST_WAL = IO_WRITE + 1;
const DIMS = FIRST_WAL + WAL_KEYS.length;
/** Dimensions holding whole counts, which the CTE correction splits in whole units. */
const IS_COUNT = Array.from({ length: DIMS }, (_, d) => d !== TIME && d !== IO_READ && d !== IO_WRITE);

// I/O timing keys differ by version (13-14, 15-16, 17+); their sum means the same everywhere.
const IO_READ_KEYS = ['I/O Read Time', 'Shared I/O Read Time', 'Local I/O Read Time', 'Temp I/O Read Time'] as const;
const IO_WRITE_KEYS = ['I/O Write Time', 'Shared I/O Write Time', 'Local I/O Write Time', 'Temp I/O Write Time'] as const;

const HAS_TIME = 1;
const HAS_BUFFERS = 2;
const HAS_IO = 4;
const HAS_WAL = 8;

/** Keys that name a subplan rather than use one, skipped when looking for InitPlan references. */
const NOT_REFERENCES = new Set(['Node Type', 'Parent Relationship', 'Subplan Name', 'Plans', 'Workers']);
/** "$0" (an InitPlan output up to PostgreSQL 16) or "InitPlan 1" (as in "(InitPlan 1).col1", 17+). */
const INITPLAN_REFERENCE = /\$\d+|InitPlan \d+/g;

interface Frame {
  raw: RawModelNode;
  kind: ModelNodeKind;
  /** A Citus scan's subplans: the subplan's position among them. */
  index: number;
  parentId: number;
  depth: number;
  /** Processes sharing this node's work: 1 outside a Gather. */
  divisor: number;
  /** Nearest Gather / Gather Merge above, not crossing a subplan boundary; -1 if none. */
  gatherId: number;
  /** A Limit above reads this node's rows on demand, so it may stop before the node runs dry. */
  cutByLimit: boolean;
  /** The plan the node belongs to: -1 the statement's, else the Citus task or distributed subplan whose plan it is. */
  scopeId: number;
  remote?: RemoteServer;
}

/**
 * Nodes that read all their input before returning a row: a Limit above them stops their output,
 * never their input, so its early stop does not reach their children.
 */
function consumesAllInput(raw: RawPlanNode): boolean {
  switch (raw['Node Type']) {
    case 'Sort':
    case 'Hash':
      return true;
    case 'Aggregate':
      return raw.Strategy !== 'Sorted';
    case 'SetOp':
      return raw.Strategy === 'Hashed';
    default:
      return false;
  }
}

/**
 * Computes every derived metric of model.ts, following PEV2's pipeline (dalibo/pev2
 * plan-service.ts) for time. Iterative and linear in the number of nodes: plans reach tens of
 * thousands of nodes, nested deeper than the call stack allows.
 */
export function analyzePlan(raw: RawExplainResult): AnalyzedPlan {
  const settings = isRecord(raw.Settings) ? (raw.Settings as Record<string, string>) : undefined;
  const leaderParticipates = settings?.['parallel_leader_participation'] !== 'off';
  const analyzed = num(raw.Plan['Actual Loops']) !== undefined;

  rejectInvalidTopLevelNumbers(raw);
  const count = countNodes(raw.Plan);
  const nodes: PlanNode[] = [];
  const raws: RawPlanNode[] = [];
  const inclusive = new Float64Array(count * DIMS);
  const flags = new Uint8Array(count);
  const gatherOf = new Int32Array(count);
  const scopeOf = new Int32Array(count);
  const kinds: ModelNodeKind[] = [];
  const initPlans: number[] = [];
  const ctes: number[] = [];
  const cteScans: number[] = [];
  /** The Citus scans with tasks, and the longest inclusive time of their shown tasks. */
  const longestTask = new Map<number, number>();

  const stack: Frame[] = [
    { raw: raw.Plan, kind: 'plan', index: 0, parentId: -1, depth: 0, divisor: 1, gatherId: -1, cutByLimit: false, scopeId: -1 },
  ];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const id = nodes.length;
    const node = frame.kind === 'plan' ? buildNode(frame, id, inclusive, flags) : buildCitusNode(frame, frame.kind, id, inclusive, flags);
    nodes.push(node);
    raws.push(frame.raw as RawPlanNode);
    kinds.push(frame.kind);
    gatherOf[id] = frame.gatherId;
    scopeOf[id] = frame.scopeId;
    if (frame.parentId >= 0) nodes[frame.parentId].childIds.push(id);
    if (frame.kind === 'task') {
      if (flags[id] & HAS_TIME)
        longestTask.set(frame.parentId, Math.max(longestTask.get(frame.parentId) ?? 0, inclusive[id * DIMS + TIME]));
    } else if (node.parentRelationship === 'InitPlan') {
      if (node.subplanName?.startsWith('CTE ')) ctes.push(id);
      else initPlans.push(id);
    }
    if (node.nodeType === 'CTE Scan' && node.cteName !== undefined) cteScans.push(id);

    const children = modelChildren(frame.raw, frame.kind);
    if (children.length === 0) continue;
    if (frame.kind !== 'plan') {
      // A task's or subplan's plan ran by itself (a task's on its worker): no Gather, Limit or
      // InitPlan of the plan around it reaches into it.
      for (let i = children.length - 1; i >= 0; i--) {
        stack.push({
          raw: children[i].raw,
          kind: children[i].kind,
          index: i,
          parentId: id,
          depth: frame.depth + 1,
          divisor: 1,
          gatherId: -1,
          cutByLimit: false,
          scopeId: id,
          remote: node.remote,
        });
      }
      continue;
    }
    const parent = frame.raw as RawPlanNode;
    const isGather = node.nodeType === 'Gather' || node.nodeType === 'Gather Merge';
    const divisor = isGather ? gatherDivisor(parent, leaderParticipates) : frame.divisor;
    let subplans = 0;
    for (let i = children.length - 1; i >= 0; i--) if (children[i].kind === 'subplan') subplans++;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      const relationship = (child.raw as RawPlanNode)['Parent Relationship'];
      // As in PEV2, subplans below a Gather are not divided among its workers.
      const subplan = relationship === 'InitPlan' || relationship === 'SubPlan';
      if (child.kind === 'subplan') subplans--;
      stack.push({
        raw: child.raw,
        kind: child.kind,
        index: subplans,
        parentId: id,
        depth: frame.depth + 1,
        divisor: subplan ? 1 : divisor,
        gatherId: subplan ? -1 : isGather ? id : frame.gatherId,
        cutByLimit: !subplan && (node.nodeType === 'Limit' || (frame.cutByLimit && !consumesAllInput(parent))),
        scopeId: frame.scopeId,
        remote: frame.remote,
      });
    }
  }

  const n = nodes.length;
  // A distributed subplan reports only its duration: its buffers, I/O and WAL are those of its plan.
  for (let id = n - 1; id > 0; id--) {
    if (kinds[id] !== 'subplan') continue;
    for (const child of nodes[id].childIds) {
      for (let d = 1; d < DIMS; d++) inclusive[id * DIMS + d] += inclusive[child * DIMS + d];
      flags[id] |= flags[child] & ~HAS_TIME;
    }
  }
  const exclusive = inclusive.slice();
  for (let id = 1; id < n; id++) {
    // InitPlans (CTEs included) run when something first needs their result, not necessarily
    // inside the node they hang under; corrected below. Citus tasks: below.
    if (nodes[id].parentRelationship === 'InitPlan' || kinds[id] === 'task') continue;
    const parent = nodes[id].parentId! * DIMS;
    const child = id * DIMS;
    for (let d = 0; d < DIMS; d++) exclusive[parent + d] -= inclusive[child + d];
  }
  // A Citus scan waits while its tasks run on the workers, all at once (a connection or more per
  // worker). Only the shown tasks' times are known, and under ANALYZE Citus shows the slowest: the
  // scan's wait for its tasks is the longest shown task's time, which alone comes off the scan's own
  // time. The tasks' buffers, I/O and WAL were the workers', never counted in the scan's.
  for (const [scan, longest] of longestTask) exclusive[scan * DIMS + TIME] -= longest;
  for (let i = 0; i < exclusive.length; i++) if (exclusive[i] < 0) exclusive[i] = 0;

  if (initPlans.length > 0) attributeInitPlans(initPlans, nodes, raws, kinds, gatherOf, scopeOf, subtreeEnds(nodes), inclusive, exclusive);
  if (ctes.length > 0 && cteScans.length > 0) attributeCtes(ctes, cteScans, nodes, scopeOf, inclusive, exclusive);

  const executionMs = num(raw['Execution Time']);
  const rootInclusive = flags[0] & HAS_TIME ? inclusive[TIME] : undefined;
  const totalMs = executionMs ?? rootInclusive;
  const maxima: PlanMaxima = {
    inclusiveMs: 0,
    exclusiveMs: 0,
    actualRowsTotal: 0,
    planRowsTotal: 0,
    totalCost: 0,
    misestimateFactor: 0,
    sharedBlocks: 0,
  };
  let hasBuffers = false;
  for (let id = 0; id < n; id++) {
    const node = nodes[id];
    const row = id * DIMS;
    const nodeFlags = flags[id];
    if (nodeFlags & HAS_TIME) {
      const excl = roundMs(exclusive[row + TIME]);
      node.exclusiveMs = excl;
      if (totalMs !== undefined) node.exclusiveShare = totalMs > 0 ? Math.min(1, excl / totalMs) : 0;
      if (excl > maxima.exclusiveMs) maxima.exclusiveMs = excl;
      if (node.inclusiveMs! > maxima.inclusiveMs) maxima.inclusiveMs = node.inclusiveMs!;
    }
    if (nodeFlags & HAS_BUFFERS) {
      hasBuffers = true;
      const buffers = readBuffers(exclusive, row);
      node.buffers = buffers;
      const shared = buffers.sharedHit + buffers.sharedRead;
      if (shared > 0) node.cacheHitRatio = buffers.sharedHit / shared;
      const touched = shared + buffers.sharedDirtied + buffers.sharedWritten;
      if (touched > maxima.sharedBlocks) maxima.sharedBlocks = touched;
    }
    if (nodeFlags & HAS_IO) {
      node.ioReadMs = roundMs(exclusive[row + IO_READ]);
      node.ioWriteMs = roundMs(exclusive[row + IO_WRITE]);
    }
    if (nodeFlags & HAS_WAL) {
      node.wal = { records: exclusive[row + FIRST_WAL], fpi: exclusive[row + FIRST_WAL + 1], bytes: exclusive[row + FIRST_WAL + 2] };
    }
    if (node.actualRowsTotal !== undefined && node.actualRowsTotal > maxima.actualRowsTotal) maxima.actualRowsTotal = node.actualRowsTotal;
    if (node.planRowsTotal > maxima.planRowsTotal) maxima.planRowsTotal = node.planRowsTotal;
    if (node.totalCost > maxima.totalCost) maxima.totalCost = node.totalCost;
    if (node.misestimate && node.misestimate.factor > maxima.misestimateFactor) maxima.misestimateFactor = node.misestimate.factor;
  }

  const { Plan: _plan, ...rawTopLevel } = raw;
  const plan: AnalyzedPlan = {
    nodes,
    analyzed,
    hasBuffers,
    planningMs: num(raw['Planning Time']),
    executionMs,
    totalMs,
    triggers: readTriggers(raw),
    maxima,
    rawTopLevel,
  };
  if (isRecord(raw.JIT)) {
    const timing = isRecord(raw.JIT.Timing) ? raw.JIT.Timing : undefined;
    plan.jit = { functions: num(raw.JIT.Functions) ?? 0, totalMs: num(timing?.Total) ?? 0, raw: raw.JIT };
  }
  if (settings) plan.settings = settings;
  return plan;
}

/**
 * Counts the nodes and rejects numbers EXPLAIN never writes, in preorder so that a node is named
 * by the id the rest of Plan Lens shows: every number in a plan (costs, rows, times, buffers,
 * loops, widths) is finite and not negative, and one that is not would spread through every total.
 */
function countNodes(root: RawPlanNode): number {
  let count = 0;
  const stack: Array<{ raw: RawModelNode; kind: ModelNodeKind }> = [{ raw: root, kind: 'plan' }];
  while (stack.length > 0) {
    const { raw, kind } = stack.pop()!;
    const id = count;
    if (kind === 'plan') {
      rejectInvalidNumbers(raw as Record<string, unknown>, () => `node #${id} (${String(raw['Node Type'])})`);
    } else {
      rejectInvalidNumbers(raw as Record<string, unknown>, () => `node #${id} (${kind === 'task' ? TASK_NODE_TYPE : SUBPLAN_NODE_TYPE})`);
      for (const result of planResults(raw, kind)) rejectInvalidNumbers(result as Record<string, unknown>, () => `the plan of node #${id}`);
    }
    count++;
    const children = modelChildren(raw, kind);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return count;
}

function rejectInvalidTopLevelNumbers(raw: RawExplainResult): void {
  rejectInvalidNumbers(raw as unknown as Record<string, unknown>, () => 'the plan');
  if (isRecord(raw.JIT)) {
    rejectInvalidNumbers(raw.JIT, () => 'JIT');
    if (isRecord(raw.JIT.Timing)) rejectInvalidNumbers(raw.JIT.Timing, () => 'JIT Timing');
  }
  if (Array.isArray(raw.Triggers)) {
    for (const trigger of raw.Triggers)
      if (isRecord(trigger)) rejectInvalidNumbers(trigger, () => `trigger ${String(trigger['Trigger Name'])}`);
  }
}

/** Fields EXPLAIN writes as signed numbers: the query identifier is a hash, as often negative as not. */
const SIGNED_FIELDS = new Set(['Query Identifier']);

function rejectInvalidNumbers(fields: Record<string, unknown>, where: () => string): void {
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === 'number' && !(Number.isFinite(value) && (value >= 0 || SIGNED_FIELDS.has(key)))) {
      throw new PlanParseError(
        `"${key}" of ${where()} is ${value}: EXPLAIN never writes a negative or infinite number, so the plan was changed after PostgreSQL wrote it.`,
      );
    }
  }
}

function buildNode(frame: Frame, id: number, inclusive: Float64Array, flags: Uint8Array): PlanNode {
  const raw = frame.raw as RawPlanNode;
  const loopsReported = num(raw['Actual Loops']);
  const loops = loopsReported ?? 0;
  const executed = loops > 0;
  const planRows = num(raw['Plan Rows']) ?? 0;
  const actualRows = num(raw['Actual Rows']);
  const actualRowsTotal = actualRows === undefined ? undefined : Math.round(actualRows * loops);

  let nodeFlags = 0;
  const row = id * DIMS;

  const totalTime = num(raw['Actual Total Time']);
  let inclusiveMs: number | undefined;
  if (loopsReported !== undefined && totalTime !== undefined) {
    inclusiveMs = executed ? roundMs((totalTime * loops) / frame.divisor) : 0;
    inclusive[row + TIME] = inclusiveMs;
    nodeFlags |= HAS_TIME;
  }
  for (let k = 0; k < BUFFER_KEYS.length; k++) {
    const value = num(raw[BUFFER_KEYS[k]]);
    if (value === undefined) continue;
    inclusive[row + FIRST_BUFFER + k] = value;
    nodeFlags |= HAS_BUFFERS;
  }
  for (let k = 0; k < IO_READ_KEYS.length; k++) {
    const read = num(raw[IO_READ_KEYS[k]]);
    const write = num(raw[IO_WRITE_KEYS[k]]);
    if (read === undefined && write === undefined) continue;
    inclusive[row + IO_READ] += read ?? 0;
    inclusive[row + IO_WRITE] += write ?? 0;
    nodeFlags |= HAS_IO;
  }
  for (let k = 0; k < WAL_KEYS.length; k++) {
    const value = num(raw[WAL_KEYS[k]]);
    if (value === undefined) continue;
    inclusive[row + FIRST_WAL + k] = value;
    nodeFlags |= HAS_WAL;
  }
  flags[id] = nodeFlags;

  const filter = removedTotal(raw['Rows Removed by Filter'], loops);
  const joinFilter = removedTotal(raw['Rows Removed by Join Filter'], loops);
  const recheck = removedTotal(raw['Rows Removed by Index Recheck'], loops);
  let removedRatio: number | undefined;
  if (actualRowsTotal !== undefined && (filter !== undefined || joinFilter !== undefined || recheck !== undefined)) {
    const removed = (filter ?? 0) + (joinFilter ?? 0) + (recheck ?? 0);
    if (removed + actualRowsTotal > 0) removedRatio = removed / (removed + actualRowsTotal);
  }

  const node: PlanNode = {
    id,
    parentId: frame.parentId < 0 ? null : frame.parentId,
    childIds: [],
    depth: frame.depth,
    nodeType: raw['Node Type'],
    label: nodeLabel(raw),
    parentRelationship: str(raw['Parent Relationship']),
    subplanName: str(raw['Subplan Name']),
    relation: str(raw['Relation Name']),
    schema: str(raw.Schema),
    alias: str(raw.Alias),
    index: str(raw['Index Name']),
    cteName: str(raw['CTE Name']),
    functionName: str(raw['Function Name']),
    joinType: str(raw['Join Type']),
    strategy: str(raw.Strategy),
    operation: str(raw.Operation),
    parallelAware: raw['Parallel Aware'] === true,
    startupCost: num(raw['Startup Cost']) ?? 0,
    totalCost: num(raw['Total Cost']) ?? 0,
    planRows,
    planWidth: num(raw['Plan Width']) ?? 0,
    executed,
    loops,
    actualRows,
    actualRowsTotal,
    planRowsTotal: planRows * Math.max(loops, 1),
    // Citus's coordinator gives every distributed scan a placeholder estimate (100,000 rows): nothing to judge.
    misestimate:
      executed && actualRows !== undefined && !str(raw['Custom Plan Provider'])?.startsWith('Citus')
        ? misestimate(actualRows, planRows, frame.cutByLimit)
        : undefined,
    stoppedEarly: frame.cutByLimit && executed && actualRows !== undefined && actualRows < planRows ? true : undefined,
    inclusiveMs,
    exclusiveMs: undefined,
    exclusiveShare: undefined,
    rowsRemovedByFilter: filter,
    rowsRemovedByJoinFilter: joinFilter,
    rowsRemovedByIndexRecheck: recheck,
    removedRatio,
    buffers: undefined,
    cacheHitRatio: undefined,
    ioReadMs: undefined,
    ioWriteMs: undefined,
    wal: undefined,
    workersPlanned: num(raw['Workers Planned']),
    workersLaunched: num(raw['Workers Launched']),
    raw: ownKeys(raw, 'plan') as PlanNode['raw'],
  };
  if (frame.remote) {
    node.remote = frame.remote;
    if (node.relation !== undefined) node.distributedTable = distributedTableOf(node.relation);
  }
  const shown = citusTasks(raw).length;
  if (shown > 0) {
    const taskCount = citusTaskCount(raw);
    node.tasks = taskCount === undefined ? { shown } : { shown, count: taskCount };
  }
  return node;
}

/**
 * A Citus task or distributed subplan: its time and rows are its plan's. A task's time is its
 * worker's "Execution Time" (the plan's root plus the executor's start and end there), a subplan's
 * its "Subplan Duration" (the plan plus writing its result for the workers), else the root's.
 */
function buildCitusNode(frame: Frame, kind: 'task' | 'subplan', id: number, inclusive: Float64Array, flags: Uint8Array): PlanNode {
  const raw = frame.raw as RawCitusTask & RawCitusSubplan;
  const results = planResults(raw, kind);
  const root = results.length > 0 ? results[0].Plan : undefined;
  const loops = num(root?.['Actual Loops']);
  const executed = loops !== undefined && loops > 0;
  const rootRows = num(root?.['Actual Rows']);
  const actualRowsTotal = rootRows === undefined || loops === undefined ? undefined : Math.round(rootRows * loops);
  const rootTime = num(root?.['Actual Total Time']);
  let inclusiveMs: number | undefined;
  if (loops !== undefined && rootTime !== undefined) {
    const own = kind === 'task' ? num(results[0]['Execution Time']) : num(raw['Subplan Duration']);
    inclusiveMs = !executed ? 0 : roundMs(own ?? rootTime * loops);
    inclusive[id * DIMS + TIME] = inclusiveMs;
    flags[id] = HAS_TIME;
  }
  const planRows = num(root?.['Plan Rows']) ?? 0;
  const node: PlanNode = {
    id,
    parentId: frame.parentId,
    childIds: [],
    depth: frame.depth,
    nodeType: kind === 'task' ? TASK_NODE_TYPE : SUBPLAN_NODE_TYPE,
    label: '',
    parallelAware: false,
    startupCost: num(root?.['Startup Cost']) ?? 0,
    totalCost: num(root?.['Total Cost']) ?? 0,
    planRows,
    planWidth: num(root?.['Plan Width']) ?? 0,
    executed,
    loops: executed ? 1 : 0,
    actualRows: actualRowsTotal,
    actualRowsTotal,
    planRowsTotal: planRows * Math.max(loops ?? 0, 1),
    inclusiveMs,
    raw: ownKeys(raw, kind) as PlanNode['raw'],
  };
  if (kind === 'task') {
    node.remote = typeof raw.Node === 'string' ? { node: raw.Node, ...workerOf(raw.Node) } : {};
    node.label = taskLabel(node.remote);
  } else {
    node.label = subplanLabel(frame.index);
    if (frame.remote) node.remote = frame.remote;
  }
  return node;
}

/**
 * How many processes share the work below a Gather. PostgreSQL sums times and loops over the
 * leader and every worker; dividing by the process count gives wall time, as PEV2 does.
 */
function gatherDivisor(raw: RawPlanNode, leaderParticipates: boolean): number {
  // A Single Copy Gather runs its plan in one process: a worker, or the leader if none started.
  if (raw['Single Copy'] === true) return 1;
  const workers = num(raw['Workers Launched']) ?? num(raw['Workers Planned']) ?? 0;
  return leaderParticipates ? workers + 1 : Math.max(workers, 1);
}

function misestimate(actualRows: number, planRows: number, cutByLimit: boolean): Misestimate {
  // PostgreSQL never estimates below one row, and PostgreSQL 18 reports fractions of a row per
  // loop (0.01 when one loop in a hundred found a row): below one, both count as one.
  const actual = Math.max(1, actualRows);
  const planned = Math.max(1, planRows);
  // PostgreSQL estimates a node's rows as if it ran to the end; under a Limit that stopped it
  // early, fewer rows are expected and say nothing about the estimate.
  if (actual === planned || (cutByLimit && actual < planned)) return { factor: 1, direction: 'exact' };
  return actual > planned ? { factor: actual / planned, direction: 'under' } : { factor: planned / actual, direction: 'over' };
}

function removedTotal(perLoop: unknown, loops: number): number | undefined {
  const value = num(perLoop);
  return value === undefined ? undefined : Math.round(value * Math.max(loops, 1));
}

/** subtreeEnd[id]: one past the last preorder id of id's subtree. */
function subtreeEnds(nodes: PlanNode[]): Int32Array {
  const size = new Int32Array(nodes.length).fill(1);
  for (let id = nodes.length - 1; id > 0; id--) size[nodes[id].parentId!] += size[id];
  for (let id = 0; id < nodes.length; id++) size[id] += id;
  return size;
}

/**
 * An InitPlan runs once, the first time a node evaluates an expression that needs its result, and
 * its time and buffers land in that node. So they come off the exclusive values of the nodes that
 * reference it (deepest first, each down to 0 at most, the whole amount once), or of the node it
 * hangs under when no reference is visible (e.g. a Result whose Output only VERBOSE would show).
 * Inside a parallel plan the Gather evaluates InitPlans for its workers before starting them.
 * A Citus task's or subplan's plan numbers its InitPlans on its own: references are matched within one plan.
 */
function attributeInitPlans(
  initPlans: number[],
  nodes: PlanNode[],
  raws: RawPlanNode[],
  kinds: ModelNodeKind[],
  gatherOf: Int32Array,
  scopeOf: Int32Array,
  subtreeEnd: Int32Array,
  inclusive: Float64Array,
  exclusive: Float64Array,
): void {
  const byReference = new Map<string, number>();
  for (const id of initPlans) {
    const name = nodes[id].subplanName ?? '';
    const number = /^InitPlan (\d+)/.exec(name);
    if (number) byReference.set(`${scopeOf[id]} InitPlan ${number[1]}`, id);
    const returns = /\(returns ([^)]*)\)/.exec(name);
    if (returns) for (const param of returns[1].split(',')) byReference.set(`${scopeOf[id]} ${param.trim()}`, id);
  }
  const users = new Map<number, Set<number>>();
  const addUser = (initPlan: number, referrer: number): void => {
    if (referrer >= initPlan && referrer < subtreeEnd[initPlan]) return;
    const gather = gatherOf[referrer];
    const host = nodes[initPlan].parentId!;
    const runsInWorkers = gather >= 0 && host > gather && host < subtreeEnd[gather];
    const user = gather >= 0 && !runsInWorkers ? gather : referrer;
    const found = users.get(initPlan);
    if (found) found.add(user);
    else users.set(initPlan, new Set([user]));
  };
  const scan = (text: string, referrer: number): void => {
    if (!text.includes('$') && !text.includes('InitPlan')) return;
    for (const match of text.matchAll(INITPLAN_REFERENCE)) {
      const initPlan = byReference.get(`${scopeOf[referrer]} ${match[0]}`);
      if (initPlan !== undefined) addUser(initPlan, referrer);
    }
  };
  for (let id = 0; id < nodes.length; id++) {
    // A task's or subplan's keys are Citus's: a task's "Query" holds its own parameters, not InitPlan outputs.
    if (kinds[id] !== 'plan') continue;
    const raw = raws[id];
    for (const key in raw) {
      if (NOT_REFERENCES.has(key)) continue;
      const value = raw[key];
      if (typeof value === 'string') scan(value, id);
      else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') scan(item, id);
    }
  }

  for (const initPlan of initPlans) {
    const found = users.get(initPlan);
    const candidates = found ? [...found].sort((a, b) => b - a) : [nodes[initPlan].parentId!];
    const from = initPlan * DIMS;
    for (let d = 0; d < DIMS; d++) {
      let remaining = inclusive[from + d];
      for (let i = 0; i < candidates.length && remaining > 0; i++) {
        const at = candidates[i] * DIMS + d;
        const taken = Math.min(exclusive[at], remaining);
        exclusive[at] -= taken;
        remaining -= taken;
      }
    }
  }
}

/**
 * A CTE runs as its CTE Scans pull rows from it, so its time and buffers are inside theirs. Each
 * scan gives up a share in proportion to its own exclusive value (PEV2 does this for time).
 */
function attributeCtes(
  ctes: number[],
  cteScans: number[],
  nodes: PlanNode[],
  scopeOf: Int32Array,
  inclusive: Float64Array,
  exclusive: Float64Array,
): void {
  // Keyed by the plan too: a Citus task's or subplan's plan has CTEs of its own.
  const byName = new Map<string, number[]>();
  for (const id of ctes) {
    const name = `${scopeOf[id]} ${nodes[id].subplanName!.slice('CTE '.length)}`;
    const list = byName.get(name);
    if (list) list.push(id);
    else byName.set(name, [id]);
  }
  const scansOf = new Map<number, number[]>();
  for (const scan of cteScans) {
    const candidates = byName.get(`${scopeOf[scan]} ${nodes[scan].cteName!}`);
    if (!candidates) continue;
    const cte = candidates.length === 1 ? candidates[0] : nearestInScope(scan, candidates, nodes);
    const list = scansOf.get(cte);
    if (list) list.push(scan);
    else scansOf.set(cte, [scan]);
  }
  for (const [cte, scans] of scansOf) {
    for (let d = 0; d < DIMS; d++) {
      const amount = inclusive[cte * DIMS + d];
      if (amount <= 0) continue;
      let weight = 0;
      for (const scan of scans) weight += exclusive[scan * DIMS + d];
      if (weight <= 0) continue;
      if (amount >= weight) {
        for (const scan of scans) exclusive[scan * DIMS + d] = 0;
        continue;
      }
      if (!IS_COUNT[d]) {
        for (const scan of scans) exclusive[scan * DIMS + d] -= (amount * exclusive[scan * DIMS + d]) / weight;
        continue;
      }
      // Whole blocks: floor of each share, then the leftover one by one while capacity remains.
      let left = amount;
      const shares = scans.map((scan) => {
        const share = Math.floor((amount * exclusive[scan * DIMS + d]) / weight);
        left -= share;
        return share;
      });
      for (let i = 0; i < scans.length && left > 0; i++) {
        const extra = Math.min(left, exclusive[scans[i] * DIMS + d] - shares[i]);
        shares[i] += extra;
        left -= extra;
      }
      for (let i = 0; i < scans.length; i++) exclusive[scans[i] * DIMS + d] -= shares[i];
    }
  }
}

/** CTE names can repeat across query levels: a scan reads the one attached nearest above it. */
function nearestInScope(scan: number, candidates: number[], nodes: PlanNode[]): number {
  for (let at = nodes[scan].parentId; at !== null; at = nodes[at].parentId) {
    for (const cte of candidates) if (nodes[cte].parentId === at) return cte;
  }
  return candidates[0];
}

function readBuffers(values: Float64Array, row: number): NodeBuffers {
  const at = row + FIRST_BUFFER;
  return {
    sharedHit: values[at],
    sharedRead: values[at + 1],
    sharedDirtied: values[at + 2],
    sharedWritten: values[at + 3],
    localHit: values[at + 4],
    localRead: values[at + 5],
    localDirtied: values[at + 6],
    localWritten: values[at + 7],
    tempRead: values[at + 8],
    tempWritten: values[at + 9],
  };
}

function readTriggers(raw: RawExplainResult): TriggerTiming[] {
  if (!Array.isArray(raw.Triggers)) return [];
  return raw.Triggers.filter(isRecord).map((trigger) => {
    const timing: TriggerTiming = {
      name: String(trigger['Trigger Name'] ?? ''),
      timeMs: num(trigger.Time) ?? 0,
      calls: num(trigger.Calls) ?? 0,
    };
    const constraint = str(trigger['Constraint Name']);
    const relation = str(trigger.Relation);
    if (constraint !== undefined) timing.constraint = constraint;
    if (relation !== undefined) timing.relation = relation;
    return timing;
  });
}

/** Rounds away floating-point noise (246.935 - 246.906 = 0.02900000000000773) below EXPLAIN's 0.001 ms resolution. */
function roundMs(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
