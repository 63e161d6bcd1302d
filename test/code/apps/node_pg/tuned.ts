// Every setting given and errors of idle clients handled: nothing to report.
import { Pool } from 'pg';

export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 5,
  connectionTimeoutMillis: 5000,
  idleTimeoutMillis: 30000,
  maxLifetimeSeconds: 1800,
});
pool.on('error', (err: Error) => {
  console.error('idle client error', err);
});
