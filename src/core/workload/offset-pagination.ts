/**
 * OFFSET pagination: one statement shape paged through with growing OFFSETs on one connection.
 * Every page reads and throws away all rows before it, so later pages get slower and slower.
 */
import { BoundedMap } from './bounded-map';
import { FindingTotals, roundMs } from './finding-totals';
import type { DetectorRun, WorkloadDetector, WorkloadSettings } from './model';

const MAX_SEQUENCES = 10_000;

interface Sequence {
  lastOffset: number;
  pages: number;
  totalMs: number;
  counted: boolean;
}

interface OffsetTotals {
  maxOffset: number;
}

export const offsetPagination: WorkloadDetector = {
  id: 'offset-pagination',
  title: 'OFFSET pagination',
  description: 'Pages fetched with growing OFFSET values; each page reads all rows before it.',
  start(settings: WorkloadSettings): DetectorRun {
    const sequences = new BoundedMap<string, Sequence>(MAX_SEQUENCES);
    const totals = new FindingTotals<OffsetTotals>();
    return {
      observe(statement) {
        if (statement.offset === undefined || statement.error) return;
        const key = `${statement.connectionId}\u0000${statement.fingerprint}`;
        const sequence = sequences.get(key);
        if (!sequence || statement.offset <= sequence.lastOffset) {
          sequences.set(key, { lastOffset: statement.offset, pages: 1, totalMs: statement.durationMs, counted: false });
          return;
        }
        sequence.lastOffset = statement.offset;
        sequence.pages += 1;
        sequence.totalMs += statement.durationMs;
        if (sequence.pages < settings.offsetMinPages) return;
        // The pages before the threshold are added once, when the sequence first qualifies.
        const calls = sequence.counted ? 1 : sequence.pages;
        const ms = sequence.counted ? statement.durationMs : sequence.totalMs;
        sequence.counted = true;
        const entry = totals.add(statement.fingerprint, statement.normalized, calls, ms, () => ({ maxOffset: 0 }));
        entry.extra.maxOffset = Math.max(entry.extra.maxOffset, statement.offset);
      },
      findings() {
        return totals.map((entry) => ({
          id: 'offset-pagination' as const,
          severity: entry.extra.maxOffset >= 10_000 ? ('warning' as const) : ('info' as const),
          fingerprint: entry.fingerprint,
          query: entry.query,
          calls: entry.calls,
          totalMs: roundMs(entry.totalMs),
          message: `OFFSET pagination: ${entry.calls} pages of "${entry.query}" up to OFFSET ${entry.extra.maxOffset}; each page reads and discards every row before it.`,
          fix: 'Use keyset pagination: remember the last key of a page and ask for WHERE id > $last ORDER BY id LIMIT n (an index on the ORDER BY columns makes every page equally fast).',
        }));
      },
    };
  },
};
