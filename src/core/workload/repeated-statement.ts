/** Repeated statements: the same SELECT with the same parameters, again and again on one connection. */
import { BoundedMap } from './bounded-map';
import { FindingTotals, roundMs } from './finding-totals';
import type { DetectorRun, WorkloadDetector, WorkloadSettings } from './model';
import { statementKey } from './n-plus-one';

const MAX_KEYS = 10_000;

export const repeatedStatement: WorkloadDetector = {
  id: 'repeated-statement',
  title: 'Repeated identical statements',
  description: 'The same SELECT with the same parameters runs many times on one connection.',
  start(settings: WorkloadSettings): DetectorRun {
    const counts = new BoundedMap<string, { calls: number; totalMs: number }>(MAX_KEYS);
    const totals = new FindingTotals<Record<string, never>>();
    return {
      observe(statement) {
        if (statement.command !== 'SELECT' || statement.error) return;
        const key = `${statement.connectionId}\u0000${statementKey(statement)}`;
        const count = counts.get(key) ?? { calls: 0, totalMs: 0 };
        count.calls += 1;
        count.totalMs += statement.durationMs;
        counts.set(key, count);
        if (count.calls < settings.repeatedMinCalls) return;
        const first = count.calls === settings.repeatedMinCalls;
        totals.add(
          statement.fingerprint,
          statement.normalized,
          first ? count.calls : 1,
          first ? count.totalMs : statement.durationMs,
          () => ({}),
        );
      },
      findings() {
        return totals.map((entry) => ({
          id: 'repeated-statement' as const,
          severity: 'info' as const,
          fingerprint: entry.fingerprint,
          query: entry.query,
          calls: entry.calls,
          totalMs: roundMs(entry.totalMs),
          message: `Repeated statement: "${entry.query}" ran ${entry.calls} times with the same parameters on one connection (${roundMs(entry.totalMs)} ms in total).`,
          fix: 'Run it once and reuse the result: hoist it out of the loop, or cache it for the request.',
        }));
      },
    };
  },
};
