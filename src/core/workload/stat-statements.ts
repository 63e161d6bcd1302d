/**
 * pg_stat_statements as Plan Lens reads it: snapshots, their difference ("since I clicked
 * Start", without pg_stat_statements_reset and its privilege), the top statements and the same
 * workload findings the recorder makes where counters allow them (slow, N+1 suspects).
 */
import { roundMs } from './finding-totals';
import type { WorkloadFinding, WorkloadSettings } from './model';
import { REPORT_VERSION, reportFinding, type WorkloadReport } from './recording-store';

export interface StatStatement {
  queryid: string;
  /** Normalized by PostgreSQL: constants are $n. */
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
}

/** What ran between two snapshots; statements that did not run are left out. */
export function diffStatStatements(before: readonly StatStatement[], after: readonly StatStatement[]): StatStatement[] {
  const earlier = new Map(before.map((statement) => [statement.queryid, statement]));
  const changed: StatStatement[] = [];
  for (const statement of after) {
    const old = earlier.get(statement.queryid);
    // Counters that went down were reset in between: count from zero.
    const reset = old !== undefined && statement.calls < old.calls;
    const base = old && !reset ? old : { calls: 0, totalMs: 0, rows: 0 };
    const calls = statement.calls - base.calls;
    if (calls <= 0) continue;
    changed.push({ ...statement, calls, totalMs: statement.totalMs - base.totalMs, rows: statement.rows - base.rows });
  }
  return changed;
}

export type StatOrder = 'total' | 'mean' | 'calls';

export function topStatStatements(statements: readonly StatStatement[], order: StatOrder, limit: number): StatStatement[] {
  const key = (statement: StatStatement): number =>
    order === 'total' ? statement.totalMs : order === 'mean' ? statement.totalMs / statement.calls : statement.calls;
  return [...statements].sort((a, b) => key(b) - key(a)).slice(0, limit);
}

/**
 * N+1 suspects: a single-row lookup by a parameter that runs far more often than the statements
 * around it, the trace an ORM loop leaves in the counters.
 */
export const STAT_N_PLUS_ONE_MIN_CALLS = 1000;
export const STAT_N_PLUS_ONE_CALL_SHARE = 0.2;

export function statStatementFindings(statements: readonly StatStatement[], settings: WorkloadSettings): WorkloadFinding[] {
  const findings: WorkloadFinding[] = [];
  const allCalls = statements.reduce((sum, statement) => sum + statement.calls, 0);
  for (const statement of statements) {
    const meanMs = statement.totalMs / statement.calls;
    if (meanMs >= settings.slowStatementMs) {
      findings.push({
        id: 'slow-statement',
        severity: meanMs >= settings.slowStatementMs * 10 ? 'critical' : 'warning',
        fingerprint: statement.queryid,
        query: statement.query,
        calls: statement.calls,
        totalMs: roundMs(statement.totalMs),
        message: `Slow statement: "${statement.query}" takes ${roundMs(meanMs)} ms on average over ${statement.calls} calls.`,
        fix: 'Explain it (a generic plan for its $n parameters) to see where the time goes and which index would help.',
      });
    }
    const lookup = /^\s*SELECT\b/i.test(statement.query) && /=\s*\$\d+/.test(statement.query) && statement.rows <= statement.calls;
    if (lookup && statement.calls >= STAT_N_PLUS_ONE_MIN_CALLS && statement.calls >= allCalls * STAT_N_PLUS_ONE_CALL_SHARE) {
      findings.push({
        id: 'n-plus-one',
        severity: 'warning',
        fingerprint: statement.queryid,
        query: statement.query,
        calls: statement.calls,
        totalMs: roundMs(statement.totalMs),
        message:
          `Possible N+1: "${statement.query}" returns at most one row per call and ran ${statement.calls} times ` +
          `(${Math.round((statement.calls / allCalls) * 100)}% of all calls, ${roundMs(statement.totalMs)} ms in total).`,
        fix: 'Record the application (plan-lens record) to see the loop that sends it; then load the rows in one query: a JOIN, or WHERE id = ANY($1).',
      });
    }
  }
  return findings.sort((a, b) => b.totalMs - a.totalMs);
}

export function statStatementsReport(statements: readonly StatStatement[], settings: WorkloadSettings, limit: number): WorkloadReport {
  return {
    version: REPORT_VERSION,
    statements: topStatStatements(statements, 'total', limit).map((statement) => ({
      fingerprint: statement.queryid,
      query: statement.query,
      calls: statement.calls,
      totalMs: roundMs(statement.totalMs),
      meanMs: roundMs(statement.totalMs / statement.calls),
      rows: statement.rows,
    })),
    findings: statStatementFindings(statements, settings).map(reportFinding),
  };
}
