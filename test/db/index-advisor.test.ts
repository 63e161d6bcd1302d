/**
 * Index advice against real servers: PostgreSQL (with HypoPG available to CREATE EXTENSION) for
 * verified suggestions that make queries faster once created, and the embedded demo database
 * (PGlite, no HypoPG) for unverified ones. Scenarios come from bench/advice-scenarios/, each in a
 * schema of its own that is dropped afterwards.
 */
import { strict as assert } from 'node:assert';
import {
  buildScenario,
  createForReal,
  dropScenario,
  execute,
  explainAnalyzed,
  planUsesIndex,
  timeQuery,
} from '../../bench/advice-scenarios/scenario-runner';
import { scenarioNamed, type AdviceScenario } from '../../bench/advice-scenarios/scenarios';
import type { IndexSuggestion } from '../../src/core/advice/advice-model';
import { formatCreateIndex } from '../../src/core/advice/index-ddl';
import { adviseIndexes } from '../../src/db/advise-indexes';
import { readCatalogSnapshot } from '../../src/db/catalog-reader';
import { resolveConnection } from '../../src/db/connection-config';
import { verifySuggestions } from '../../src/db/index-verification';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { analyzePlan, parseExplainJson } from '../../src/core/plan';
import { runExplain } from '../../src/db/explain-runner';
import { configuredPostgres, startSharedDemo } from '../support/test-servers';

/** EXPLAIN ANALYZE runs whose median is compared, after a warm-up run. */
const RUNS = 3;

const testSchema = (scenario: AdviceScenario) => `advisor_t_${scenario.name.replaceAll('-', '_')}_${process.pid}`;

async function rows<T extends object>(pool: PlanLensPool, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = await pool.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    client.release();
  }
}

/** What must hold of the top suggestion, beyond making the query faster. */
const EXPECTED_SHAPE: Record<string, (suggestion: IndexSuggestion) => void> = {
  'single-column': (suggestion) => assert.deepEqual(suggestion.columns, [{ name: 'customer_id', descending: false }]),
  'compound-equality-range': (suggestion) =>
    assert.deepEqual(
      suggestion.columns.map((column) => column.name),
      ['account_id', 'created_at'],
    ),
  'partial-boolean': (suggestion) => {
    assert.equal(suggestion.where, 'is_trial');
    assert.deepEqual(
      suggestion.columns.map((column) => column.name),
      ['expires_at'],
    );
  },
  'top-n-filtered': (suggestion) => {
    assert.deepEqual(suggestion.columns, [{ name: 'created_at', descending: true }]);
    assert.equal(suggestion.where, 'is_active');
  },
  'join-key': (suggestion) => assert.deepEqual(suggestion.columns, [{ name: 'customer_id', descending: false }]),
  'index-filter': (suggestion) =>
    assert.ok(
      suggestion.columns.some((column) => column.name === 'kind'),
      'the filtered column joins the key',
    ),
  'desc-sort': (suggestion) => assert.deepEqual(suggestion.columns, [{ name: 'published_at', descending: true }]),
};

describe('index advisor on PostgreSQL with HypoPG', function () {
  let pool: PlanLensPool;

  before(function () {
    const connection = configuredPostgres();
    if (!connection) this.skip();
    pool = createPool(connection, { max: 2 });
  });

  after(async () => {
    await pool?.end();
  });

  for (const name of Object.keys(EXPECTED_SHAPE)) {
    describe(`scenario ${name}`, function () {
      this.timeout(180_000);
      const scenario = scenarioNamed(name);
      const schema = testSchema(scenario);
      after(async () => {
        await dropScenario(pool, scenario, schema);
      });

      it('proposes a verified index that makes the query faster once created', async () => {
        await buildScenario(pool, scenario, schema);
        const sql = scenario.query(schema);
        const before = await timeQuery(pool, sql, RUNS);
        const hypopgBefore = await rows(pool, "SELECT 1 FROM pg_extension WHERE extname = 'hypopg'");
        const indexesBefore = await rows(pool, 'SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY 1', [schema]);

        const suggestions = await adviseIndexes(pool, sql, before.plan, { concurrently: false });

        assert.ok(suggestions.length >= 1, 'at least one suggestion');
        const [top] = suggestions;
        assert.equal(top!.table, scenario.indexedTable);
        assert.equal(top!.schema, schema);
        assert.equal(top!.verification.method, 'hypopg');
        assert.equal(top!.verification.usedByPlanner, true);
        assert.ok(top!.verification.costAfter! < top!.verification.costBefore!, 'the planner expects it to be cheaper');
        EXPECTED_SHAPE[name]!(top!);
        assert.deepEqual(
          await rows(pool, "SELECT 1 FROM pg_extension WHERE extname = 'hypopg'"),
          hypopgBefore,
          'the extension is left as it was',
        );
        assert.deepEqual(
          await rows(pool, 'SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY 1', [schema]),
          indexesBefore,
          'advice creates no index',
        );

        await createForReal(pool, top!);
        const after = await timeQuery(pool, sql, RUNS);
        assert.ok(planUsesIndex(after.plan, top!.name), `the new plan uses ${top!.name}`);
        assert.ok(after.medianMs < before.medianMs, `faster: ${before.medianMs} ms before, ${after.medianMs} ms after`);

        // With the index in place, the plan that led to it must not bring it up again.
        const again = await adviseIndexes(pool, sql, before.plan, { concurrently: false });
        assert.ok(
          !again.some((suggestion) => suggestion.name === top!.name || sameKeys(suggestion, top!)),
          'an existing index is never re-proposed',
        );
      });
    });
  }

  for (const name of ['non-selective-filter', 'full-aggregate', 'already-indexed', 'infix-like']) {
    describe(`scenario ${name}`, function () {
      this.timeout(180_000);
      const scenario = scenarioNamed(name);
      const schema = testSchema(scenario);
      after(async () => {
        await dropScenario(pool, scenario, schema);
      });

      it('proposes nothing when no index can help', async () => {
        await buildScenario(pool, scenario, schema);
        const sql = scenario.query(schema);
        const plan = await explainAnalyzed(pool, sql);
        assert.deepEqual(await adviseIndexes(pool, sql, plan), []);
      });
    });
  }

  describe('existing indexes and verification', function () {
    this.timeout(180_000);
    const scenario = scenarioNamed('single-column');
    const schema = `advisor_t_existing_${process.pid}`;
    const sql = scenario.query(schema);
    before(async () => {
      await buildScenario(pool, scenario, schema);
    });
    after(async () => {
      await dropScenario(pool, scenario, schema);
    });

    it('does not re-propose an index covered by the leading columns of an existing one', async () => {
      const plan = await explainAnalyzed(pool, sql);
      assert.equal((await adviseIndexes(pool, sql, plan)).length, 1, 'before: the customer_id index is suggested');
      await execute(pool, `CREATE INDEX orders_customer_status ON ${schema}.orders (customer_id, status)`);
      try {
        assert.deepEqual(await adviseIndexes(pool, sql, plan), [], 'the seq scan plan from before no longer leads to a suggestion');
      } finally {
        await execute(pool, `DROP INDEX ${schema}.orders_customer_status`);
      }
      await execute(pool, `CREATE INDEX orders_status_customer ON ${schema}.orders (status, customer_id)`);
      try {
        assert.equal((await adviseIndexes(pool, sql, plan)).length, 1, 'an index leading with another column does not cover it');
      } finally {
        await execute(pool, `DROP INDEX ${schema}.orders_status_customer`);
      }
    });

    it('drops suggestions the planner ignores and keeps the one it uses, with the costs', async () => {
      const plan = await explainAnalyzed(pool, sql);
      const [good] = await adviseIndexes(pool, sql, plan);
      const ignored: IndexSuggestion = {
        ...good!,
        id: 'idx_orders_note',
        name: 'idx_orders_note',
        columns: [{ name: 'note', descending: false }],
        ddl: formatCreateIndex({
          name: 'idx_orders_note',
          schema,
          table: 'orders',
          columns: [{ name: 'note', descending: false }],
          include: [],
          concurrently: true,
        }),
        verification: { method: 'unverified' },
      };
      const verified = await verifySuggestions(pool, sql, [ignored, { ...good!, verification: { method: 'unverified' } }]);
      assert.deepEqual(
        verified.map((suggestion) => suggestion.name),
        [good!.name],
      );
      const { verification } = verified[0]!;
      assert.equal(verification.method, 'hypopg');
      assert.equal(verification.usedByPlanner, true);
      assert.ok(verification.costBefore! > 0 && verification.costAfter! < verification.costBefore! * 0.5);
      assert.equal(verification.costAfterCombined, verification.costAfter);
    });

    it('returns the suggestions unverified when this role may not create HypoPG', async function () {
      const installed = await rows(pool, "SELECT 1 FROM pg_extension WHERE extname = 'hypopg'");
      if (installed.length > 0) this.skip();
      const role = `advisor_t_reader_${process.pid}`;
      await execute(
        pool,
        `CREATE ROLE ${role} LOGIN PASSWORD '${role}'; GRANT USAGE ON SCHEMA ${schema} TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role};`,
      );
      const config = configuredPostgres()!.config;
      const readerPool = createPool(
        resolveConnection({ url: `postgresql://${role}:${role}@${config.host}:${config.port}/${config.database}`, env: {} })!,
        { max: 1 },
      );
      try {
        const plan = await explainAnalyzed(readerPool, sql);
        const suggestions = await adviseIndexes(readerPool, sql, plan);
        assert.equal(suggestions.length, 1);
        assert.equal(suggestions[0]!.name, 'idx_orders_customer_id');
        assert.equal(suggestions[0]!.verification.method, 'unverified');
        assert.match(suggestions[0]!.verification.note!, /may not create the extension/);
      } finally {
        await readerPool.end();
        await execute(pool, `DROP OWNED BY ${role}; DROP ROLE ${role};`);
      }
    });

    it('reads existing indexes, table size and statistics from the catalog', async () => {
      await execute(
        pool,
        `CREATE INDEX orders_recent_paid ON ${schema}.orders (ordered_at DESC NULLS LAST, lower(note)) INCLUDE (amount) WHERE status = 'paid'`,
      );
      const client = await pool.connect();
      try {
        await client.query(`SET search_path = ${schema}, public`);
        const catalog = await readCatalogSnapshot(client, [
          { table: 'orders' },
          { schema, table: 'orders' },
          { schema, table: 'no_such_table' },
        ]);
        assert.equal(catalog.tables.length, 1, 'one table, found both ways; the missing one left out');
        const orders = catalog.tables[0]!;
        assert.equal(orders.schema, schema);
        assert.ok(Math.abs(orders.rowEstimate - 200_000) < 2_000, `about 200 000 rows: ${orders.rowEstimate}`);
        assert.deepEqual(
          orders.columns.map((column) => column.name),
          ['id', 'customer_id', 'status', 'amount', 'ordered_at', 'note'],
        );
        const status = orders.columns.find((column) => column.name === 'status')!;
        assert.equal(status.stats?.nDistinct, 4, 'delivered, shipped, paid, cancelled');
        assert.ok(status.stats!.mostCommonValues.includes('delivered'));
        assert.equal(status.stats!.mostCommonValues.length, status.stats!.mostCommonFrequencies.length);
        assert.equal(orders.columns.find((column) => column.name === 'id')!.stats?.nDistinct, -1);

        const primary = orders.indexes.find((index) => index.primary)!;
        assert.deepEqual(primary.keys, [{ column: 'id', descending: false, nullsFirst: false }]);
        assert.equal(primary.unique, true);
        const recent = orders.indexes.find((index) => index.name === 'orders_recent_paid')!;
        assert.deepEqual(recent.keys, [
          { column: 'ordered_at', descending: true, nullsFirst: false },
          { expression: 'lower(note)', descending: false, nullsFirst: false },
        ]);
        assert.deepEqual(recent.include, ['amount']);
        assert.equal(recent.predicate, "status = 'paid'::text");
        assert.equal(recent.valid, true);
        assert.equal(recent.method, 'btree');
      } finally {
        client.release(true);
        await execute(pool, `DROP INDEX ${schema}.orders_recent_paid`);
      }
    });
  });
});

describe('index advisor on the embedded demo database (no HypoPG)', function () {
  this.timeout(180_000);
  let pool: PlanLensPool;

  before(async function () {
    this.timeout(180_000);
    const demo = await startSharedDemo();
    pool = createPool(resolveConnection({ url: demo.connectionString, env: {} })!, { max: 1 });
  });

  after(async () => {
    await pool?.end();
  });

  it('verifies the suggestions by building each index inside a transaction that is rolled back', async () => {
    const sql =
      'SELECT p.*, c.name AS category_name FROM products p JOIN categories c ON p.category_id = c.id ' +
      'WHERE p.is_active = true AND p.price > 10000 ORDER BY p.created_at DESC LIMIT 20';
    const run = await runExplain(pool, sql, { analyze: true });
    const plan = analyzePlan(parseExplainJson(run.explainJson));

    const suggestions = await adviseIndexes(pool, sql, plan);

    assert.ok(suggestions.length >= 1);
    const [top] = suggestions;
    assert.equal(
      top!.ddl,
      'CREATE INDEX CONCURRENTLY idx_products_created_at_where_is_active ON public.products (created_at DESC) WHERE is_active;',
    );
    for (const suggestion of suggestions) {
      assert.equal(suggestion.verification.method, 'rolled-back-index');
      assert.equal(suggestion.verification.usedByPlanner, true);
      assert.ok(suggestion.verification.costAfter! <= suggestion.verification.costBefore! * 0.9, 'at least 10% cheaper');
    }
    const indexes = await rows<{ n: number }>(pool, "SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'products'");
    assert.equal(indexes[0]!.n, 1, 'only the primary key, as before: every index built was rolled back');

    // The planner's word holds: built for real, the index makes the query faster.
    const before = await timeQuery(pool, sql, RUNS);
    await execute(pool, formatCreateIndex({ ...top!, concurrently: false }));
    try {
      const after = await timeQuery(pool, sql, RUNS);
      assert.ok(planUsesIndex(after.plan, top!.name));
      assert.ok(after.medianMs * 5 <= before.medianMs, `at least 5x faster: ${before.medianMs} ms before, ${after.medianMs} ms after`);
    } finally {
      await execute(pool, `DROP INDEX ${top!.name}`);
    }
  });
});

function sameKeys(a: IndexSuggestion, b: IndexSuggestion): boolean {
  return JSON.stringify(a.columns) === JSON.stringify(b.columns) && a.where === b.where && a.table === b.table;
}
