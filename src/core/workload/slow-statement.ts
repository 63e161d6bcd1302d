/** Slow statements: calls over the threshold (planLens.recorder.slowStatementMs), per statement shape. */
import { FindingTotals, roundMs } from './finding-totals';
import type { DetectorRun, WorkloadDetector, WorkloadSettings } from './model';

interface SlowTotals {
  maxMs: number;
}

export const slowStatement: WorkloadDetector = {
  id: 'slow-statement',
  title: 'Slow statements',
  description: 'Statements that took longer than the threshold.',
  start(settings: WorkloadSettings): DetectorRun {
    const totals = new FindingTotals<SlowTotals>();
    return {
      observe(statement) {
        if (statement.durationMs < settings.slowStatementMs) return;
        const entry = totals.add(statement.fingerprint, statement.normalized, 1, statement.durationMs, () => ({ maxMs: 0 }));
        entry.extra.maxMs = Math.max(entry.extra.maxMs, statement.durationMs);
      },
      findings() {
        return totals.map((entry) => ({
          id: 'slow-statement' as const,
          severity: entry.extra.maxMs >= settings.slowStatementMs * 10 ? ('critical' as const) : ('warning' as const),
          fingerprint: entry.fingerprint,
          query: entry.query,
          calls: entry.calls,
          totalMs: roundMs(entry.totalMs),
          message:
            `Slow statement: "${entry.query}" took over ${settings.slowStatementMs} ms ${entry.calls === 1 ? 'once' : `${entry.calls} times`} ` +
            `(slowest ${roundMs(entry.extra.maxMs)} ms).`,
          fix: 'Explain it with its captured parameters to see where the time goes and which index would help.',
        }));
      },
    };
  },
};
