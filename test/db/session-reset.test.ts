/**
 * What an explain leaves on its pooled connection for the next one: nothing. Session state that
 * ROLLBACK does not undo (advisory locks, prepared statements, dblink connections), taken inside a
 * function where no parse tree shows it, is checked from the next checkout and from a second session.
 */
import assert from 'node:assert/strict';
import { Client } from 'pg';
import type { ResolvedConnection } from '../../src/db/connection-config';
import { runExplain } from '../../src/db/explain-runner';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { TcpProxy } from '../support/tcp-proxy';
import { configuredPostgres, forEachServer } from '../support/test-servers';

const schema = `plan_lens_session_${process.pid}`;
const LOCK_KEY = 4_242_000 + (process.pid % 1000);

const FIXTURE = `
  DROP SCHEMA IF EXISTS ${schema} CASCADE;
  CREATE SCHEMA ${schema};
  CREATE FUNCTION ${schema}.take_lock() RETURNS int LANGUAGE sql AS 'SELECT pg_advisory_lock(${LOCK_KEY}); SELECT 1';
  CREATE FUNCTION ${schema}.prepare_something() RETURNS int LANGUAGE plpgsql AS $$
  BEGIN
    EXECUTE 'PREPARE plan_lens_left_behind AS SELECT 42';
    EXECUTE 'SET SESSION work_mem = ''77MB''';
    RETURN 1;
  END $$;`;

async function onNextCheckout<T extends object>(pool: PlanLensPool, text: string): Promise<{ rows: T[]; pid: number }> {
  const client = await pool.connect();
  try {
    const rows = (await client.query<T>(text)).rows;
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    return { rows, pid };
  } finally {
    client.release();
  }
}

forEachServer((server) => {
  describe(`session state after an explain on ${server.name}`, function () {
    let connection: ResolvedConnection;
    let pool: PlanLensPool;

    before(async function () {
      connection = await server.connect(this);
      pool = createPool(connection, { max: 1 });
      await onNextCheckout(pool, FIXTURE);
    });

    after(async () => {
      if (!pool) return;
      await onNextCheckout(pool, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    });

    it('an advisory lock taken inside a function is released before the connection goes back', async () => {
      const run = await runExplain(pool, `SELECT ${schema}.take_lock()`);
      const next = await onNextCheckout<{ n: number }>(
        pool,
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ${LOCK_KEY}`,
      );
      assert.equal(next.pid, run.backendPid, 'the same pooled connection');
      assert.equal(next.rows[0]!.n, 0);
    });

    it('a prepared statement and a session setting made inside a function do not survive', async () => {
      const run = await runExplain(pool, `SELECT ${schema}.prepare_something()`);
      const next = await onNextCheckout<{ name: string }>(pool, 'SELECT name FROM pg_prepared_statements');
      assert.equal(next.pid, run.backendPid);
      assert.deepEqual(next.rows, []);
      const setting = await onNextCheckout<{ work_mem: string }>(pool, 'SHOW work_mem');
      assert.notEqual(setting.rows[0]!.work_mem, '77MB');
    });

    it('a plain advisory lock in the statement is released too, seen from a second session', async function () {
      if (server.embedded) this.skip();
      await runExplain(pool, `SELECT pg_advisory_lock(${LOCK_KEY})`);
      const observer = new Client(connection.config);
      await observer.connect();
      try {
        const { rows } = await observer.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ${LOCK_KEY}`,
        );
        assert.equal(rows[0].n, 0);
        assert.equal(pool.status().total, 1, 'the connection is kept, clean');
      } finally {
        await observer.end();
      }
    });
  });
});

describe('session state on PostgreSQL with dblink', function () {
  let admin: Client;
  let pool: PlanLensPool;
  const dblinkSchema = `plan_lens_dblink_${process.pid}`;

  before(async function () {
    const postgres = configuredPostgres();
    if (!postgres) this.skip();
    admin = new Client(postgres.config);
    await admin.connect();
    const available = await admin.query("SELECT 1 FROM pg_available_extensions WHERE name = 'dblink'");
    if (available.rows.length === 0) this.skip();
    await admin.query(`CREATE SCHEMA ${dblinkSchema}; CREATE EXTENSION IF NOT EXISTS dblink SCHEMA ${dblinkSchema}`);
    pool = createPool(postgres, { max: 1 });
  });

  after(async function () {
    await pool?.end();
    if (!admin) return;
    await admin.query(`DROP EXTENSION IF EXISTS dblink; DROP SCHEMA IF EXISTS ${dblinkSchema} CASCADE`);
    await admin.end();
  });

  it('a dblink connection opened by the statement is closed with its session: dblink keeps it out of DISCARD ALL', async () => {
    const { config } = pool.connection;
    const target = `host=${config.host} port=${config.port} dbname=${config.database} user=${config.user} password=${config.password}`;
    const run = await runExplain(pool, `SELECT ${dblinkSchema}.dblink_connect('plan_lens_left_open', '${target.replace(/'/g, "''")}')`);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1`, [run.backendPid]);
    assert.equal(rows[0].n, 0, 'the session that held the dblink connection is gone');
    assert.equal(pool.status().total, 0);
  });
});

describe('a pooled connection that died silently', function () {
  it('is checked and replaced on its next use, however soon, instead of hanging the explain', async function () {
    const postgres = configuredPostgres();
    if (!postgres) this.skip();
    const proxy = await TcpProxy.start({ host: String(postgres.config.host), port: Number(postgres.config.port) });
    const pool = createPool({ ...postgres, config: { ...postgres.config, host: '127.0.0.1', port: proxy.port } }, { max: 1 });
    try {
      const first = await runExplain(pool, 'SELECT 1');
      proxy.silenceOpenConnections();
      const started = performance.now();
      const second = await runExplain(pool, 'SELECT 1');
      assert.notEqual(second.backendPid, first.backendPid);
      assert.ok(performance.now() - started < pool.settings.validationTimeoutMillis + 2_000);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });
});
