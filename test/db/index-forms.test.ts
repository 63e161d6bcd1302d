/**
 * Every index form on PostgreSQL 15 with HypoPG: a scenario where the suggestion, built for real,
 * makes the query at least 5x faster, and a trap where nothing is proposed. Scenarios come from
 * bench/advice-scenarios/ (the benchmark measures the same ones), each in a schema of its own.
 */
import { strict as assert } from 'node:assert';
import {
  buildScenario,
  createForReal,
  dropScenario,
  explainAnalyzed,
  planUsesIndex,
  timeQuery,
} from '../../bench/advice-scenarios/scenario-runner';
import { scenarioNamed, type AdviceScenario } from '../../bench/advice-scenarios/scenarios';
import type { IndexSuggestion } from '../../src/core/advice/advice-model';
import { adviseIndexes } from '../../src/db/advise-indexes';
import { readCatalogSnapshot } from '../../src/db/catalog-reader';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { configuredPostgres } from '../support/test-servers';

const RUNS = 3;
const MIN_SPEEDUP = 5;

const testSchema = (scenario: AdviceScenario) => `forms_t_${scenario.name.replaceAll('-', '_')}_${process.pid}`;

/** The suggestions each form must make (DDL without the schema), in order. */
const EXPECTED_DDL: Record<string, (schema: string) => string[]> = {
  'expression-lower': (schema) => [`CREATE INDEX idx_users_lower_email ON ${schema}.users (lower(email));`],
  'expression-date-trunc': (schema) => [
    `CREATE INDEX idx_readings_date_trunc_day_taken_at ON ${schema}.readings (date_trunc('day', taken_at));`,
  ],
  'expression-cast': (schema) => [`CREATE INDEX idx_readings_taken_at_date ON ${schema}.readings ((taken_at::date));`],
  'like-prefix-pattern-ops': (schema) => [`CREATE INDEX idx_product_codes_code ON ${schema}.product_codes (code text_pattern_ops);`],
  'like-prefix-c-collation': (schema) => [`CREATE INDEX idx_product_codes_code ON ${schema}.product_codes (code);`],
  'ilike-trigram': (schema) => [`CREATE INDEX idx_orders_note ON ${schema}.orders USING gin (note gin_trgm_ops);`],
  'jsonb-containment': (schema) => [`CREATE INDEX idx_items_attrs ON ${schema}.items USING gin (attrs jsonb_path_ops);`],
  'jsonb-key-exists': (schema) => [`CREATE INDEX idx_items_attrs ON ${schema}.items USING gin (attrs);`],
  'or-branches': (schema) => [
    `CREATE INDEX idx_orders_customer_id ON ${schema}.orders (customer_id);`,
    `CREATE INDEX idx_orders_referrer_id ON ${schema}.orders (referrer_id);`,
  ],
  'correlated-subplan': (schema) => [`CREATE INDEX idx_orders_customer_id ON ${schema}.orders (customer_id);`],
  partitioned: (schema) => [`CREATE INDEX idx_activity_account_id ON ${schema}.activity (account_id);`],
};

const TRAPS = [
  'primary-key',
  'aggregate-order',
  'six-value-column',
  'date-trunc-timestamptz',
  'jsonb-common-value',
  'or-unselective-branch',
  'infix-like',
];

describe('index forms on PostgreSQL with HypoPG', function () {
  let pool: PlanLensPool;

  before(function () {
    const connection = configuredPostgres();
    if (!connection) this.skip();
    pool = createPool(connection, { max: 2 });
  });

  after(async () => {
    await pool?.end();
  });

  async function advised(scenario: AdviceScenario, schema: string, values = scenario.values) {
    await buildScenario(pool, scenario, schema);
    const sql = scenario.query(schema);
    const before = await timeQuery(pool, sql, RUNS, values);
    const suggestions = await adviseIndexes(pool, sql, before.plan, { concurrently: false, ...(values ? { values } : {}) });
    return { sql, before, suggestions };
  }

  async function builtFaster(sql: string, beforeMs: number, suggestions: IndexSuggestion[], values?: string[]): Promise<number> {
    const names: string[][] = [];
    for (const suggestion of suggestions) names.push(await createForReal(pool, suggestion));
    const after = await timeQuery(pool, sql, RUNS, values);
    suggestions.forEach((suggestion, at) => assert.ok(planUsesIndex(after.plan, names[at]!), `the plan uses ${suggestion.name}`));
    assert.ok(
      after.medianMs * MIN_SPEEDUP <= beforeMs,
      `at least ${MIN_SPEEDUP}x faster: ${beforeMs} ms before, ${after.medianMs} ms after`,
    );
    return beforeMs / after.medianMs;
  }

  for (const [name, expected] of Object.entries(EXPECTED_DDL)) {
    describe(`scenario ${name}`, function () {
      this.timeout(300_000);
      const scenario = scenarioNamed(name);
      const schema = testSchema(scenario);
      after(async () => {
        await dropScenario(pool, scenario, schema);
      });

      it(`proposes ${scenario.description.split(':')[0]}, which makes the query ${MIN_SPEEDUP}x faster once built`, async () => {
        const { sql, before, suggestions } = await advised(scenario, schema);
        assert.deepEqual(
          suggestions.map((suggestion) => suggestion.ddl),
          expected(schema),
        );
        if (name === 'partitioned') {
          // One suggestion for the scans of all 24 partitions, on the partitioned table.
          assert.ok(suggestions[0]!.kinds.includes('partitioned'));
          assert.equal(suggestions[0]!.nodeIds.length, 24);
        }
        for (const suggestion of suggestions) {
          if (suggestion.method === 'gin') continue; // HypoPG simulates B-tree indexes only: GIN comes back unverified, and is timed here.
          assert.equal(suggestion.verification.method, 'hypopg');
          assert.equal(suggestion.verification.usedByPlanner, true);
        }
        await builtFaster(sql, before.medianMs, suggestions);
      });
    });
  }

  describe('scenario parameterised', function () {
    this.timeout(300_000);
    const scenario = scenarioNamed('parameterised');
    const schema = testSchema(scenario);
    after(async () => {
      await dropScenario(pool, scenario, schema);
    });

    it('proposes no partial index on the sample value, and the index helps another value as much', async () => {
      const { sql, before, suggestions } = await advised(scenario, schema);
      assert.equal(suggestions.length, 1);
      const [suggestion] = suggestions;
      assert.equal(suggestion!.where, undefined);
      assert.equal(suggestion!.columns[0]!.name, 'customer_id');
      const other = ['cancelled', '17'];
      const otherBefore = await timeQuery(pool, sql, RUNS, other);
      await builtFaster(sql, before.medianMs, suggestions, scenario.values);
      const otherAfter = await timeQuery(pool, sql, RUNS, other);
      assert.ok(planUsesIndex(otherAfter.plan, suggestion!.name), 'the other value uses the index too');
      assert.ok(
        otherAfter.medianMs * MIN_SPEEDUP <= otherBefore.medianMs,
        `other value: ${otherBefore.medianMs} ms before, ${otherAfter.medianMs} ms after`,
      );
    });
  });

  describe('scenario key-cap', function () {
    this.timeout(300_000);
    const scenario = scenarioNamed('key-cap');
    const schema = testSchema(scenario);
    after(async () => {
      await dropScenario(pool, scenario, schema);
    });

    it('proposes an index of at most 4 key columns that makes the query 5x faster', async () => {
      const { sql, before, suggestions } = await advised(scenario, schema);
      assert.equal(suggestions.length, 1);
      assert.ok(suggestions[0]!.columns.length <= 4, suggestions[0]!.ddl);
      await builtFaster(sql, before.medianMs, suggestions);
    });
  });

  it('reads collations, operator classes, extensions and partition roots from the catalog', async function () {
    this.timeout(60_000);
    const schema = `forms_t_catalog_${process.pid}`;
    const client = await pool.connect();
    try {
      await client.query(`
        DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};
        CREATE TABLE ${schema}.codes (id int, plain text, c text COLLATE "C", icu text COLLATE "und-x-icu", n int);
        CREATE INDEX codes_plain_pattern ON ${schema}.codes (plain text_pattern_ops, n);
        CREATE TABLE ${schema}.log (id int, at date) PARTITION BY RANGE (at);
        CREATE TABLE ${schema}.log_2024 PARTITION OF ${schema}.log FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`);
      const { rows } = await client.query<{ collate: string }>(
        'SELECT datcollate AS collate FROM pg_database WHERE datname = current_database()',
      );
      const catalog = await readCatalogSnapshot(client, [
        { schema, table: 'codes' },
        { schema, table: 'log' },
      ]);
      assert.ok(catalog.extensions?.includes('plpgsql'));
      const codes = catalog.tables.find((table) => table.name === 'codes')!;
      const collation = (name: string) => codes.columns.find((column) => column.name === name)!.collation;
      assert.equal(collation('plain'), rows[0]!.collate, 'the default collation is the database one');
      assert.equal(collation('c'), 'C');
      assert.equal(collation('icu'), 'und-x-icu');
      assert.equal(collation('n'), undefined);
      assert.deepEqual(codes.indexes[0]!.keys, [
        { column: 'plain', opclass: 'text_pattern_ops', descending: false, nullsFirst: false },
        { column: 'n', descending: false, nullsFirst: false },
      ]);
      const partition = catalog.tables.find((table) => table.name === 'log_2024');
      assert.deepEqual(
        partition?.partitionRoot,
        { schema, name: 'log' },
        'a partitioned table brings its partitions, which know their root',
      );
      assert.equal(catalog.tables.find((table) => table.name === 'log')!.partitionRoot, undefined);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      client.release();
    }
  });

  for (const name of TRAPS) {
    describe(`trap ${name}`, function () {
      this.timeout(300_000);
      const scenario = scenarioNamed(name);
      const schema = testSchema(scenario);
      after(async () => {
        await dropScenario(pool, scenario, schema);
      });

      it(`proposes nothing: ${scenario.description}`, async () => {
        await buildScenario(pool, scenario, schema);
        const sql = scenario.query(schema);
        const plan = await explainAnalyzed(pool, sql);
        assert.deepEqual(
          (await adviseIndexes(pool, sql, plan)).map((suggestion) => suggestion.ddl),
          [],
        );
      });
    });
  }
});
