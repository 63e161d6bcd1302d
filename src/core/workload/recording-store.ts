/**
 * A recording in memory: per statement shape (fingerprint) the exact calls, time and rows plus
 * the most recent samples in a ring buffer, a ring of the latest statements in order, and the
 * detectors' findings. Memory is bounded by the ring sizes and the number of shapes, never by
 * the number of statements.
 */
import { BoundedMap, RingBuffer } from './bounded-map';
import { roundMs } from './finding-totals';
import { WorkloadAnalysis } from './index';
import type { RecordedStatement, WorkloadFinding, WorkloadSettings } from './model';

export const REPORT_VERSION = 1;

export interface StatementGroup {
  fingerprint: string;
  /** The normalized statement. */
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  errors: number;
  /** The latest calls, oldest first, with their real parameters. */
  samples: RecordedStatement[];
}

/** The JSON `plan-lens record --json` prints. */
/** A finding as the JSON report prints it: the fields the report documents, nothing internal. */
export function reportFinding({
  id,
  severity,
  fingerprint,
  calls,
  totalMs,
  message,
  fix,
}: WorkloadFinding): WorkloadReport['findings'][number] {
  return { id, severity, fingerprint, calls, totalMs, message, fix };
}

export interface WorkloadReport {
  version: number;
  /** When the recording started (ISO 8601). */
  startedAt?: string;
  statements: { fingerprint: string; query: string; calls: number; totalMs: number; meanMs: number; rows: number }[];
  findings: { id: string; severity: string; fingerprint: string; calls: number; totalMs: number; message: string; fix: string }[];
}

export interface RecordingStoreOptions {
  settings: WorkloadSettings;
  samplesPerShape?: number;
  timelineSize?: number;
  maxShapes?: number;
}

interface Group {
  fingerprint: string;
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
  errors: number;
  samples: RingBuffer<RecordedStatement>;
}

/** Shapes beyond maxShapes are counted here, so totals stay exact. */
const OTHER_SHAPES = 'other';

export class RecordingStore {
  private readonly groupsByFingerprint: BoundedMap<string, Group>;
  private readonly timeline: RingBuffer<RecordedStatement>;
  private readonly analysis: WorkloadAnalysis;
  private readonly samplesPerShape: number;
  private readonly maxShapes: number;
  private total = 0;

  constructor(options: RecordingStoreOptions) {
    this.samplesPerShape = options.samplesPerShape ?? 20;
    this.maxShapes = options.maxShapes ?? 5000;
    // One more than maxShapes, so the "other" group is never the one forgotten.
    this.groupsByFingerprint = new BoundedMap(this.maxShapes + 1);
    this.timeline = new RingBuffer(options.timelineSize ?? 2000);
    this.analysis = new WorkloadAnalysis(options.settings);
  }

  add(statement: RecordedStatement): void {
    this.total += 1;
    let group = this.groupsByFingerprint.get(statement.fingerprint);
    if (!group) {
      const full = this.groupsByFingerprint.size >= this.maxShapes;
      const key = full ? OTHER_SHAPES : statement.fingerprint;
      group = this.groupsByFingerprint.get(key);
      if (!group) {
        group = {
          fingerprint: key,
          query: full ? '(other statements)' : statement.normalized,
          calls: 0,
          totalMs: 0,
          rows: 0,
          errors: 0,
          samples: new RingBuffer(this.samplesPerShape),
        };
        this.groupsByFingerprint.set(key, group);
      }
    }
    group.calls += 1;
    group.totalMs += statement.durationMs;
    group.rows += statement.rows;
    if (statement.error) group.errors += 1;
    group.samples.push(statement);
    this.timeline.push(statement);
    this.analysis.observe(statement);
  }

  get statementCount(): number {
    return this.total;
  }

  /** By total time, highest first. */
  groups(): StatementGroup[] {
    return [...this.groupsByFingerprint.values()]
      .map((group) => ({
        fingerprint: group.fingerprint,
        query: group.query,
        calls: group.calls,
        totalMs: roundMs(group.totalMs),
        meanMs: roundMs(group.totalMs / group.calls),
        rows: group.rows,
        errors: group.errors,
        samples: group.samples.toArray(),
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  /** The latest statements, in the order they ran. */
  latest(): RecordedStatement[] {
    return this.timeline.toArray();
  }

  findings(): WorkloadFinding[] {
    return this.analysis.findings();
  }

  /** `startedAt`: when the recording started, ms since the epoch. */
  report(startedAt?: number): WorkloadReport {
    return {
      version: REPORT_VERSION,
      ...(startedAt === undefined ? {} : { startedAt: new Date(startedAt).toISOString() }),
      statements: this.groups().map(({ fingerprint, query, calls, totalMs, meanMs, rows }) => ({
        fingerprint,
        query,
        calls,
        totalMs,
        meanMs,
        rows,
      })),
      findings: this.findings().map(reportFinding),
    };
  }
}
