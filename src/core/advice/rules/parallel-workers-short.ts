/**
 * parallel-workers-short: a Gather or Gather Merge started fewer workers than planned, because
 * the pool of background workers (max_parallel_workers, max_worker_processes) was exhausted when
 * the query started. The processes that did run had to do the missing workers' share.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan } from '../../plan/model';
import { inclusiveMs } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount } from '../../format';
import { nodeName } from '../../plan/node-label';

export const PARALLEL_WORKERS_SHORT = 'parallel-workers-short';

export const parallelWorkersShort: Rule = {
  id: PARALLEL_WORKERS_SHORT,
  title: 'Fewer parallel workers than planned',
  description:
    'A Gather or Gather Merge launched fewer workers than the plan was made for (Workers Launched < Workers Planned): the parallel worker pool was exhausted. Warning when none started, else info.',
  needs: 'actuals',
  thresholds: [],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      const planned = node.workersPlanned;
      const launched = node.workersLaunched;
      if (!node.executed || planned === undefined || launched === undefined || launched >= planned) continue;
      // Work is spread over the workers and the leader; with all of them, the same work would take this share of the time.
      const fullShare = (launched + 1) / (planned + 1);
      findings.push(
        nodeFinding(PARALLEL_WORKERS_SHORT, node, {
          severity: launched === 0 ? 'warning' : 'info',
          title: `${nodeName(node)} launched ${formatCount(launched)} of ${formatCount(planned)} planned workers`,
          explanation:
            `The plan was made for ${formatCount(planned)} parallel workers, but ${launched === 0 ? 'none' : `only ${formatCount(launched)}`} could be started: workers come from a pool shared by all connections ` +
            '(max_parallel_workers, itself within max_worker_processes), and it was exhausted. ' +
            `The ${launched === 0 ? 'leader process did all the work alone' : "processes that ran did the missing workers' share"}, and a plan chosen for ${formatCount(planned + 1)} processes may be a poor one for fewer.`,
          remedy:
            'If the machine has idle cores, raise max_parallel_workers (and max_worker_processes, which needs a restart) so concurrent parallel queries do not run out of workers; ' +
            'otherwise fewer concurrent parallel queries, or a lower max_parallel_workers_per_gather so each one asks for what it will get. ' +
            'An embedded or single-process server cannot start workers at all: there, SET max_parallel_workers_per_gather = 0.',
          impactMs: inclusiveMs(node) * (1 - fullShare),
        }),
      );
    }
    return findings;
  },
};
