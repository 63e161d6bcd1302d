/**
 * Who a waiting backend is waiting for: pg_blocking_pids() and what those sessions are doing,
 * asked over a separate connection, since the waiting one is busy. Used just before an explain's
 * statement_timeout, so a timeout spent in a lock queue names the session to deal with instead of
 * advising to make the statement cheaper.
 */
import { Client, type ClientConfig } from 'pg';

export interface LockBlocker {
  pid: number;
  /** pg_stat_activity.state: "idle in transaction" is the usual culprit. */
  state: string | null;
  /** The blocker's current or last statement. */
  query: string | null;
}

export interface LockWait {
  /** The lock the waiting backend asked for, when pg_locks shows it. */
  lock?: { mode: string; object: string };
  blockers: LockBlocker[];
}

const LOCK_WAIT = `
SELECT w.mode, CASE WHEN w.relation IS NOT NULL THEN 'table ' || w.relation::regclass::text
                    WHEN w.locktype = 'transactionid' THEN 'a row another transaction is changing'
                    ELSE w.locktype END AS object
FROM pg_locks w WHERE w.pid = $1 AND NOT w.granted LIMIT 1`;

const BLOCKERS = `
SELECT a.pid, a.state, a.query
FROM unnest(pg_blocking_pids($1)) AS b(pid) JOIN pg_stat_activity a ON a.pid = b.pid
ORDER BY a.pid`;

/** The lock `pid` waits for and who holds it; undefined when it is not waiting or the check fails in `timeoutMs`. */
export async function findLockBlockers(config: ClientConfig, pid: number, timeoutMs: number): Promise<LockWait | undefined> {
  const client = new Client({ ...config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const blockers = await client.query<LockBlocker>(BLOCKERS, [pid]);
    if (blockers.rows.length === 0) return undefined;
    const lock = await client.query<{ mode: string; object: string }>(LOCK_WAIT, [pid]);
    return { lock: lock.rows[0], blockers: blockers.rows };
  } catch {
    // Without the answer the timeout is reported as a plain timeout.
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
