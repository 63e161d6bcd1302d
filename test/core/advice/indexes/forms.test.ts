/**
 * The index forms on hand-built plans shaped as PostgreSQL 15 prints them, with catalog snapshots
 * as src/db/catalog-reader.ts reads them: what each form proposes, with the exact DDL, and where it
 * proposes nothing. test/db/index-forms.test.ts and the advice benchmark check the same forms on a
 * real server, where the indexes are built and timed.
 */
import { strict as assert } from 'node:assert';
import type { IndexSuggestion } from '../../../../src/core/advice/advice-model';
import type { CatalogIndex, CatalogSnapshot, CatalogTable } from '../../../../src/core/advice/catalog-snapshot';
import { MAX_KEY_COLUMNS, proposeIndexes } from '../../../../src/core/advice/index-advisor';
import { analyzePlan, type RawPlanNode } from '../../../../src/core/plan';
import { ensureSqlParser } from '../../../../src/core/sql';

function scan(relation: string, filter: string, rows: number, removed: number, extra: Partial<RawPlanNode> = {}): RawPlanNode {
  return {
    'Node Type': 'Seq Scan',
    'Relation Name': relation,
    Alias: relation,
    'Plan Rows': rows,
    'Total Cost': 1000,
    Filter: filter,
    'Actual Rows': rows,
    'Actual Loops': 1,
    'Actual Startup Time': 0,
    'Actual Total Time': 50,
    'Rows Removed by Filter': removed,
    ...extra,
  };
}

interface ColumnSpec {
  type?: string;
  distinct?: number;
  collation?: string;
}

function table(name: string, rows: number, columns: Record<string, ColumnSpec>, extra: Partial<CatalogTable> = {}): CatalogTable {
  return {
    schema: 'public',
    name,
    rowEstimate: rows,
    pages: rows / 100,
    allVisiblePages: rows / 100,
    columns: Object.entries(columns).map(([column, spec]) => ({
      name: column,
      type: spec.type ?? 'integer',
      notNull: true,
      ...(spec.collation === undefined ? {} : { collation: spec.collation }),
      ...(spec.distinct === undefined
        ? {}
        : { stats: { nullFraction: 0, nDistinct: spec.distinct, mostCommonValues: [], mostCommonFrequencies: [] } }),
    })),
    indexes: [],
    ...extra,
  };
}

function propose(root: RawPlanNode, sql: string, tables: CatalogTable[], extensions: string[] = []): IndexSuggestion[] {
  const catalog: CatalogSnapshot = { tables, extensions };
  return proposeIndexes({ plan: analyzePlan({ Plan: root }), statementSql: sql, catalog });
}

const ddl = (suggestions: IndexSuggestion[]) => suggestions.map((suggestion) => suggestion.ddl);

const users = (indexes: CatalogIndex[] = []) =>
  table(
    'users',
    200_000,
    { id: { distinct: -1 }, email: { type: 'text', distinct: -1, collation: 'C.UTF-8' }, name: { type: 'text' } },
    { indexes },
  );
const readings = (type: string) =>
  table('readings', 400_000, { id: { distinct: -1 }, taken_at: { type, distinct: -1 }, value: { type: 'double precision' } });

describe('index forms', () => {
  before(async () => {
    await ensureSqlParser();
  });

  describe('expression keys', () => {
    it('indexes lower(email), never email itself', () => {
      const suggestions = propose(
        scan('users', "(lower(email) = 'user4242@example.com'::text)", 1, 199_999),
        "SELECT id, name FROM users WHERE lower(email) = 'user4242@example.com'",
        [users()],
      );
      assert.deepEqual(ddl(suggestions), ['CREATE INDEX CONCURRENTLY idx_users_lower_email ON public.users (lower(email));']);
      assert.ok(suggestions[0]!.kinds.includes('expression'));
      assert.match(suggestions[0]!.reason, /an index on the column itself cannot serve a condition on lower\(email\)/);
    });

    it('is satisfied by an existing index on the same expression', () => {
      const existing: CatalogIndex = {
        name: 'users_lower_email',
        method: 'btree',
        unique: true,
        primary: false,
        valid: true,
        keys: [{ expression: 'lower(email)', descending: false, nullsFirst: false }],
        include: [],
      };
      const plan = scan('users', "(lower(email) = 'x'::text)", 1, 199_999);
      assert.deepEqual(propose(plan, "SELECT * FROM users WHERE lower(email) = 'x'", [users([existing])]), []);
    });

    it("indexes date_trunc('day', ...) and ::date of a timestamp, not of a timestamptz (not immutable)", () => {
      const truncated = scan(
        'readings',
        "(date_trunc('day'::text, taken_at) = '2024-03-01 00:00:00'::timestamp without time zone)",
        1100,
        398_900,
      );
      const sql = "SELECT id, value FROM readings WHERE date_trunc('day', taken_at) = '2024-03-01'";
      assert.deepEqual(ddl(propose(truncated, sql, [readings('timestamp without time zone')])), [
        "CREATE INDEX CONCURRENTLY idx_readings_date_trunc_day_taken_at ON public.readings (date_trunc('day', taken_at));",
      ]);
      assert.deepEqual(propose(truncated, sql, [readings('timestamp with time zone')]), []);

      const cast = scan('readings', "((taken_at)::date = '2024-03-02'::date)", 1100, 398_900);
      assert.deepEqual(
        ddl(propose(cast, "SELECT id FROM readings WHERE taken_at::date = '2024-03-02'", [readings('timestamp without time zone')])),
        ['CREATE INDEX CONCURRENTLY idx_readings_taken_at_date ON public.readings ((taken_at::date));'],
      );
    });
  });

  describe('pattern matches', () => {
    const codes = (collation: string) => table('codes', 300_000, { id: { distinct: -1 }, code: { type: 'text', distinct: -1, collation } });
    const prefix = scan('codes', "(code ~~ 'AB1%'::text)", 450, 299_550);
    const sql = "SELECT id FROM codes WHERE code LIKE 'AB1%'";

    it('uses text_pattern_ops for a LIKE prefix under a collation other than C', () => {
      const [suggestion, ...rest] = propose(prefix, sql, [codes('en_US.UTF-8')]);
      assert.equal(rest.length, 0);
      assert.equal(suggestion!.ddl, 'CREATE INDEX CONCURRENTLY idx_codes_code ON public.codes (code text_pattern_ops);');
      assert.ok(suggestion!.kinds.includes('pattern'));
      assert.deepEqual(ddl(propose(prefix, sql, [codes('C.UTF-8')])), [
        'CREATE INDEX CONCURRENTLY idx_codes_code ON public.codes (code text_pattern_ops);',
      ]);
    });

    it('uses a plain B-tree under the C collation', () => {
      assert.deepEqual(ddl(propose(prefix, sql, [codes('C')])), ['CREATE INDEX CONCURRENTLY idx_codes_code ON public.codes (code);']);
    });

    it('proposes a trigram GIN index for ILIKE and infix LIKE only when pg_trgm is installed', () => {
      const infix = scan('codes', "(code ~~* '%b1-77%'::text)", 40, 299_960);
      const infixSql = "SELECT id FROM codes WHERE code ILIKE '%b1-77%'";
      assert.deepEqual(propose(infix, infixSql, [codes('C')]), []);
      const [suggestion] = propose(infix, infixSql, [codes('C')], ['plpgsql', 'pg_trgm']);
      assert.equal(suggestion!.ddl, 'CREATE INDEX CONCURRENTLY idx_codes_code ON public.codes USING gin (code gin_trgm_ops);');
      assert.equal(suggestion!.method, 'gin');
    });
  });

  describe('JSONB', () => {
    const items = table('items', 200_000, { id: { distinct: -1 }, attrs: { type: 'jsonb' } });

    it('indexes @> with GIN jsonb_path_ops, and ? with the default jsonb_ops', () => {
      const contains = scan('items', '(attrs @> \'{"color": "teal"}\'::jsonb)', 400, 199_600);
      assert.deepEqual(ddl(propose(contains, 'SELECT id FROM items WHERE attrs @> \'{"color": "teal"}\'', [items])), [
        'CREATE INDEX CONCURRENTLY idx_items_attrs ON public.items USING gin (attrs jsonb_path_ops);',
      ]);
      const exists = scan('items', "(attrs ? 'gift_wrap'::text)", 400, 199_600);
      assert.deepEqual(ddl(propose(exists, "SELECT id FROM items WHERE attrs ? 'gift_wrap'", [items])), [
        'CREATE INDEX CONCURRENTLY idx_items_attrs ON public.items USING gin (attrs);',
      ]);
    });

    it('proposes nothing when @> keeps a large share of the table', () => {
      const common = scan('items', '(attrs @> \'{"size": "M"}\'::jsonb)', 100_000, 100_000);
      assert.deepEqual(propose(common, 'SELECT id FROM items WHERE attrs @> \'{"size": "M"}\'', [items]), []);
    });
  });

  describe('OR branches', () => {
    const orders = table('orders', 200_000, { id: { distinct: -1 }, customer_id: { distinct: 20_000 }, referrer_id: { distinct: 20_000 } });

    it('proposes one index per branch as one set', () => {
      const suggestions = propose(
        scan('orders', '((customer_id = 4242) OR (referrer_id = 4242))', 20, 199_980),
        'SELECT id FROM orders WHERE customer_id = 4242 OR referrer_id = 4242',
        [orders],
      );
      assert.deepEqual(ddl(suggestions).sort(), [
        'CREATE INDEX CONCURRENTLY idx_orders_customer_id ON public.orders (customer_id);',
        'CREATE INDEX CONCURRENTLY idx_orders_referrer_id ON public.orders (referrer_id);',
      ]);
      assert.equal(suggestions[0]!.set, suggestions[1]!.set);
      assert.ok(suggestions[0]!.set !== undefined);
      assert.ok(suggestions.every((suggestion) => suggestion.kinds.includes('set')));
    });

    it('proposes nothing when a branch cannot use an index', () => {
      const suggestions = propose(
        scan('orders', "((customer_id = 4242) OR ((id)::text ~~ '%7'::text))", 20, 199_980),
        "SELECT id FROM orders WHERE customer_id = 4242 OR id::text LIKE '%7'",
        [orders],
      );
      assert.deepEqual(suggestions, []);
    });
  });

  describe('repeated inner scans', () => {
    it('indexes the correlated column of a SubPlan that scans the table once per outer row', () => {
      const subplan = scan('orders', '(customer_id = c.id)', 10, 199_990, {
        Alias: 'o',
        'Actual Loops': 50,
        'Parent Relationship': 'SubPlan',
        'Subplan Name': 'SubPlan 1',
      });
      const root: RawPlanNode = {
        'Node Type': 'Seq Scan',
        'Relation Name': 'customers',
        Alias: 'c',
        'Plan Rows': 50,
        'Total Cost': 590_000,
        'Actual Rows': 50,
        'Actual Loops': 1,
        'Actual Startup Time': 0,
        'Actual Total Time': 900,
        Plans: [
          {
            'Node Type': 'Aggregate',
            'Plan Rows': 1,
            'Total Cost': 11_800,
            'Actual Rows': 1,
            'Actual Loops': 50,
            'Actual Startup Time': 0,
            'Actual Total Time': 18,
            'Parent Relationship': 'SubPlan',
            'Subplan Name': 'SubPlan 1',
            Plans: [subplan],
          },
        ],
      };
      const suggestions = propose(
        root,
        'SELECT c.id, (SELECT sum(o.amount) FROM orders o WHERE o.customer_id = c.id) FROM customers c WHERE c.id <= 50',
        [
          table('orders', 200_000, { id: { distinct: -1 }, customer_id: { distinct: 20_000 }, amount: { type: 'numeric' } }),
          table('customers', 20_000, { id: { distinct: -1 } }),
        ],
      );
      assert.deepEqual(ddl(suggestions), ['CREATE INDEX CONCURRENTLY idx_orders_customer_id ON public.orders (customer_id);']);
      assert.match(suggestions[0]!.reason, /runs 50 times, reading 10,000,000 rows in all to match customer_id = c\.id/);
    });
  });

  describe('partitioned tables', () => {
    it('proposes one index on the partitioned table for the scans of all its partitions', () => {
      const partitions = Array.from({ length: 3 }, (_, at) =>
        table(
          `activity_m${at + 1}`,
          20_000,
          { id: { distinct: -1 }, account_id: { distinct: 20_000 } },
          { partitionRoot: { schema: 'public', name: 'activity' } },
        ),
      );
      const parent = table('activity', 60_000, { id: { distinct: -1 }, account_id: { distinct: 20_000 } });
      const append: RawPlanNode = {
        'Node Type': 'Append',
        'Plan Rows': 3,
        'Total Cost': 3000,
        'Actual Rows': 3,
        'Actual Loops': 1,
        'Actual Startup Time': 0,
        'Actual Total Time': 30,
        Plans: partitions.map((partition) =>
          scan(partition.name, '(account_id = 4242)', 1, 19_999, { Alias: `activity_${partition.name.slice(-1)}` }),
        ),
      };
      const suggestions = propose(append, 'SELECT id FROM activity WHERE account_id = 4242', [...partitions, parent]);
      assert.deepEqual(ddl(suggestions), ['CREATE INDEX CONCURRENTLY idx_activity_account_id ON public.activity (account_id);']);
      assert.deepEqual(suggestions[0]!.nodeIds.sort(), [1, 2, 3]);
      assert.ok(suggestions[0]!.kinds.includes('partitioned'));
    });
  });

  describe('parameters and key columns', () => {
    const orders = table('orders', 200_000, {
      id: { distinct: -1 },
      customer_id: { distinct: 20_000 },
      status: { type: 'text', distinct: 5 },
    });
    orders.columns[2]!.stats = {
      nullFraction: 0,
      nDistinct: 5,
      mostCommonValues: ['delivered', 'paid'],
      mostCommonFrequencies: [0.5, 0.2],
    };
    const plan = () => scan('orders', "((status = 'paid'::text) AND (customer_id = 4242))", 2, 199_998);

    it('turns the sample value of a $n into no partial index; a constant written in the SQL may be one', () => {
      const [parameterised] = propose(plan(), 'SELECT id FROM orders WHERE status = $1 AND customer_id = $2', [orders]);
      assert.equal(parameterised!.where, undefined);
      assert.doesNotMatch(parameterised!.ddl, /paid/);
      const [written] = propose(plan(), "SELECT id FROM orders WHERE status = 'paid' AND customer_id = 4242", [orders]);
      assert.equal(written!.where, "status = 'paid'");
    });

    it(`caps the key at ${MAX_KEY_COLUMNS} columns, the most selective first`, () => {
      const names = ['a', 'b', 'c', 'd', 'e', 'f'];
      const facts = table(
        'facts',
        300_000,
        Object.fromEntries([['id', { distinct: -1 }], ...names.map((name, at) => [name, { distinct: 50 - at * 7 }])]),
      );
      const filter = `(${names.map((name) => `(${name} = 1)`).join(' AND ')})`;
      const [suggestion] = propose(
        scan('facts', filter, 1, 299_999),
        `SELECT id FROM facts WHERE ${names.map((name) => `${name} = 1`).join(' AND ')}`,
        [facts],
      );
      assert.deepEqual(
        suggestion!.columns.map((column) => column.name),
        ['a', 'b', 'c', 'd'],
      );
    });
  });
});
