/**
 * Reads, live, what the connected server allows an application's pool: max_connections, the
 * reserved slots, connections others hold now, and the idle limits (idle_session_timeout,
 * tcp_keepalives_idle). The application-code rules compare pool settings with these.
 */
import type { ServerFacts } from '../core/code/server-facts';
import type { PlanLensPool } from './pool';

export const SERVER_FACTS_TIMEOUT_MS = 10_000;

// reserved_connections (PostgreSQL 16) reserves more slots for pg_use_reserved_connections members;
// idle_session_timeout exists from 14 on. Missing settings simply return no row.
const FACTS_SQL = `SELECT name, setting FROM pg_settings
  WHERE name IN ('max_connections', 'superuser_reserved_connections', 'reserved_connections', 'idle_session_timeout', 'tcp_keepalives_idle')
UNION ALL
SELECT 'others', count(*)::text FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`;

export async function readServerFacts(pool: PlanLensPool, timeoutMs = SERVER_FACTS_TIMEOUT_MS): Promise<ServerFacts> {
  const client = await pool.connect();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(
          new Error(
            `${pool.target} did not report its connection limits within ${timeoutMs} ms; check that the server is responsive and try again.`,
          ),
        );
      }, timeoutMs);
    });
    const result = await Promise.race([client.query<{ name: string; setting: string }>(FACTS_SQL), deadline]);
    const values = new Map(result.rows.map((row) => [row.name, Number(row.setting)]));
    const number = (name: string) => values.get(name) ?? 0;
    const idleMs = number('idle_session_timeout');
    const keepalive = number('tcp_keepalives_idle');
    return {
      server: pool.target.replace(/^[^@]*@/, ''),
      maxConnections: number('max_connections'),
      superuserReservedConnections: number('superuser_reserved_connections') + number('reserved_connections'),
      connectionsInUseByOthers: number('others'),
      idleSessionTimeoutSeconds: idleMs > 0 ? Math.floor(idleMs / 1000) : null,
      tcpKeepalivesIdleSeconds: keepalive > 0 ? keepalive : null,
    };
  } finally {
    clearTimeout(timer);
    client.release(timedOut);
  }
}
