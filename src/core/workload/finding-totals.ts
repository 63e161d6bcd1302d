/** Per statement shape totals of one finding kind, bounded by the number of shapes. */
import { BoundedMap } from './bounded-map';

const MAX_SHAPES = 10_000;

export interface FindingEntry<Extra> {
  fingerprint: string;
  query: string;
  calls: number;
  totalMs: number;
  extra: Extra;
}

export class FindingTotals<Extra> {
  private entries = new BoundedMap<string, FindingEntry<Extra>>(MAX_SHAPES);

  add(fingerprint: string, query: string, calls: number, totalMs: number, initial: () => Extra): FindingEntry<Extra> {
    let entry = this.entries.get(fingerprint);
    if (!entry) {
      entry = { fingerprint, query, calls: 0, totalMs: 0, extra: initial() };
      this.entries.set(fingerprint, entry);
    }
    entry.calls += calls;
    entry.totalMs += totalMs;
    return entry;
  }

  clone(): FindingTotals<Extra> {
    const copy = new FindingTotals<Extra>();
    for (const entry of this.entries.values()) copy.entries.set(entry.fingerprint, { ...entry, extra: { ...entry.extra } });
    return copy;
  }

  map<T>(project: (entry: FindingEntry<Extra>) => T): T[] {
    return [...this.entries.values()].map(project);
  }
}

export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
