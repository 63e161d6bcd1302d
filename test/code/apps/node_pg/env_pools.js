// Pools configured by the environment alone: every default applies, no error listener, and a
// connection string passed where node-postgres expects an options object.
const { Pool } = require('pg');

const pool = new Pool();
const reports = new Pool(process.env.REPORTS_URL);

async function main() {
  const own = await pool.query("SELECT current_setting('application_name') AS name");
  const other = await reports.query("SELECT current_setting('application_name') AS name");
  console.log(JSON.stringify({ pool: own.rows[0].name, reports: other.rows[0].name }));
  await Promise.all([pool.end(), reports.end()]);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
