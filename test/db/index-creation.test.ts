/**
 * "Create index now" against PostgreSQL 15: the index is really built (CONCURRENTLY, outside a
 * transaction), and a cancelled build stops on the server and leaves no invalid index behind.
 */
import { strict as assert } from 'node:assert';
import { Client } from 'pg';
import { resolveConnection } from '../../src/db/connection-config';
import { createIndexOnServer, IndexCreationCancelledError, IndexCreationError } from '../../src/db/index-creation';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { postgresConfigured } from '../support/postgres-configured';

const schema = `index_creation_${process.pid}`;

describe('createIndexOnServer (PostgreSQL 15)', function () {
  let admin: Client;
  let pool: PlanLensPool;

  before(async function () {
    if (!postgresConfigured()) this.skip();
    admin = new Client();
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(
      `CREATE TABLE ${schema}.items AS SELECT g AS id, g % 97 AS bucket, md5(g::text) AS label FROM generate_series(1, 50000) g`,
    );
    pool = createPool(resolveConnection()!, { max: 3 });
  });

  after(async function () {
    if (!admin) return;
    await pool.end();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  async function indexState(name: string): Promise<'absent' | 'valid' | 'invalid'> {
    const { rows } = await admin.query(
      `SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, name],
    );
    return rows.length === 0 ? 'absent' : rows[0].indisvalid ? 'valid' : 'invalid';
  }

  it('builds the index CONCURRENTLY, outside any transaction, and the planner can use it', async function () {
    const result = await createIndexOnServer(pool, `CREATE INDEX CONCURRENTLY idx_items_bucket ON ${schema}.items (bucket)`, {
      indexName: 'idx_items_bucket',
      schema,
    });
    assert.ok(result.durationMs > 0);
    assert.equal(await indexState('idx_items_bucket'), 'valid');
    await admin.query(`ANALYZE ${schema}.items`);
    const { rows } = await admin.query(`EXPLAIN (FORMAT JSON) SELECT * FROM ${schema}.items WHERE bucket = 3`);
    assert.match(JSON.stringify(rows[0]['QUERY PLAN']), /"Index Name":"idx_items_bucket"/);
  });

  it("reports PostgreSQL's refusal as an IndexCreationError with its code", async function () {
    await assert.rejects(
      createIndexOnServer(pool, `CREATE INDEX CONCURRENTLY idx_items_missing ON ${schema}.items (no_such_column)`, {
        indexName: 'idx_items_missing',
        schema,
      }),
      (error: unknown) => error instanceof IndexCreationError && error.code === '42703' && /no_such_column/.test(error.message),
    );
  });

  it('a cancelled build stops on the server and leaves no invalid index', async function () {
    // An open writing transaction makes CREATE INDEX CONCURRENTLY wait after it has already
    // registered the (still invalid) index: cancelling there is the case that leaves debris.
    const writer = new Client();
    await writer.connect();
    await writer.query('BEGIN');
    await writer.query(`INSERT INTO ${schema}.items VALUES (0, 0, 'open')`);
    const abort = new AbortController();
    const build = createIndexOnServer(pool, `CREATE INDEX CONCURRENTLY idx_items_label ON ${schema}.items (label)`, {
      indexName: 'idx_items_label',
      schema,
      signal: abort.signal,
    });
    try {
      for (let i = 0; i < 100 && (await indexState('idx_items_label')) !== 'invalid'; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await indexState('idx_items_label'), 'invalid', 'the build is waiting with its index registered');
      abort.abort();
      // The writer finishes while the cleanup waits for it, as a user's other session would.
      setTimeout(() => void writer.query('ROLLBACK'), 300);
      await assert.rejects(build, (error: unknown) => error instanceof IndexCreationCancelledError && error.leftoverDrop === undefined);
    } finally {
      await writer.end();
    }
    assert.equal(await indexState('idx_items_label'), 'absent');
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY idx_items_label%' AND state = 'active'`,
    );
    assert.equal(rows[0].n, 0);
  });

  it('when the leftover cannot be dropped in time, says which DROP to run later', async function () {
    const writer = new Client();
    await writer.connect();
    await writer.query('BEGIN');
    await writer.query(`INSERT INTO ${schema}.items VALUES (0, 0, 'held')`);
    const abort = new AbortController();
    const build = createIndexOnServer(pool, `CREATE INDEX CONCURRENTLY idx_items_held ON ${schema}.items (label)`, {
      indexName: 'idx_items_held',
      schema,
      signal: abort.signal,
    });
    try {
      for (let i = 0; i < 100 && (await indexState('idx_items_held')) !== 'invalid'; i++) await new Promise((r) => setTimeout(r, 50));
      abort.abort();
      await assert.rejects(build, (error: unknown) => {
        assert.ok(error instanceof IndexCreationCancelledError);
        assert.equal(error.leftoverDrop, `DROP INDEX CONCURRENTLY IF EXISTS "${schema}"."idx_items_held"`);
        assert.match(error.message, /run DROP INDEX CONCURRENTLY/);
        return true;
      });
      assert.equal(await indexState('idx_items_held'), 'invalid');
    } finally {
      await writer.query('ROLLBACK');
      await writer.end();
    }
    await admin.query(`DROP INDEX CONCURRENTLY IF EXISTS ${schema}.idx_items_held`);
  });
});
