/**
 * Plan-wide timing rules: jit-overhead and planning-slower-than-execution. They read the plan's
 * summary (JIT, Planning Time, Execution Time), not any one node. The execution time against its
 * target is the advice's headline (finding-ranking.ts), not a finding.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan } from '../../plan/model';
import { planFinding, type Rule } from './rule';
import { formatCount, formatMs, formatPercent } from '../../format';

export const JIT_OVERHEAD = 'jit-overhead';
export const PLANNING_SLOWER_THAN_EXECUTION = 'planning-slower-than-execution';

/** JIT share of the execution time from which compiling costs more than it is likely to save: warning. */
export const JIT_WARNING_SHARE = 0.1;
/** JIT share from which the query mostly compiles: critical. */
export const JIT_CRITICAL_SHARE = 0.5;
/** JIT time (ms) below which it is not worth a setting change, whatever its share. */
export const JIT_MIN_MS = 10;

/** Planning time (ms) below which it is too small to act on, even when it exceeds the execution. */
export const PLANNING_MIN_MS = 1;
/** Planning time (ms) from which it is worth reducing for any query run often: warning (below: info). */
export const PLANNING_WARNING_MS = 10;
/** Plan nodes from which the plan's size itself is the likely reason planning is slow (many partitions or joins). */
const LARGE_PLAN_NODES = 100;

export const jitOverhead: Rule = {
  id: JIT_OVERHEAD,
  title: 'JIT compilation costs more than it saves',
  description:
    "JIT compilation took a large share of the execution time. It starts when the plan's estimated cost exceeds jit_above_cost, which overestimated or moderately costly queries reach without running long enough to recoup it.",
  needs: 'actuals',
  thresholds: [
    { name: 'JIT_WARNING_SHARE', value: JIT_WARNING_SHARE, meaning: 'warning from this share of the execution time' },
    { name: 'JIT_CRITICAL_SHARE', value: JIT_CRITICAL_SHARE, meaning: 'critical from this share' },
    { name: 'JIT_MIN_MS', value: JIT_MIN_MS, meaning: 'fewest ms of JIT to report' },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const jit = plan.jit;
    const executionMs = plan.executionMs;
    if (!jit || executionMs === undefined || executionMs <= 0 || jit.totalMs < JIT_MIN_MS) return [];
    const share = jit.totalMs / executionMs;
    if (share < JIT_WARNING_SHARE) return [];
    const timing = (jit.raw['Timing'] ?? {}) as Record<string, unknown>;
    const phase = (key: string): number => (typeof timing[key] === 'number' ? (timing[key] as number) : 0);
    const tuning = phase('Inlining') + phase('Optimization');
    const rootCost = plan.nodes[0]?.totalCost ?? 0;
    return [
      planFinding(JIT_OVERHEAD, {
        severity: share >= JIT_CRITICAL_SHARE ? 'critical' : 'warning',
        title: `JIT compilation took ${formatMs(jit.totalMs)}, ${formatPercent(share)} of the ${formatMs(executionMs)} execution`,
        explanation:
          `PostgreSQL compiled ${formatCount(jit.functions)} functions to machine code because the plan's estimated cost (${formatCount(rootCost)}) exceeded jit_above_cost. ` +
          'Compiling pays off only for queries that then run long over many rows; this one did not run long enough to recoup it.' +
          (tuning > 0
            ? ` Inlining and optimization, which start above jit_inline_above_cost and jit_optimize_above_cost, took ${formatMs(tuning)} of it.`
            : ''),
        remedy:
          `SET jit = off for this query or its role, or raise jit_above_cost above this plan's cost (${formatCount(rootCost)}) so only longer queries are compiled; ` +
          'raising jit_inline_above_cost and jit_optimize_above_cost keeps the cheap compilation and skips its expensive phases. ' +
          'If the cost estimate is far above what the query really does, fixing the row estimates (ANALYZE) also keeps JIT away.',
        impactMs: jit.totalMs,
      }),
    ];
  },
};

export const planningSlowerThanExecution: Rule = {
  id: PLANNING_SLOWER_THAN_EXECUTION,
  title: 'Planning takes longer than execution',
  description:
    "Planning the statement took longer than running it: for a query run often, the planning time is the cost to cut, by reusing plans (prepared statements) or making the planner's job smaller.",
  needs: 'actuals',
  thresholds: [
    { name: 'PLANNING_MIN_MS', value: PLANNING_MIN_MS, meaning: 'fewest ms of planning to report' },
    { name: 'PLANNING_WARNING_MS', value: PLANNING_WARNING_MS, meaning: 'warning from this many ms of planning, else info' },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const planningMs = plan.planningMs;
    const executionMs = plan.executionMs;
    if (planningMs === undefined || executionMs === undefined || planningMs < PLANNING_MIN_MS || planningMs <= executionMs) return [];
    const size =
      plan.nodes.length >= LARGE_PLAN_NODES
        ? ` The plan has ${formatCount(plan.nodes.length)} nodes: the number of partitions or joins the planner had to consider is the likely cause.`
        : '';
    return [
      planFinding(PLANNING_SLOWER_THAN_EXECUTION, {
        severity: planningMs >= PLANNING_WARNING_MS ? 'warning' : 'info',
        title: `Planning took ${formatMs(planningMs)}, longer than the ${formatMs(executionMs)} execution`,
        explanation: `Every execution of this statement pays ${formatMs(planningMs)} of planning before doing ${formatMs(executionMs)} of work, unless the plan is reused.${size}`,
        remedy:
          "Use a prepared statement (PREPARE, or the driver's server-side prepared statements) so the plan is made once and reused (see plan_cache_mode). " +
          'With partitioned tables, put the partition key in the WHERE clause as a constant so the planner prunes partitions early, and keep the partition count moderate; ' +
          'with many joined tables, fewer joins, or lower join_collapse_limit and from_collapse_limit, shrink the search.',
        impactMs: planningMs,
      }),
    ];
  },
};
