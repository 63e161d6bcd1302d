/**
 * proposeIndexes on hand-built plans and catalog snapshots, one behaviour each. The plans are
 * shaped as PostgreSQL 15 prints them (unqualified own columns in scan filters, aliases in join
 * conditions); test/db/index-advisor.test.ts checks the same against a real server.
 */
import { strict as assert } from 'node:assert';
import type { IndexSuggestion } from '../../../src/core/advice/advice-model';
import type { CatalogIndex, CatalogSnapshot, CatalogTable } from '../../../src/core/advice/catalog-snapshot';
import { preferOnePerNode, proposeIndexes, tablesInPlan, withoutInclude } from '../../../src/core/advice/index-advisor';
import { analyzePlan, type AnalyzedPlan, type RawPlanNode } from '../../../src/core/plan';
import { ensureSqlParser } from '../../../src/core/sql';

interface NodeSpec extends Partial<RawPlanNode> {
  /** Actual rows per loop; leave out for an estimate-only plan. */
  rows?: number;
  /** Rows removed by the Filter per loop. */
  removed?: number;
  loops?: number;
}

function node(type: string, spec: NodeSpec = {}, children: RawPlanNode[] = []): RawPlanNode {
  const { rows, removed, loops = 1, ...raw } = spec;
  const result: RawPlanNode = { 'Node Type': type, 'Plan Rows': rows ?? 100, 'Total Cost': 1000, ...raw };
  if (rows !== undefined) {
    Object.assign(result, { 'Actual Rows': rows, 'Actual Loops': loops, 'Actual Startup Time': 0, 'Actual Total Time': 10 });
    if (removed !== undefined) result['Rows Removed by Filter'] = removed;
  }
  if (children.length > 0) result.Plans = children;
  return result;
}

function seqScan(relation: string, spec: NodeSpec & { alias?: string } = {}): RawPlanNode {
  const { alias, ...rest } = spec;
  return node('Seq Scan', { 'Relation Name': relation, Alias: alias ?? relation, ...rest });
}

function plan(root: RawPlanNode): AnalyzedPlan {
  return analyzePlan({ Plan: root });
}

interface ColumnSpec {
  type?: string;
  /** pg_stats.n_distinct: > 0 a count, < 0 a share of the rows. */
  distinct?: number;
  common?: Array<[string, number]>;
  nullFraction?: number;
}

function table(
  name: string,
  rows: number,
  columns: Record<string, ColumnSpec>,
  indexes: CatalogIndex[] = [],
  schema = 'public',
): CatalogTable {
  return {
    schema,
    name,
    rowEstimate: rows,
    pages: Math.ceil(rows / 100),
    allVisiblePages: Math.ceil(rows / 100),
    columns: Object.entries(columns).map(([column, spec]) => ({
      name: column,
      type: spec.type ?? 'integer',
      notNull: spec.nullFraction === undefined,
      ...(spec.distinct === undefined
        ? {}
        : {
            stats: {
              nullFraction: spec.nullFraction ?? 0,
              nDistinct: spec.distinct,
              mostCommonValues: (spec.common ?? []).map(([value]) => value),
              mostCommonFrequencies: (spec.common ?? []).map(([, frequency]) => frequency),
            },
          }),
    })),
    indexes,
  };
}

function btree(name: string, keys: Array<string | [string, 'desc']>, extra: Partial<CatalogIndex> = {}): CatalogIndex {
  return {
    name,
    method: 'btree',
    unique: false,
    primary: false,
    valid: true,
    keys: keys.map((key) =>
      typeof key === 'string'
        ? { column: key, descending: false, nullsFirst: false }
        : { column: key[0], descending: true, nullsFirst: true },
    ),
    include: [],
    ...extra,
  };
}

function propose(analyzed: AnalyzedPlan, statementSql: string, ...tables: CatalogTable[]): IndexSuggestion[] {
  const catalog: CatalogSnapshot = { tables };
  return proposeIndexes({ plan: analyzed, statementSql, catalog });
}

const ORDERS_COLUMNS: Record<string, ColumnSpec> = {
  id: { distinct: -1 },
  customer_id: { distinct: 20_000 },
  status: {
    type: 'text',
    distinct: 5,
    common: [
      ['delivered', 0.5],
      ['shipped', 0.2],
      ['paid', 0.2],
      ['cancelled', 0.08],
      ['disputed', 0.02],
    ],
  },
  amount: { type: 'numeric(10,2)', distinct: -0.4 },
  ordered_at: { type: 'timestamp with time zone', distinct: -1 },
  note: { type: 'text', distinct: -1 },
};

function orders(indexes: CatalogIndex[] = [], schema = 'public'): CatalogTable {
  return table('orders', 200_000, ORDERS_COLUMNS, indexes, schema);
}

/** One customer's orders: 10 of 200 000 rows. */
const oneCustomerPlan = () => plan(seqScan('orders', { Filter: '(customer_id = 4242)', rows: 10, removed: 199_990 }));
const ONE_CUSTOMER_SQL = 'SELECT * FROM orders WHERE customer_id = 4242';

describe('index advisor', () => {
  before(async () => {
    await ensureSqlParser();
  });

  describe('sequential scans with a selective Filter', () => {
    it("proposes a single-column index, CONCURRENTLY, in the table's schema, unverified", () => {
      const [suggestion, ...rest] = propose(oneCustomerPlan(), ONE_CUSTOMER_SQL, orders());
      assert.equal(rest.length, 0);
      assert.equal(suggestion!.ddl, 'CREATE INDEX CONCURRENTLY idx_orders_customer_id ON public.orders (customer_id);');
      assert.equal(suggestion!.id, 'idx_orders_customer_id');
      assert.deepEqual(suggestion!.kinds, ['single']);
      assert.deepEqual(suggestion!.nodeIds, [0]);
      assert.deepEqual(suggestion!.verification, { method: 'unverified' });
      assert.match(
        suggestion!.reason,
        /Seq Scan on orders \(node 0\) reads 200,000 rows and keeps 10 \(<0\.1%\) with Filter: \(customer_id = 4242\)/,
      );
    });

    it('leaves CONCURRENTLY out on request', () => {
      const catalog = { tables: [orders()] };
      const [suggestion] = proposeIndexes({
        plan: oneCustomerPlan(),
        statementSql: ONE_CUSTOMER_SQL,
        catalog,
        options: { concurrently: false },
      });
      assert.equal(suggestion!.concurrently, false);
      assert.equal(suggestion!.ddl, 'CREATE INDEX idx_orders_customer_id ON public.orders (customer_id);');
    });

    it('proposes nothing for a filter that keeps most rows, nor for a scan without filter', () => {
      const wide = plan(seqScan('orders', { Filter: "(amount > '100'::numeric)", rows: 180_000, removed: 20_000 }));
      assert.deepEqual(propose(wide, 'SELECT * FROM orders WHERE amount > 100', orders()), []);
      const common = plan(seqScan('orders', { Filter: "(status = ANY ('{paid,shipped}'::text[]))", rows: 80_000, removed: 120_000 }));
      assert.deepEqual(propose(common, "SELECT * FROM orders WHERE status IN ('paid', 'shipped')", orders()), []);
      const aggregate = plan(node('HashAggregate', { rows: 5, 'Group Key': ['status'] }, [seqScan('orders', { rows: 200_000 })]));
      assert.deepEqual(propose(aggregate, 'SELECT status, count(*) FROM orders GROUP BY status', orders()), []);
    });

    it('leaves small tables alone', () => {
      const small = table('orders', 2_000, ORDERS_COLUMNS);
      const scan = plan(seqScan('orders', { Filter: '(customer_id = 42)', rows: 1, removed: 1_999 }));
      assert.deepEqual(propose(scan, 'SELECT * FROM orders WHERE customer_id = 42', small), []);
    });

    it('puts equality columns first, most selective first, then the range column', () => {
      const events = table('events', 300_000, {
        id: { distinct: -1 },
        account_id: { distinct: 300 },
        kind: { type: 'text', distinct: 40, common: [['kind 7', 0.025]] },
        created_at: { type: 'timestamp with time zone', distinct: -1 },
      });
      const scan = plan(
        seqScan('events', {
          Filter: "((kind = 'kind 7'::text) AND (created_at >= '2024-03-01 00:00:00+00'::timestamp with time zone) AND (account_id = 17))",
          rows: 5,
          removed: 299_995,
        }),
      );
      const [suggestion] = propose(
        scan,
        "SELECT id FROM events WHERE kind = 'kind 7' AND created_at >= '2024-03-01' AND account_id = 17",
        events,
      );
      assert.deepEqual(
        suggestion!.columns.map((column) => column.name),
        ['account_id', 'kind', 'created_at'],
      );
      assert.deepEqual(suggestion!.kinds, ['compound']);
      assert.equal(suggestion!.name, 'idx_events_account_id_kind_created_at');
    });

    it('reads IN lists as equality', () => {
      const scan = plan(seqScan('orders', { Filter: "(customer_id = ANY ('{17,4242,9001}'::integer[]))", rows: 30, removed: 199_970 }));
      const [suggestion] = propose(scan, 'SELECT * FROM orders WHERE customer_id IN (17, 4242, 9001)', orders());
      assert.deepEqual(suggestion!.columns, [{ name: 'customer_id', descending: false }]);
    });

    it('quotes columns that need it in the DDL and keeps the name plain', () => {
      const accounts = table('accounts', 100_000, { id: { distinct: -1 }, user: { distinct: 50_000 } });
      const scan = plan(seqScan('accounts', { Filter: '("user" = 42)', rows: 2, removed: 99_998 }));
      const [suggestion] = propose(scan, 'SELECT * FROM accounts WHERE "user" = 42', accounts);
      assert.equal(suggestion!.ddl, 'CREATE INDEX CONCURRENTLY idx_accounts_user ON public.accounts ("user");');
    });

    it('works from estimates alone (EXPLAIN without ANALYZE)', () => {
      const estimated = plan(seqScan('orders', { Filter: '(customer_id = 4242)', 'Plan Rows': 10 }));
      assert.equal(estimated.analyzed, false);
      const [suggestion] = propose(estimated, ONE_CUSTOMER_SQL, orders());
      assert.equal(suggestion!.name, 'idx_orders_customer_id');
    });
  });

  describe('partial indexes', () => {
    const subscriptions = (indexes: CatalogIndex[] = []) =>
      table(
        'subscriptions',
        250_000,
        {
          id: { distinct: -1 },
          user_id: { distinct: -0.35 },
          is_trial: {
            type: 'boolean',
            distinct: 2,
            common: [
              ['f', 0.97],
              ['t', 0.03],
            ],
          },
          expires_at: { type: 'timestamp with time zone', distinct: -1 },
        },
        indexes,
      );
    const trialsPlan = () =>
      plan(
        seqScan('subscriptions', {
          Filter: "(is_trial AND (expires_at < '2024-02-15 00:00:00+00'::timestamp with time zone))",
          rows: 300,
          removed: 249_700,
        }),
      );
    const TRIALS_SQL = "SELECT id, user_id, expires_at FROM subscriptions WHERE is_trial AND expires_at < '2024-02-15'";

    it('moves a constant boolean into the WHERE of a partial index', () => {
      const [suggestion] = propose(trialsPlan(), TRIALS_SQL, subscriptions());
      assert.equal(
        suggestion!.ddl,
        'CREATE INDEX CONCURRENTLY idx_subscriptions_expires_at_where_is_trial ON public.subscriptions (expires_at) WHERE is_trial;',
      );
      assert.equal(suggestion!.where, 'is_trial');
      assert.deepEqual(suggestion!.kinds, ['single', 'partial']);
    });

    it('moves an equality with a common value of a low-cardinality column into the WHERE', () => {
      const scan = plan(
        seqScan('orders', { Filter: "((status = 'disputed'::text) AND (amount > '900'::numeric))", rows: 400, removed: 199_600 }),
      );
      const [suggestion] = propose(scan, "SELECT id FROM orders WHERE status = 'disputed' AND amount > 900", orders());
      assert.equal(
        suggestion!.ddl,
        "CREATE INDEX CONCURRENTLY idx_orders_amount_where_status_disputed ON public.orders (amount) WHERE status = 'disputed';",
      );
    });

    it('keeps a low-cardinality equality in the key when it is the only predicate', () => {
      const scan = plan(seqScan('orders', { Filter: "(status = 'disputed'::text)", rows: 4_000, removed: 196_000 }));
      const [suggestion] = propose(scan, "SELECT id FROM orders WHERE status = 'disputed'", orders());
      assert.deepEqual(suggestion!.columns, [{ name: 'status', descending: false }]);
      assert.equal(suggestion!.where, undefined);
    });

    it('writes NULL tests as partial predicates', () => {
      const tasks = table('tasks', 200_000, {
        id: { distinct: -1 },
        project_id: { distinct: 500 },
        closed_at: { type: 'timestamp with time zone', distinct: -0.96, nullFraction: 0.04 },
      });
      const scan = plan(seqScan('tasks', { Filter: '((closed_at IS NULL) AND (project_id = 42))', rows: 16, removed: 199_984 }));
      const [suggestion] = propose(scan, 'SELECT id FROM tasks WHERE closed_at IS NULL AND project_id = 42', tasks);
      assert.equal(
        suggestion!.ddl,
        'CREATE INDEX CONCURRENTLY idx_tasks_project_id_where_closed_at_null ON public.tasks (project_id) WHERE closed_at IS NULL;',
      );
    });

    it('counts an existing partial index only when its predicate is the same', () => {
      const same = btree('subscriptions_trial_expiry', ['expires_at'], { predicate: 'is_trial' });
      assert.deepEqual(propose(trialsPlan(), TRIALS_SQL, subscriptions([same])), []);
      const spelledOut = btree('subscriptions_trial_expiry', ['expires_at'], { predicate: '(is_trial = true)' });
      assert.deepEqual(propose(trialsPlan(), TRIALS_SQL, subscriptions([spelledOut])), []);
      const other = btree('subscriptions_paid_expiry', ['expires_at'], { predicate: '(NOT is_trial)' });
      assert.equal(propose(trialsPlan(), TRIALS_SQL, subscriptions([other])).length, 1);
    });
  });

  describe('sorts under a Limit (top-N)', () => {
    const products = table('products', 200_000, {
      id: { distinct: -1 },
      category_id: { distinct: 200 },
      is_active: {
        type: 'boolean',
        distinct: 2,
        common: [
          ['t', 0.7],
          ['f', 0.3],
        ],
      },
      price: { type: 'numeric(10,2)', distinct: -0.4 },
      name: { type: 'text', distinct: -1 },
      created_at: { type: 'timestamp with time zone', distinct: -1 },
    });
    const categories = table('categories', 200, { id: { distinct: -1 }, name: { type: 'text', distinct: -1 } });
    const DEMO_SQL =
      'SELECT p.*, c.name AS category_name FROM products p JOIN categories c ON p.category_id = c.id ' +
      'WHERE p.is_active = true AND p.price > 10000 ORDER BY p.created_at DESC LIMIT 20';
    const demoPlan = () =>
      plan(
        node('Limit', { rows: 20 }, [
          node('Gather Merge', { rows: 20, 'Workers Planned': 2, 'Workers Launched': 2 }, [
            node('Sort', { rows: 20, loops: 3, 'Sort Key': ['p.created_at DESC'] }, [
              node('Hash Join', { rows: 7_800, loops: 3, 'Hash Cond': '(p.category_id = c.id)' }, [
                seqScan('products', {
                  alias: 'p',
                  'Parallel Aware': true,
                  Filter: "(is_active AND (price > '10000'::numeric))",
                  rows: 7_800,
                  removed: 58_866,
                  loops: 3,
                }),
                node('Hash', { rows: 200, loops: 3 }, [seqScan('categories', { alias: 'c', rows: 200, loops: 3 })]),
              ]),
            ]),
          ]),
        ]),
      );

    it('proposes an index in ORDER BY order, partial on the constant boolean, first', () => {
      const suggestions = propose(demoPlan(), DEMO_SQL, products, categories);
      assert.equal(
        suggestions[0]!.ddl,
        'CREATE INDEX CONCURRENTLY idx_products_created_at_where_is_active ON public.products (created_at DESC) WHERE is_active;',
      );
      assert.deepEqual(suggestions[0]!.nodeIds, [0, 2, 4]);
      assert.match(suggestions[0]!.reason, /Limit \(node 0\) keeps the first 20 rows of a Sort on p\.created_at DESC \(node 2\)/);
      assert.ok(
        suggestions.every((suggestion) => suggestion.table === 'products'),
        'the 200 categories need no index, and looking up every category would read every product',
      );
      assert.deepEqual(
        preferOnePerNode(suggestions).map((suggestion) => suggestion.name),
        ['idx_products_created_at_where_is_active'],
        'the filter index for the same scan is the weaker alternative',
      );
    });

    it('keeps equality columns ahead of the sort columns and the sort directions and NULLS order', () => {
      const posts = table('posts', 200_000, {
        id: { distinct: -1 },
        author_id: { distinct: 100 },
        published_at: { type: 'timestamp with time zone', distinct: -1, nullFraction: 0.01 },
      });
      const topN = plan(
        node('Limit', { rows: 10 }, [
          node('Sort', { rows: 10, 'Sort Key': ['published_at DESC NULLS LAST', 'id'] }, [
            seqScan('posts', { Filter: '(author_id = 42)', rows: 2_000, removed: 198_000 }),
          ]),
        ]),
      );
      const suggestions = propose(
        topN,
        'SELECT * FROM posts WHERE author_id = 42 ORDER BY published_at DESC NULLS LAST, id LIMIT 10',
        posts,
      );
      assert.equal(suggestions.length, 1, 'the index on author_id alone is a prefix of the one in ORDER BY order');
      const sorted = suggestions[0]!;
      assert.deepEqual(sorted.nodeIds, [0, 1, 2]);
      assert.equal(
        sorted.ddl,
        'CREATE INDEX CONCURRENTLY idx_posts_author_id_published_at_id ON public.posts (author_id, published_at DESC NULLS LAST, id);',
      );
      assert.deepEqual(sorted.columns[1], { name: 'published_at', descending: true, nullsFirst: false });
    });

    it('skips a top-N over few rows', () => {
      const small = plan(
        node('Limit', { rows: 10 }, [
          node('Sort', { rows: 10, 'Sort Key': ['created_at DESC'] }, [seqScan('products', { rows: 500, removed: 0 })]),
        ]),
      );
      assert.deepEqual(propose(small, 'SELECT * FROM products ORDER BY created_at DESC LIMIT 10', products), []);
    });

    it('does not re-propose an existing index, even one in the opposite direction', () => {
      const existing = btree('products_created_at_idx', ['created_at'], { predicate: 'is_active' });
      const suggestions = propose(demoPlan(), DEMO_SQL, { ...products, indexes: [existing] }, categories);
      assert.ok(suggestions.every((suggestion) => suggestion.columns[0]!.name !== 'created_at'));
    });
  });

  describe('covering indexes', () => {
    const sales = table('sales', 300_000, {
      id: { distinct: -1 },
      sold_on: { type: 'date', distinct: 730 },
      customer_id: { distinct: 20_000 },
      amount: { distinct: 500 },
      channel: { type: 'text', distinct: 4 },
      details: { type: 'text', distinct: -1 },
    });
    const rangePlan = () =>
      plan(
        seqScan('sales', {
          Filter: "((sold_on >= '2024-02-01'::date) AND (sold_on <= '2024-02-10'::date))",
          rows: 4_100,
          removed: 295_900,
        }),
      );

    it('includes the other selected columns when they are few', () => {
      const [suggestion] = propose(
        rangePlan(),
        "SELECT customer_id, amount FROM sales WHERE sold_on BETWEEN '2024-02-01' AND '2024-02-10'",
        sales,
      );
      assert.equal(suggestion!.ddl, 'CREATE INDEX CONCURRENTLY idx_sales_sold_on ON public.sales (sold_on) INCLUDE (customer_id, amount);');
      assert.deepEqual(suggestion!.kinds, ['single', 'covering']);
      assert.deepEqual(withoutInclude(suggestion!).ddl, 'CREATE INDEX CONCURRENTLY idx_sales_sold_on ON public.sales (sold_on);');
      assert.doesNotMatch(withoutInclude(suggestion!).reason, /INCLUDE/);
      assert.deepEqual(withoutInclude(suggestion!).kinds, ['single']);
    });

    it('includes nothing for SELECT *, t.*, too many columns, or a write', () => {
      const between = "sold_on BETWEEN '2024-02-01' AND '2024-02-10'";
      for (const sql of [
        `SELECT * FROM sales WHERE ${between}`,
        `SELECT s.* FROM sales s WHERE ${between}`,
        `SELECT customer_id, amount, channel, details FROM sales WHERE ${between}`,
        `DELETE FROM sales WHERE ${between}`,
      ]) {
        const [suggestion] = propose(rangePlan(), sql, sales);
        assert.deepEqual(suggestion!.include, [], sql);
      }
    });
  });

  describe('joins', () => {
    const customers = table(
      'customers',
      20_000,
      { id: { distinct: -1 }, email: { type: 'text', distinct: -1 }, name: { type: 'text', distinct: -1 } },
      [btree('customers_pkey', ['id'], { unique: true, primary: true }), btree('customers_email_key', ['email'], { unique: true })],
    );

    it('proposes the join key of a large table a Hash Join reads in full to match a few rows', () => {
      const joined = plan(
        node('Hash Join', { rows: 12, 'Hash Cond': '(o.customer_id = c.id)' }, [
          seqScan('orders', { alias: 'o', rows: 200_000 }),
          node('Hash', { rows: 1 }, [
            node('Index Scan', {
              'Relation Name': 'customers',
              Alias: 'c',
              'Index Name': 'customers_email_key',
              'Index Cond': "(email = 'customer4242@example.com'::text)",
              rows: 1,
            }),
          ]),
        ]),
      );
      const suggestions = propose(
        joined,
        "SELECT o.id, o.amount FROM shop.customers c JOIN shop.orders o ON o.customer_id = c.id WHERE c.email = 'customer4242@example.com'",
        orders([], 'shop'),
        { ...customers, schema: 'shop' },
      );
      assert.equal(suggestions.length, 1);
      assert.equal(suggestions[0]!.ddl, 'CREATE INDEX CONCURRENTLY idx_orders_customer_id ON shop.orders (customer_id);');
      assert.deepEqual(suggestions[0]!.nodeIds, [0, 1]);
      assert.match(suggestions[0]!.reason, /Hash Join \(node 0\) reads 200,000 rows of orders .* to match 1 row on customer_id = c\.id/);
    });

    it('proposes the join key of the inner side of a Nested Loop', () => {
      const logins = table('logins', 200_000, { id: { distinct: -1 }, account_id: { distinct: 50_000 }, at: { distinct: -1 } });
      const accounts = table('accounts', 50_000, {
        id: { distinct: -1 },
        flagged: {
          type: 'boolean',
          distinct: 2,
          common: [
            ['f', 0.9996],
            ['t', 0.0004],
          ],
        },
      });
      const loop = plan(
        node('Nested Loop', { rows: 80, 'Join Filter': '(l.account_id = a.id)', 'Rows Removed by Join Filter': 3_999_920 }, [
          seqScan('accounts', { alias: 'a', Filter: 'flagged', rows: 20, removed: 49_980 }),
          node('Materialize', { rows: 200_000, loops: 20 }, [seqScan('logins', { alias: 'l', rows: 200_000 })]),
        ]),
      );
      const suggestions = propose(
        loop,
        'SELECT a.id, l.at FROM accounts a JOIN logins l ON l.account_id = a.id WHERE a.flagged',
        logins,
        accounts,
      );
      const join = suggestions.find((suggestion) => suggestion.table === 'logins');
      assert.ok(join, 'an index on the inner join key');
      assert.deepEqual(join.columns, [{ name: 'account_id', descending: false }]);
      assert.deepEqual(join.nodeIds, [0, 3]);
    });

    it('extends an index whose scan still filters most rows away into a compound index', () => {
      const ledger = table(
        'ledger',
        300_000,
        { id: { distinct: -1 }, account_id: { distinct: 20 }, kind: { distinct: 400 }, amount: { distinct: 10_000 } },
        [btree('ledger_account_id_idx', ['account_id'])],
      );
      const scanned = plan(
        node('Index Scan', {
          'Relation Name': 'ledger',
          Alias: 'ledger',
          'Index Name': 'ledger_account_id_idx',
          'Index Cond': '(account_id = 7)',
          Filter: '(kind = 123)',
          rows: 38,
          removed: 14_962,
        }),
      );
      const [suggestion] = propose(scanned, 'SELECT id, amount FROM ledger WHERE account_id = 7 AND kind = 123', ledger);
      assert.equal(suggestion!.ddl, 'CREATE INDEX CONCURRENTLY idx_ledger_kind_account_id ON public.ledger (kind, account_id);');
      assert.match(suggestion!.reason, /Index Scan using ledger_account_id_idx on ledger \(node 0\) finds 15,000 rows/);
    });
  });

  describe('existing indexes', () => {
    it('never re-proposes an index that exists, or one an existing index covers by its leading columns', () => {
      assert.deepEqual(propose(oneCustomerPlan(), ONE_CUSTOMER_SQL, orders([btree('orders_customer_id_idx', ['customer_id'])])), []);
      assert.deepEqual(
        propose(oneCustomerPlan(), ONE_CUSTOMER_SQL, orders([btree('orders_customer_status', ['customer_id', 'status'])])),
        [],
      );
    });

    it('still proposes it when the existing index leads with another column, is invalid, partial, an expression or no B-tree', () => {
      const notCovering = [
        btree('orders_status_customer', ['status', 'customer_id']),
        btree('orders_customer_id_idx', ['customer_id'], { valid: false }),
        btree('orders_customer_paid', ['customer_id'], { predicate: "(status = 'paid'::text)" }),
        { ...btree('orders_customer_expr', []), keys: [{ expression: '(customer_id + 1)', descending: false, nullsFirst: false }] },
        { ...btree('orders_customer_hash', ['customer_id']), method: 'hash' },
      ];
      for (const index of notCovering) {
        assert.equal(propose(oneCustomerPlan(), ONE_CUSTOMER_SQL, orders([index])).length, 1, index.name);
      }
    });

    it('picks a name no existing index of the schema has', () => {
      const [suggestion] = propose(oneCustomerPlan(), ONE_CUSTOMER_SQL, orders([btree('idx_orders_customer_id', ['status'])]));
      assert.equal(suggestion!.name, 'idx_orders_customer_id_2');
    });
  });

  describe('tablesInPlan', () => {
    it('lists each scanned table once, with the schema the statement gives it', () => {
      const joined = plan(
        node('Hash Join', { 'Hash Cond': '(o.customer_id = c.id)' }, [
          seqScan('orders', { alias: 'o' }),
          node('Hash', {}, [seqScan('customers', { alias: 'c' })]),
        ]),
      );
      assert.deepEqual(tablesInPlan(joined, 'SELECT * FROM shop.orders o JOIN customers c ON o.customer_id = c.id'), [
        { schema: 'shop', table: 'orders' },
        { table: 'customers' },
      ]);
    });

    it('finds the schema of the target of a write', () => {
      const deleting = plan(
        node('ModifyTable', { Operation: 'Delete', 'Relation Name': 'api_tokens' }, [
          seqScan('api_tokens', { Filter: "(token = 'x'::text)" }),
        ]),
      );
      assert.deepEqual(tablesInPlan(deleting, "DELETE FROM app.api_tokens WHERE token = 'x'"), [{ schema: 'app', table: 'api_tokens' }]);
    });
  });
});
