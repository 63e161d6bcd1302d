// The API's pool: default timeouts and no error listener.
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20, idleTimeoutMillis: 0 });

async function productCount() {
  const { rows } = await pool.query('SELECT count(*) AS n FROM pg_class');
  return Number(rows[0].n);
}

module.exports = { pool, productCount };
