/**
 * The CLI against PostgreSQL 15 where a rollback is not enough or the network misbehaves: effects
 * that escape the transaction are refused unless allowed (checked from a second session), and every
 * hang ends in one sentence, with exit 1 or 2, within the timeout plus 5 s.
 */
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { postgresConfigured } from '../support/postgres-configured';
import { isOneCleanMessage, runCli, startCli } from '../support/run-cli';
import { TcpProxy } from '../support/tcp-proxy';

describe('plan-lens explain on PostgreSQL 15: side effects and hangs', function () {
  let admin: Client;
  const prefix = `cli_effects_${process.pid}`;

  before(async function () {
    if (!postgresConfigured()) this.skip();
    admin = new Client();
    await admin.connect();
    await admin.query(`CREATE SEQUENCE ${prefix}_seq`);
    await admin.query(`CREATE TABLE ${prefix}_serial (id serial PRIMARY KEY, note text)`);
    await admin.query(`CREATE TABLE ${prefix}_identity (id int GENERATED ALWAYS AS IDENTITY, note text)`);
    await admin.query(`CREATE TABLE ${prefix}_plain (id int, note text)`);
    await admin.query(`CREATE MATERIALIZED VIEW ${prefix}_mv AS SELECT 1 AS one`);
  });

  after(async function () {
    if (!admin) return;
    await admin.query(`DROP MATERIALIZED VIEW IF EXISTS ${prefix}_mv`);
    for (const t of ['serial', 'identity', 'plain']) await admin.query(`DROP TABLE IF EXISTS ${prefix}_${t}`);
    await admin.query(`DROP SEQUENCE IF EXISTS ${prefix}_seq`);
    await admin.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${prefix}_slot'`);
    await admin.end();
  });

  /** Resolves once the server runs the explain of `marker`, so the network can fail mid-statement. */
  async function statementRunning(marker: string): Promise<void> {
    for (;;) {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'EXPLAIN%' || $1 || '%' AND pid <> pg_backend_pid()`,
        [marker],
      );
      if (rows[0].n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function sequenceState(name: string): Promise<string> {
    const { rows } = await admin.query(`SELECT last_value || ':' || is_called AS state FROM ${name}`);
    return rows[0].state;
  }

  describe('effects a rollback cannot undo', function () {
    it('setval is refused with exit 2 naming it, and the sequence keeps its value', async function () {
      const before = await sequenceState(`${prefix}_seq`);
      const result = await runCli(['explain', '--sql', `SELECT setval('${prefix}_seq', 1000)`]);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(isOneCleanMessage(result.stderr), result.stderr);
      assert.match(result.stderr, /nothing was run\. setval\(\) changes a sequence.*--allow-side-effects/);
      assert.equal(await sequenceState(`${prefix}_seq`), before);
    });

    it('nextval runs with --allow-side-effects, and the report says the sequence moved instead of "no data changed"', async function () {
      const before = await sequenceState(`${prefix}_seq`);
      const result = await runCli(['explain', '--allow-side-effects', '--no-indexes', '--sql', `SELECT nextval('${prefix}_seq')`]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /rolled back, but not everything it did was undone: nextval\(\) changes a sequence/);
      assert.doesNotMatch(result.stdout, /no data changed/);
      assert.notEqual(await sequenceState(`${prefix}_seq`), before);
    });

    it('--estimate plans it without running: nothing to refuse, the sequence stays', async function () {
      const before = await sequenceState(`${prefix}_seq`);
      const result = await runCli(['explain', '--estimate', '--no-indexes', '--sql', `SELECT nextval('${prefix}_seq')`]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(await sequenceState(`${prefix}_seq`), before);
    });

    it('an INSERT into a serial or identity table is refused, one into a table without a sequence default runs', async function () {
      for (const table of [`${prefix}_serial`, `${prefix}_identity`]) {
        const sequence = (await admin.query(`SELECT pg_get_serial_sequence('${table}', 'id') AS s`)).rows[0].s;
        const before = await sequenceState(sequence);
        const refused = await runCli(['explain', '--no-indexes', '--sql', `INSERT INTO ${table} (note) VALUES ('x')`]);
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(refused.stderr, new RegExp(`Inserting into ${table} draws values from its sequence`));
        assert.equal(await sequenceState(sequence), before);
        const allowed = await runCli([
          'explain',
          '--allow-side-effects',
          '--no-indexes',
          '--sql',
          `INSERT INTO ${table} (note) VALUES ('x')`,
        ]);
        assert.equal(allowed.code, 0, allowed.stderr);
        assert.match(allowed.stdout, /not everything it did was undone: Inserting into/);
        assert.equal((await admin.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n, 0);
      }
      const plain = await runCli(['explain', '--no-indexes', '--sql', `INSERT INTO ${prefix}_plain VALUES (1, 'x')`]);
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(plain.stdout, /rolled back: no data changed/);
    });

    it('a replication slot is never created without the flag', async function () {
      const result = await runCli(['explain', '--sql', `SELECT pg_create_physical_replication_slot('${prefix}_slot', true)`]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /pg_create_physical_replication_slot\(\) creates, drops or advances a replication slot/);
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = '${prefix}_slot'`);
      assert.equal(rows[0].n, 0);
    });

    it('REFRESH MATERIALIZED VIEW is explained as having no plan, not as an unreadable one', async function () {
      const result = await runCli(['explain', '--sql', `REFRESH MATERIALIZED VIEW ${prefix}_mv`]);
      assert.equal(result.code, 2);
      assert.ok(isOneCleanMessage(result.stderr), result.stderr);
      assert.match(result.stderr, /PostgreSQL has no plan for REFRESH MATERIALIZED VIEW: explain the SELECT that defines the view instead/);
    });
  });

  describe('hangs end in one sentence', function () {
    let proxy: TcpProxy;
    const url = () =>
      `postgresql://${encodeURIComponent(process.env.PGUSER!)}:${encodeURIComponent(process.env.PGPASSWORD!)}@127.0.0.1:${proxy.port}/${process.env.PGDATABASE}`;

    beforeEach(async function () {
      proxy = await TcpProxy.start({ host: process.env.PGHOST!, port: Number(process.env.PGPORT ?? 5432) });
    });

    afterEach(async function () {
      await proxy.close();
    });

    it('the network freezes mid-statement: exit 2 within the timeout + 5 s', async function () {
      const timeoutMs = 1_500;
      const run = startCli([
        'explain',
        '--no-indexes',
        '--db',
        url(),
        '--timeout',
        String(timeoutMs),
        '--sql',
        'SELECT pg_sleep(30) AS frozen',
      ]);
      await statementRunning('frozen');
      const frozenAt = performance.now();
      proxy.silenceOpenConnections();
      const result = await run.done;
      assert.equal(result.code, 2, result.stderr);
      assert.ok(isOneCleanMessage(result.stderr), result.stderr);
      assert.match(result.stderr, /did not answer within \d+ ms, so the connection was closed: check the network/);
      assert.ok(performance.now() - frozenAt < timeoutMs + 5_000, `${performance.now() - frozenAt} ms`);
    });

    it('the connection is dropped mid-statement: exit 2 at once', async function () {
      const run = startCli(['explain', '--no-indexes', '--db', url(), '--timeout', '10000', '--sql', 'SELECT pg_sleep(30) AS dropped']);
      await statementRunning('dropped');
      const droppedAt = performance.now();
      proxy.dropOpenConnections();
      const result = await run.done;
      assert.equal(result.code, 2, result.stderr);
      assert.ok(isOneCleanMessage(result.stderr), result.stderr);
      assert.match(result.stderr, /was lost/);
      assert.ok(performance.now() - droppedAt < 5_000, `${performance.now() - droppedAt} ms`);
    });

    it('a server that accepts and never answers: the connection timeout, exit 2', async function () {
      this.timeout(30_000);
      proxy.stalled = true;
      const result = await runCli(['explain', '--no-indexes', '--db', url(), '--sql', 'SELECT 1']);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(isOneCleanMessage(result.stderr), result.stderr);
      assert.match(result.stderr, /did not answer within the connection timeout/);
      assert.ok(result.ms < 10_000 + 5_000, `${result.ms} ms`);
    });

    it('no password anywhere: the message, and the process ends at once instead of after authentication_timeout', async function () {
      const env = { PGPASSWORD: undefined, PGPASSFILE: `/nonexistent/${prefix}.pgpass`, DATABASE_URL: undefined };
      const noPassword = `postgresql://${encodeURIComponent(process.env.PGUSER!)}@${process.env.PGHOST}:${process.env.PGPORT ?? 5432}/${process.env.PGDATABASE}`;
      const result = await runCli(['explain', '--no-indexes', '--db', noPassword, '--sql', 'SELECT 1'], { env });
      assert.equal(result.code, 2, result.stderr);
      assert.ok(isOneCleanMessage(result.stderr), result.stderr);
      assert.match(result.stderr, /asks for a password but none was given/);
      // The server would hold the half-open login for authentication_timeout (60 s); a loaded machine starts the CLI in seconds.
      assert.ok(result.ms < 20_000, `${result.ms} ms: the socket was left open`);
    });

    it('a lock wait names the blocking process, its statement and the lock', async function () {
      const holder = new Client();
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`LOCK TABLE ${prefix}_plain IN ACCESS EXCLUSIVE MODE`);
        const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
        const result = await runCli(['explain', '--no-indexes', '--timeout', '1500', '--sql', `SELECT * FROM ${prefix}_plain`]);
        assert.equal(result.code, 1, result.stderr);
        assert.ok(isOneCleanMessage(result.stderr), result.stderr);
        assert.match(
          result.stderr,
          new RegExp(
            `waited the whole timeout of 1500 ms for AccessShareLock on table ${prefix}_plain, held by process ${pid} \\(idle in transaction, last statement: "SELECT pg_backend_pid\\(\\) AS pid"\\)`,
          ),
        );
        assert.match(result.stderr, new RegExp(`pg_terminate_backend\\(${pid}\\)`));
      } finally {
        await holder.end();
      }
    });
  });
});
