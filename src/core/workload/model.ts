/**
 * What the query recorder captured about one statement, and what the workload detectors say about
 * a stream of them. Pure data: the recorder (src/recorder) fills it from the wire, the detectors
 * (one file each, listed in index.ts) read it.
 */

export interface RecordedStatement {
  /** Position in the recording, from 1. */
  seq: number;
  connectionId: number;
  /** Statements of one transaction share it; each autocommit statement has its own. */
  transactionId: number;
  /** application_name of the startup packet ('' when the application sent none). */
  applicationName: string;
  sql: string;
  /** Bound parameter values as text; binary values as \x hex; null for SQL NULL. */
  params: readonly (string | null)[];
  /** Wall clock when the server started on it, ms since the epoch. */
  startedAt: number;
  /** Time from the statement reaching the server to its completion, as seen by the proxy. */
  durationMs: number;
  /** Rows returned or affected (from the command tag). */
  rows: number;
  /** First word of the command tag (SELECT, INSERT...), or of the SQL when it failed. */
  command: string;
  error?: string;
  fingerprint: string;
  /** The SQL with constants replaced by $n. */
  normalized: string;
  /** OFFSET of a SELECT, when it is a constant or a bound parameter. */
  offset?: number;
  /** Rows of the VALUES list of an INSERT. */
  valuesRows?: number;
}

export type WorkloadFindingId = 'n-plus-one' | 'row-by-row-write' | 'slow-statement' | 'offset-pagination' | 'repeated-statement';

export type WorkloadSeverity = 'info' | 'warning' | 'critical';

export interface WorkloadFinding {
  id: WorkloadFindingId;
  severity: WorkloadSeverity;
  fingerprint: string;
  /** The normalized statement it is about. */
  query: string;
  calls: number;
  totalMs: number;
  message: string;
  fix: string;
}

export interface WorkloadSettings {
  /** Calls of one shape in a run before it counts as N+1. */
  nPlusOneMinCalls: number;
  /** Single-row writes of one shape in a run before they count as row-by-row. */
  rowByRowMinCalls: number;
  /** A statement slower than this is reported. */
  slowStatementMs: number;
  /** Pages with growing OFFSET before keyset pagination is suggested. */
  offsetMinPages: number;
  /** Identical statements (same SQL and parameters) on one connection before they are reported. */
  repeatedMinCalls: number;
}

export const DEFAULT_WORKLOAD_SETTINGS: Readonly<WorkloadSettings> = {
  nPlusOneMinCalls: 5,
  rowByRowMinCalls: 5,
  slowStatementMs: 500,
  offsetMinPages: 3,
  repeatedMinCalls: 5,
};

/** One pass over a recording: statements in order, then the findings so far (callable at any time). */
export interface DetectorRun {
  observe(statement: RecordedStatement): void;
  findings(): WorkloadFinding[];
}

export interface WorkloadDetector {
  id: WorkloadFindingId;
  title: string;
  description: string;
  /** Its state must stay bounded however long the recording runs. */
  start(settings: WorkloadSettings): DetectorRun;
}
