import assert from 'node:assert/strict';
import { Client } from 'pg';
import type { ResolvedConnection } from '../../src/db/connection-config';
import {
  ExplainCancelledError,
  ExplainStatementError,
  ExplainTimeoutError,
  getServerVersion,
  runExplain,
  type ExplainRun,
} from '../../src/db/explain-runner';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { mapServerErrorPosition } from '../../src/core/sql';
import { TcpProxy } from '../support/tcp-proxy';
import { forEachServer } from '../support/test-servers';

interface PlanRoot {
  'Node Type': string;
  'Actual Loops'?: number;
  'Actual Rows'?: number;
  Plans?: PlanRoot[];
}

function rootOf(run: ExplainRun): PlanRoot {
  const json = run.explainJson as Array<{ Plan: PlanRoot }>;
  assert.ok(Array.isArray(json) && json.length === 1, 'EXPLAIN (FORMAT JSON) returns one plan');
  return json[0]!.Plan;
}

async function query<T extends object>(pool: PlanLensPool, text: string): Promise<T[]> {
  const client = await pool.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    client.release();
  }
}

const schema = `plan_lens_explain_${process.pid}`;

const FIXTURE = `
  DROP SCHEMA IF EXISTS ${schema} CASCADE;
  CREATE SCHEMA ${schema};
  CREATE TABLE ${schema}.accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL);
  INSERT INTO ${schema}.accounts SELECT i, 'owner ' || i, i * 10 FROM generate_series(1, 100) i;
  CREATE TABLE ${schema}.audit (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text NOT NULL);
  INSERT INTO ${schema}.audit (note) VALUES ('opened');
  CREATE FUNCTION ${schema}.pay_interest() RETURNS int LANGUAGE plpgsql AS $$
  DECLARE changed int;
  BEGIN
    UPDATE ${schema}.accounts SET balance = balance + 1;
    GET DIAGNOSTICS changed = ROW_COUNT;
    INSERT INTO ${schema}.audit (note) VALUES ('interest paid');
    RETURN changed;
  END $$;`;

/** Row count and checksum of every fixture table: equal snapshots mean equal contents. */
async function snapshot(pool: PlanLensPool): Promise<Record<string, unknown>> {
  const [row] = await query<Record<string, unknown>>(
    pool,
    `SELECT (SELECT count(*) FROM ${schema}.accounts)::int AS accounts_rows,
            (SELECT md5(string_agg(a::text, ',' ORDER BY id)) FROM ${schema}.accounts a) AS accounts_checksum,
            (SELECT count(*) FROM ${schema}.audit)::int AS audit_rows,
            (SELECT md5(string_agg(a::text, ',' ORDER BY id)) FROM ${schema}.audit a) AS audit_checksum`,
  );
  return row!;
}

const WRITING_STATEMENTS: Array<{ what: string; sql: string; minVersion?: number }> = [
  { what: 'INSERT', sql: `INSERT INTO ${schema}.accounts (id, owner, balance) VALUES (1000, 'new', 5)` },
  { what: 'UPDATE', sql: `UPDATE ${schema}.accounts SET balance = balance * 2 WHERE id <= 50` },
  { what: 'DELETE', sql: `DELETE FROM ${schema}.accounts WHERE id % 2 = 0` },
  {
    what: 'MERGE',
    minVersion: 150000,
    sql: `MERGE INTO ${schema}.accounts a USING (SELECT g AS id FROM generate_series(95, 105) g) src ON a.id = src.id
          WHEN MATCHED THEN UPDATE SET balance = 0
          WHEN NOT MATCHED THEN INSERT (id, owner, balance) VALUES (src.id, 'merged', 0)`,
  },
  {
    what: 'a data-modifying CTE',
    sql: `WITH closed AS (DELETE FROM ${schema}.accounts WHERE id <= 10 RETURNING id)
          INSERT INTO ${schema}.audit (note) SELECT 'closed ' || id FROM closed`,
  },
  { what: 'a SELECT calling a function that writes', sql: `SELECT ${schema}.pay_interest()` },
];

forEachServer((server) => {
  describe(`runExplain on ${server.name}`, function () {
    let connection: ResolvedConnection;
    let pool: PlanLensPool;
    let versionNum: number;

    before(async function () {
      connection = await server.connect(this);
      pool = createPool(connection, { max: 1 });
      await query(pool, FIXTURE);
      versionNum = (await getServerVersion(pool)).num;
    });

    after(async () => {
      if (!pool) return;
      await query(pool, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    });

    describe('leaves every table unchanged', () => {
      for (const statement of WRITING_STATEMENTS) {
        it(`after EXPLAIN ANALYZE of ${statement.what}`, async function () {
          if (statement.minVersion && versionNum < statement.minVersion) this.skip();
          const before = await snapshot(pool);
          const run = await runExplain(pool, statement.sql);
          assert.equal(rootOf(run)['Actual Loops'], 1, 'the statement was executed');
          assert.deepEqual(await snapshot(pool), before);
        });
      }

      it('and rejects a second statement smuggled in after the first', async () => {
        const before = await snapshot(pool);
        for (const analyze of [true, false]) {
          await assert.rejects(runExplain(pool, `SELECT 1; COMMIT; DELETE FROM ${schema}.accounts`, { analyze }), (error: unknown) => {
            assert.ok(error instanceof ExplainStatementError);
            assert.equal(error.code, '42601');
            assert.match(error.message, /cannot insert multiple commands into a prepared statement/);
            assert.equal(error.hint, 'Explain one statement at a time.');
            return true;
          });
        }
        assert.deepEqual(await snapshot(pool), before);
      });

      it('when the statement fails halfway, and the connection stays usable', async () => {
        const before = await snapshot(pool);
        const { backendPid } = await runExplain(pool, 'SELECT 1');
        await assert.rejects(runExplain(pool, `UPDATE ${schema}.accounts SET balance = balance / (id - 50)`), (error: unknown) => {
          assert.ok(error instanceof ExplainStatementError);
          assert.equal(error.code, '22012');
          return true;
        });
        assert.deepEqual(await snapshot(pool), before);
        const after = await runExplain(pool, 'SELECT 1');
        assert.equal(after.backendPid, backendPid, 'the connection went back to the pool');
      });
    });

    it('returns the plan, the server version and the options used', async () => {
      const run = await runExplain(pool, `SELECT * FROM ${schema}.accounts WHERE balance > 500`, {
        verbose: true,
        settings: true,
        wal: true,
      });
      const root = rootOf(run);
      assert.equal(root['Node Type'], 'Seq Scan');
      assert.equal(root['Actual Rows'], 50);
      assert.match(run.serverVersion, server.embedded ? /^PostgreSQL \d+\.\d+ \(PGlite \d+\.\d+\.\d+\)$/ : /^PostgreSQL \d+\.\d+$/);
      assert.equal(run.serverVersionNum, versionNum);
      assert.ok(run.durationMs > 0);
      assert.deepEqual(run.options, {
        analyze: true,
        buffers: true,
        verbose: true,
        settings: true,
        wal: true,
        genericPlan: false,
        timeoutMs: 30_000,
      });
    });

    it('explains with estimates only, without executing', async () => {
      const before = await snapshot(pool);
      const run = await runExplain(pool, `DELETE FROM ${schema}.accounts`, { analyze: false });
      assert.equal(rootOf(run)['Actual Rows'], undefined);
      assert.equal(run.options.analyze, false);
      assert.equal(run.options.buffers, false);
      assert.deepEqual(await snapshot(pool), before);
    });

    it('binds values to $n placeholders', async () => {
      const run = await runExplain(pool, `SELECT * FROM ${schema}.accounts WHERE id = $1 OR owner = $2`, { values: ['7', null] });
      assert.equal(rootOf(run)['Actual Rows'], 1);
    });

    it('plans placeholders without values: GENERIC_PLAN on 16+, PREPARE under force_generic_plan before', async () => {
      const statement = `SELECT * FROM ${schema}.accounts WHERE id = $1 AND owner <> $2`;
      // Twice: the prepared statement of the route before 16 must be gone before the connection is reused.
      for (let i = 0; i < 2; i++) {
        const run = await runExplain(pool, statement, { genericPlan: true });
        assert.equal(run.options.genericPlan, true);
        assert.equal(run.options.analyze, false);
        const plan = JSON.stringify(rootOf(run));
        assert.match(plan, /\(id = \$1\)/, 'the plan keeps the placeholder');
        assert.match(plan, /\(owner <> \$2\)/, 'the plan keeps the placeholder');
      }
      const left = await query<{ n: number }>(pool, 'SELECT count(*)::int AS n FROM pg_prepared_statements');
      assert.equal(left[0]!.n, 0, 'no prepared statement is left behind');
      const before = await snapshot(pool);
      await assert.rejects(
        runExplain(pool, `SELECT $1; COMMIT; DELETE FROM ${schema}.accounts`, { genericPlan: true }),
        (error: unknown) => {
          assert.ok(error instanceof ExplainStatementError);
          assert.match(error.message, /cannot insert multiple commands into a prepared statement/);
          return true;
        },
      );
      assert.deepEqual(await snapshot(pool), before);
    });

    it('maps an error in a statement planned without values back into the statement', async () => {
      const statement = `SELECT * FROM ${schema}.accounts WHERE idd = $1`;
      await assert.rejects(runExplain(pool, statement, { genericPlan: true }), (error: unknown) => {
        assert.ok(error instanceof ExplainStatementError);
        assert.equal(error.code, '42703');
        const at = mapServerErrorPosition(statement, error.position!, error.prefixLength);
        assert.equal(at?.offset, statement.indexOf('idd'));
        return true;
      });
      const run = await runExplain(pool, `SELECT * FROM ${schema}.accounts WHERE id = $1`, { genericPlan: true });
      assert.match(JSON.stringify(rootOf(run)), /\$1/, 'the connection is usable after the failure');
    });

    it("reports PostgreSQL's error with a position that maps back into the statement", async () => {
      const statement = `SELECT idd FROM ${schema}.accounts`;
      await assert.rejects(runExplain(pool, statement), (error: unknown) => {
        assert.ok(error instanceof ExplainStatementError);
        assert.equal(error.code, '42703');
        assert.match(error.message, /column "idd" does not exist/);
        assert.equal(error.prefixLength, 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) '.length);
        assert.equal(error.position! - error.prefixLength, statement.indexOf('idd') + 1);
        return true;
      });
    });

    it('reports a statement that outlives its timeout as ExplainTimeoutError', async () => {
      await assert.rejects(runExplain(pool, 'SELECT pg_sleep(2)', { timeoutMs: 300 }), (error: unknown) => {
        assert.ok(error instanceof ExplainTimeoutError, String(error));
        assert.equal(error.timeoutMs, 300);
        assert.match(error.message, /ran longer than the timeout of 300 ms \(statement_timeout\)/);
        return true;
      });
      const next = await runExplain(pool, 'SELECT 1');
      assert.equal(rootOf(next)['Actual Loops'], 1);
    });

    if (!server.embedded) {
      describe('cancellation', () => {
        const marker = `cancel_test_${process.pid}`;
        const sleeping = `SELECT pg_sleep(30) AS ${marker}`;
        let observer: Client;

        before(async () => {
          observer = new Client(connection.config);
          await observer.connect();
        });
        after(() => observer?.end());

        const activeSleeps = async () =>
          Number(
            (
              await observer.query<{ n: string }>(
                `SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%${marker}%' AND pid <> pg_backend_pid()`,
              )
            ).rows[0]!.n,
          );
        const whenRunning = async () => {
          while ((await activeSleeps()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        };

        it('stops the statement on the server and returns within 2 s', async () => {
          const abort = new AbortController();
          const explaining = runExplain(pool, sleeping, { signal: abort.signal });
          await whenRunning();
          const aborted = Date.now();
          abort.abort();
          await assert.rejects(explaining, (error: unknown) => {
            assert.ok(error instanceof ExplainCancelledError, String(error));
            assert.equal(error.stoppedOnServer, true);
            return true;
          });
          assert.ok(Date.now() - aborted < 2_000, `returned after ${Date.now() - aborted} ms`);
          assert.equal(await activeSleeps(), 0);
        });

        it('falls back to pg_cancel_backend when a proxy drops the cancel request', async () => {
          const proxy = await TcpProxy.start(
            { host: connection.config.host!, port: connection.config.port! },
            { dropCancelRequests: true },
          );
          const proxied = createPool({ ...connection, config: { ...connection.config, host: '127.0.0.1', port: proxy.port } }, { max: 1 });
          try {
            const abort = new AbortController();
            const explaining = runExplain(proxied, sleeping, { signal: abort.signal });
            await whenRunning();
            abort.abort();
            await assert.rejects(explaining, ExplainCancelledError);
            assert.equal(proxy.droppedCancelRequests, 1);
            assert.equal(await activeSleeps(), 0);
          } finally {
            await proxied.end();
            await proxy.close();
          }
        });

        it('gives up waiting for a connection when cancelled first', async () => {
          const busy = await pool.connect();
          try {
            const abort = new AbortController();
            const explaining = runExplain(pool, 'SELECT 1', { signal: abort.signal });
            abort.abort();
            await assert.rejects(explaining, ExplainCancelledError);
          } finally {
            busy.release();
          }
          assert.equal(rootOf(await runExplain(pool, 'SELECT 1'))['Actual Loops'], 1);
        });
      });
    } else {
      describe('cancellation', () => {
        // PGlite ignores cancel requests: the client gives up the connection at once, and the
        // statement finishes inside the embedded server, which then rolls it back.
        it('returns within 2 s, rolls back and serves the next explain', async () => {
          const before = await snapshot(pool);
          const abort = new AbortController();
          const explaining = runExplain(
            pool,
            `WITH gone AS (DELETE FROM ${schema}.accounts RETURNING id) SELECT pg_sleep(2), count(*) FROM gone`,
            {
              signal: abort.signal,
            },
          );
          setTimeout(() => abort.abort(), 300);
          const started = Date.now();
          await assert.rejects(explaining, (error: unknown) => {
            assert.ok(error instanceof ExplainCancelledError, String(error));
            assert.equal(error.stoppedOnServer, false);
            return true;
          });
          assert.ok(Date.now() - started < 2_000, `returned after ${Date.now() - started} ms`);
          assert.equal(rootOf(await runExplain(pool, 'SELECT 1'))['Actual Loops'], 1);
          assert.deepEqual(await snapshot(pool), before);
        });
      });
    }
  });
});
