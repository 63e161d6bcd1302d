/**
 * Reads pg_stat_statements: what the server has run, by total time. Snapshots can be diffed
 * (src/core/workload/stat-statements.ts), which needs no reset privilege. When the extension is
 * missing the error says exactly how to enable it and what the role needs.
 */
import type { PlanLensPool } from './pool';
import type { StatStatement } from '../core/workload/stat-statements';

export class StatStatementsUnavailableError extends Error {
  override readonly name = 'StatStatementsUnavailableError';
}

const ENABLE =
  'Enable it: add pg_stat_statements to shared_preload_libraries in postgresql.conf ' +
  "(ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', keeping any libraries already listed), restart PostgreSQL, " +
  'then run CREATE EXTENSION pg_stat_statements in this database.';

/** Every statement of the current database the role may see, as counted since the last reset. */
export async function readStatStatements(pool: PlanLensPool): Promise<StatStatement[]> {
  const client = await pool.connect();
  try {
    const state = await client.query<{ installed: boolean; preloaded: boolean; reader: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed,
              'pg_stat_statements' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ',')) AS preloaded,
              pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS reader`,
    );
    const { installed, preloaded, reader } = state.rows[0];
    if (!preloaded) throw new StatStatementsUnavailableError(`pg_stat_statements is not loaded on this server. ${ENABLE}`);
    if (!installed) {
      throw new StatStatementsUnavailableError(
        'pg_stat_statements is loaded but not created in this database: run CREATE EXTENSION pg_stat_statements (as a superuser or the database owner).',
      );
    }
    const result = await client.query<{
      queryid: string;
      query: string;
      calls: string;
      total: number;
      rows: string;
      userid_is_me: boolean;
    }>(
      `SELECT queryid::text AS queryid, query, calls::text AS calls, total_exec_time AS total, rows::text AS rows
         FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL`,
    );
    const statements = result.rows.map((row) => ({
      queryid: row.queryid,
      query: row.query,
      calls: Number(row.calls),
      totalMs: row.total,
      rows: Number(row.rows),
    }));
    if (!reader && statements.some((statement) => statement.query === '<insufficient privilege>')) {
      throw new StatStatementsUnavailableError(
        "This role sees only its own statements in pg_stat_statements: GRANT pg_read_all_stats TO the role to see every user's.",
      );
    }
    return statements;
  } finally {
    client.release();
  }
}
