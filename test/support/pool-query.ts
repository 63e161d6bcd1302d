/** One statement on a pool's connection, or on a short-lived pool of the connection: for test set-up and clean-up. */
import type { ResolvedConnection } from '../../src/db/connection-config';
import { createPool, type PlanLensPool } from '../../src/db/pool';

export async function poolQuery(pool: PlanLensPool, sql: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(sql);
  } finally {
    client.release();
  }
}

export async function onServer(connection: ResolvedConnection, sql: string): Promise<void> {
  const pool = createPool(connection, { max: 1 });
  try {
    await poolQuery(pool, sql);
  } finally {
    await pool.end();
  }
}
