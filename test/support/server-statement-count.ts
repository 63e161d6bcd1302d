/**
 * Counting the statements an application sends, on the server: pg_stat_statements of this database
 * only, reset before the program runs. Used to prove an N+1 issues 1 + N statements and its fix 1 or 2.
 */
import type { PlanLensPool } from '../../src/db/pool';

/** Makes sure pg_stat_statements can be read here and returns this database's oid (its `dbid`). */
export async function statementCountingDatabase(pool: PlanLensPool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    try {
      await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    } catch (error) {
      throw new Error(
        `pg_stat_statements is not loaded (${(error as Error).message}): add it to shared_preload_libraries and restart (.ci/run does)`,
      );
    }
    return Number((await client.query('SELECT oid FROM pg_database WHERE datname = current_database()')).rows[0].oid);
  } finally {
    client.release();
  }
}

/** Runs `program` and returns how many statements matching `pattern` (a case-insensitive regex) the server executed meanwhile. */
export async function statementsRunBy(pool: PlanLensPool, databaseOid: number, pattern: string, program: () => void): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_stat_statements_reset(0, $1, 0)', [databaseOid]);
    program();
    const { rows } = await client.query(
      'SELECT coalesce(sum(calls), 0)::int AS n FROM pg_stat_statements WHERE dbid = $1 AND query ~* $2',
      [databaseOid, pattern],
    );
    return rows[0].n as number;
  } finally {
    client.release();
  }
}
