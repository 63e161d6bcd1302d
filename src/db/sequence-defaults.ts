/**
 * The catalog half of the side-effect check: which of the tables a statement inserts into have a
 * column that draws its default from a sequence (serial, bigserial, GENERATED ... AS IDENTITY), so
 * an INSERT there advances a sequence that the rollback leaves advanced. Names resolve with the
 * connection's search_path, as the statement's own would.
 */
import type { QueryConfig } from 'pg';
import { findSideEffects, insertTargets, type InsertTarget, type SideEffect } from '../core/sql/side-effects';
import { DatabaseConnectionError, describeConnectionError } from './connection-errors';
import { destroySocket, type PlanLensPool } from './pool';
import { STEP_DEADLINE_MS } from './explain-runner';

const SEQUENCE_DEFAULT_TABLES = `
SELECT t.ord::int - 1 AS i
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(schema_name, table_name, ord)
WHERE EXISTS (
  SELECT 1
  FROM pg_attribute a
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid = to_regclass(CASE WHEN t.schema_name = '' THEN format('%I', t.table_name) ELSE format('%I.%I', t.schema_name, t.table_name) END)
    AND a.attnum > 0 AND NOT a.attisdropped
    AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%')
)`;

/** The targets whose columns default to a sequence; tables that do not exist are left to the server's own error. */
export async function sequenceDefaultTables(pool: PlanLensPool, targets: readonly InsertTarget[]): Promise<InsertTarget[]> {
  if (targets.length === 0) return [];
  const client = await pool.connect();
  try {
    // query_timeout is pg's client deadline: a silent network must not hold the check forever.
    const result = await client.query<{ i: number }>({
      text: SEQUENCE_DEFAULT_TABLES,
      values: [targets.map((t) => t.schema ?? ''), targets.map((t) => t.table)],
      query_timeout: STEP_DEADLINE_MS,
    } as QueryConfig);
    client.release();
    return result.rows.map((row) => targets[row.i]!);
  } catch (error) {
    destroySocket(client);
    client.release(true);
    throw new DatabaseConnectionError(describeConnectionError(error, pool.target), error);
  }
}

/** Everything `sqlText` would do that a rollback does not undo, sequence defaults of its insert targets included. */
export async function statementSideEffects(pool: PlanLensPool, sqlText: string): Promise<SideEffect[]> {
  const sequenceDefaultTablesFound = await sequenceDefaultTables(pool, insertTargets(sqlText));
  return findSideEffects(sqlText, { sequenceDefaultTables: sequenceDefaultTablesFound });
}
