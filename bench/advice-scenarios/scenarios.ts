/**
 * Index advice scenarios: a schema with data, a query, and whether some index can make the query
 * much faster. The benchmark (bench/advice-scenarios.ts) runs them all; the PostgreSQL tests
 * (test/db/index-advisor.test.ts) reuse some.
 *
 * Every value is arithmetic on the row number (multiplicative hashing for spread), never
 * random(), so every build has the same rows and the same plans. Rows are inserted in hashed
 * order wherever a column would otherwise follow the physical order, because an index on a
 * column that matches the table's order is unrealistically cheap.
 */

/** The index form a scenario exercises; `none` when no index can help. */
export type ScenarioForm =
  | 'single-column'
  | 'in-list'
  | 'compound-equality-range'
  | 'compound-sort'
  | 'partial'
  | 'covering'
  | 'desc-sort'
  | 'top-n'
  | 'join-key'
  | 'index-filter'
  | 'write'
  | 'expression'
  | 'pattern'
  | 'trigram'
  | 'jsonb'
  | 'or-branches'
  | 'subplan'
  | 'partitioned'
  | 'parameterised'
  | 'key-cap'
  | 'none';

export interface AdviceScenario {
  /** Unique; the scenario's schema is `advisor_<name with - as _>`. */
  name: string;
  form: ScenarioForm;
  /** Whether an index can speed the query up many times over. */
  canHelp: boolean;
  description: string;
  /** Creates and fills the tables, schema-qualified with `schema`. VACUUM ANALYZE follows. */
  setup(schema: string): string;
  query(schema: string): string;
  /** For scenarios an index helps: the table the top suggestion should index. */
  indexedTable?: string;
  /** Values for the query's $1, $2, ... */
  values?: string[];
  /** Extensions the scenario needs in the database, created before and dropped after. */
  extensions?: string[];
}

/** A pseudo-random fraction in [0, 1) from the integer expression `n`: Knuth's multiplicative hash. */
export function fraction(n: string, multiplier = 2654435761): string {
  return `(mod((${n})::bigint * ${multiplier}, 4294967296)::float8 / 4294967296)`;
}

/** A pseudo-random integer in [1, max] from `n`. */
function pick(n: string, max: number, multiplier?: number): string {
  return `(1 + floor(${max} * ${fraction(n, multiplier)})::int)`;
}

/** The row numbers 1..rows in a hashed order, so that no column follows the physical order. */
function shuffled(rows: number): string {
  return `(SELECT g AS i FROM generate_series(1, ${rows}) g ORDER BY ${fraction('g', 2246822519)}) s`;
}

/** orders: 200k rows, customer_id 1..20 000 (about 10 each), 5 statuses, amounts 1..1000, dates over 2 years. */
function ordersTable(schema: string, rows = 200_000): string {
  return `
    CREATE TABLE ${schema}.orders (
      id int PRIMARY KEY,
      customer_id int NOT NULL,
      status text NOT NULL,
      amount numeric(10, 2) NOT NULL,
      ordered_at timestamptz NOT NULL,
      note text NOT NULL
    );
    INSERT INTO ${schema}.orders
    SELECT i,
           ${pick('i', 20_000)},
           (ARRAY['delivered', 'delivered', 'delivered', 'shipped', 'paid', 'paid', 'cancelled', 'delivered', 'shipped', 'delivered'])[${pick('i', 10, 40503)}],
           round((1 + 999 * ${fraction('i', 2246822519)})::numeric, 2),
           timestamptz '2023-01-01 00:00:00+00' + make_interval(secs => floor(63072000 * ${fraction('i', 3266489917)})::int),
           'order note ' || i
    FROM ${shuffled(rows)};`;
}

/** users: 200k rows, e-mail addresses in mixed case. */
function usersTable(schema: string): string {
  return `
    CREATE TABLE ${schema}.users (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL);
    INSERT INTO ${schema}.users
    SELECT i, CASE WHEN i % 2 = 0 THEN 'User' ELSE 'user' END || i || '@Example.com', 'name ' || i
    FROM ${shuffled(200_000)};`;
}

/** readings: 400k rows over a year, timestamp without time zone (date_trunc and ::date of it are immutable). */
function readingsTable(schema: string): string {
  return `
    CREATE TABLE ${schema}.readings (id int PRIMARY KEY, sensor_id int NOT NULL, taken_at timestamp NOT NULL, value float8 NOT NULL);
    INSERT INTO ${schema}.readings
    SELECT i, ${pick('i', 100)}, timestamp '2024-01-01' + make_interval(secs => floor(31536000 * ${fraction('i', 3266489917)})::int),
           ${fraction('i', 40503)} * 100
    FROM ${shuffled(400_000)};`;
}

/** product_codes: 300k codes like 'XY123-456' with the given collation. */
function productCodesTable(schema: string, collation: string): string {
  return `
    CREATE TABLE ${schema}.product_codes (id int PRIMARY KEY, code text COLLATE "${collation}" NOT NULL, label text NOT NULL);
    INSERT INTO ${schema}.product_codes
    SELECT i, chr(65 + ${pick('i', 26)} - 1) || chr(65 + ${pick('i', 26, 40503)} - 1) || ${pick('i', 999, 2246822519)} || '-' || i, 'label ' || i
    FROM ${shuffled(300_000)};`;
}

/** items: 200k rows with JSONB attributes: size common, color mostly common, a rare teal and a rare gift_wrap key. */
function itemsTable(schema: string): string {
  return `
    CREATE TABLE ${schema}.items (id int PRIMARY KEY, attrs jsonb NOT NULL);
    INSERT INTO ${schema}.items
    SELECT i, jsonb_build_object(
             'size', (ARRAY['S', 'M', 'M', 'L'])[${pick('i', 4)}],
             'color', CASE WHEN ${fraction('i', 40503)} < 0.002 THEN 'teal' ELSE (ARRAY['red', 'blue', 'black'])[${pick('i', 3, 2246822519)}] END
           ) || CASE WHEN ${fraction('i', 3266489917)} < 0.002 THEN '{"gift_wrap": true}'::jsonb ELSE '{}'::jsonb END
    FROM ${shuffled(200_000)};`;
}

export const ADVICE_SCENARIOS: readonly AdviceScenario[] = [
  {
    name: 'single-column',
    form: 'single-column',
    canHelp: true,
    description: "one customer's orders: equality on a high-cardinality column",
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT * FROM ${schema}.orders WHERE customer_id = 4242`,
    indexedTable: 'orders',
  },
  {
    name: 'in-list',
    form: 'in-list',
    canHelp: true,
    description: 'orders of a handful of customers: IN list',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT id, customer_id, amount FROM ${schema}.orders WHERE customer_id IN (17, 4242, 9001, 15000)`,
    indexedTable: 'orders',
  },
  {
    name: 'compound-equality-range',
    form: 'compound-equality-range',
    canHelp: true,
    description: "one account's events in one month: equality then range",
    setup: (schema) => `
      CREATE TABLE ${schema}.events (
        id int PRIMARY KEY,
        account_id int NOT NULL,
        kind text NOT NULL,
        created_at timestamptz NOT NULL,
        payload text NOT NULL
      );
      INSERT INTO ${schema}.events
      SELECT i, ${pick('i', 300)}, 'kind ' || ${pick('i', 40, 40503)},
             timestamptz '2023-01-01 00:00:00+00' + make_interval(secs => floor(63072000 * ${fraction('i', 3266489917)})::int),
             repeat('x', 40)
      FROM ${shuffled(300_000)};`,
    query: (schema) =>
      `SELECT id, kind, created_at FROM ${schema}.events WHERE account_id = 17 AND created_at >= '2024-03-01' AND created_at < '2024-04-01'`,
    indexedTable: 'events',
  },
  {
    name: 'compound-sort',
    form: 'compound-sort',
    canHelp: true,
    description: 'latest updates of one project: equality then ORDER BY, with LIMIT',
    setup: (schema) => `
      CREATE TABLE ${schema}.tickets (
        id int PRIMARY KEY,
        project_id int NOT NULL,
        title text NOT NULL,
        updated_at timestamptz NOT NULL
      );
      INSERT INTO ${schema}.tickets
      SELECT i, ${pick('i', 50)}, 'ticket ' || i,
             timestamptz '2023-01-01 00:00:00+00' + make_interval(secs => floor(63072000 * ${fraction('i', 3266489917)})::int)
      FROM ${shuffled(200_000)};`,
    query: (schema) => `SELECT id, title, updated_at FROM ${schema}.tickets WHERE project_id = 42 ORDER BY updated_at LIMIT 50`,
    indexedTable: 'tickets',
  },
  {
    name: 'partial-boolean',
    form: 'partial',
    canHelp: true,
    description: 'trials expiring soon: a rare boolean flag with a range',
    setup: (schema) => `
      CREATE TABLE ${schema}.subscriptions (
        id int PRIMARY KEY,
        user_id int NOT NULL,
        is_trial boolean NOT NULL,
        expires_at timestamptz NOT NULL,
        plan text NOT NULL
      );
      INSERT INTO ${schema}.subscriptions
      SELECT i, ${pick('i', 100_000)}, ${fraction('i', 40503)} < 0.03,
             timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => floor(31536000 * ${fraction('i', 3266489917)})::int),
             'plan ' || ${pick('i', 5, 2246822519)}
      FROM ${shuffled(250_000)};`,
    query: (schema) => `SELECT id, user_id, expires_at FROM ${schema}.subscriptions WHERE is_trial AND expires_at < '2024-02-15'`,
    indexedTable: 'subscriptions',
  },
  {
    name: 'partial-status',
    form: 'partial',
    canHelp: true,
    description: 'large disputed payments: a rare status of a low-cardinality column with a range',
    setup: (schema) => `
      CREATE TABLE ${schema}.payments (
        id int PRIMARY KEY,
        status text NOT NULL,
        amount int NOT NULL,
        paid_at timestamptz NOT NULL
      );
      INSERT INTO ${schema}.payments
      SELECT i,
             CASE WHEN ${fraction('i', 40503)} < 0.02 THEN 'disputed' ELSE (ARRAY['settled', 'settled', 'pending', 'refunded'])[${pick('i', 4, 3266489917)}] END,
             ${pick('i', 1000, 2246822519)},
             timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i * 60)
      FROM ${shuffled(250_000)};`,
    query: (schema) => `SELECT id, amount FROM ${schema}.payments WHERE status = 'disputed' AND amount > 900`,
    indexedTable: 'payments',
  },
  {
    name: 'is-null',
    form: 'partial',
    canHelp: true,
    description: 'open tasks of one project: IS NULL on a mostly-filled column, with equality',
    setup: (schema) => `
      CREATE TABLE ${schema}.tasks (
        id int PRIMARY KEY,
        project_id int NOT NULL,
        closed_at timestamptz,
        title text NOT NULL
      );
      INSERT INTO ${schema}.tasks
      SELECT i, ${pick('i', 500)},
             CASE WHEN ${fraction('i', 40503)} < 0.04 THEN NULL
                  ELSE timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i * 60) END,
             'task ' || i
      FROM ${shuffled(200_000)};`,
    query: (schema) => `SELECT id, title FROM ${schema}.tasks WHERE closed_at IS NULL AND project_id = 42`,
    indexedTable: 'tasks',
  },
  {
    name: 'covering',
    form: 'covering',
    canHelp: true,
    description: 'three days of sales, two columns: a range where INCLUDE allows an index-only scan',
    setup: (schema) => `
      CREATE TABLE ${schema}.sales (
        id int PRIMARY KEY,
        sold_on date NOT NULL,
        customer_id int NOT NULL,
        amount int NOT NULL,
        channel text NOT NULL,
        details text NOT NULL
      );
      INSERT INTO ${schema}.sales
      SELECT i, date '2023-01-01' + floor(730 * ${fraction('i', 3266489917)})::int, ${pick('i', 20_000)},
             ${pick('i', 500, 40503)}, 'channel ' || ${pick('i', 4, 2246822519)}, repeat('d', 60)
      FROM ${shuffled(400_000)};`,
    query: (schema) => `SELECT customer_id, amount FROM ${schema}.sales WHERE sold_on BETWEEN '2024-02-01' AND '2024-02-03'`,
    indexedTable: 'sales',
  },
  {
    name: 'desc-sort',
    form: 'desc-sort',
    canHelp: true,
    description: 'newest posts: ORDER BY ... DESC LIMIT without a filter',
    setup: (schema) => `
      CREATE TABLE ${schema}.posts (
        id int PRIMARY KEY,
        author_id int NOT NULL,
        published_at timestamptz NOT NULL,
        title text NOT NULL
      );
      INSERT INTO ${schema}.posts
      SELECT i, ${pick('i', 5000)},
             timestamptz '2020-01-01 00:00:00+00' + make_interval(secs => floor(157680000 * ${fraction('i', 3266489917)})::int),
             'post ' || i
      FROM ${shuffled(200_000)};`,
    query: (schema) => `SELECT id, title, published_at FROM ${schema}.posts ORDER BY published_at DESC LIMIT 10`,
    indexedTable: 'posts',
  },
  {
    name: 'top-n',
    form: 'top-n',
    canHelp: true,
    description: 'leaderboard: top 25 by score, ties by id, under LIMIT',
    setup: (schema) => `
      CREATE TABLE ${schema}.players (
        id int PRIMARY KEY,
        name text NOT NULL,
        score int NOT NULL,
        region text NOT NULL
      );
      INSERT INTO ${schema}.players
      SELECT i, 'player ' || i, ${pick('i', 1_000_000, 40503)}, (ARRAY['eu', 'us', 'apac'])[${pick('i', 3)}]
      FROM ${shuffled(200_000)};`,
    query: (schema) => `SELECT id, name, score FROM ${schema}.players ORDER BY score DESC, id LIMIT 25`,
    indexedTable: 'players',
  },
  {
    name: 'top-n-filtered',
    form: 'top-n',
    canHelp: true,
    description: 'active products above a price, newest first (the demo query): top-N with a partial index',
    setup: (schema) => `
      CREATE TABLE ${schema}.categories (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO ${schema}.categories SELECT i, 'category ' || i FROM generate_series(1, 200) i;
      CREATE TABLE ${schema}.products (
        id int PRIMARY KEY,
        category_id int NOT NULL REFERENCES ${schema}.categories (id),
        is_active boolean NOT NULL,
        price numeric(10, 2) NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL
      );
      INSERT INTO ${schema}.products
      SELECT i, ${pick('i', 200)}, ${fraction('i', 40503)} < 0.7,
             round((1 + 19999 * power(${fraction('i', 2246822519)}, 4))::numeric, 2), 'product ' || i,
             timestamptz '2022-01-01 00:00:00+00' + make_interval(secs => floor(94608000 * ${fraction('i', 3266489917)})::int)
      FROM ${shuffled(200_000)};`,
    query: (schema) =>
      `SELECT p.*, c.name AS category_name FROM ${schema}.products p JOIN ${schema}.categories c ON p.category_id = c.id ` +
      'WHERE p.is_active = true AND p.price > 10000 ORDER BY p.created_at DESC LIMIT 20',
    indexedTable: 'products',
  },
  {
    name: 'join-key',
    form: 'join-key',
    canHelp: true,
    description: 'one customer (found by e-mail) and their orders: the join key on the large side',
    setup: (schema) => `
      CREATE TABLE ${schema}.customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL);
      INSERT INTO ${schema}.customers SELECT i, 'customer' || i || '@example.com', 'Customer ' || i FROM generate_series(1, 20000) i;
      ${ordersTable(schema, 250_000)}`,
    query: (schema) =>
      `SELECT o.id, o.amount, o.ordered_at FROM ${schema}.customers c JOIN ${schema}.orders o ON o.customer_id = c.id ` +
      "WHERE c.email = 'customer4242@example.com'",
    indexedTable: 'orders',
  },
  {
    name: 'nested-loop-inner',
    form: 'join-key',
    canHelp: true,
    description: 'a few flagged accounts and their events: a nested loop re-reading the inner table',
    setup: (schema) => `
      CREATE TABLE ${schema}.accounts (id int PRIMARY KEY, flagged boolean NOT NULL, name text NOT NULL);
      INSERT INTO ${schema}.accounts SELECT i, i % 2500 = 0, 'account ' || i FROM generate_series(1, 50000) i;
      CREATE TABLE ${schema}.logins (id int PRIMARY KEY, account_id int NOT NULL, at timestamptz NOT NULL, ip text NOT NULL);
      INSERT INTO ${schema}.logins
      SELECT i, ${pick('i', 50_000)}, timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i * 13), '10.0.0.' || (i % 250)
      FROM ${shuffled(200_000)};`,
    query: (schema) => `SELECT a.name, l.at, l.ip FROM ${schema}.accounts a JOIN ${schema}.logins l ON l.account_id = a.id WHERE a.flagged`,
    indexedTable: 'logins',
  },
  {
    name: 'index-filter',
    form: 'index-filter',
    canHelp: true,
    description: 'an index on the account finds thousands of rows that a kind filter then throws away',
    setup: (schema) => `
      CREATE TABLE ${schema}.ledger (
        id int PRIMARY KEY,
        account_id int NOT NULL,
        kind int NOT NULL,
        amount int NOT NULL,
        booked_at timestamptz NOT NULL
      );
      INSERT INTO ${schema}.ledger
      SELECT i, ${pick('i', 20)}, ${pick('i', 400, 40503)}, ${pick('i', 10_000, 2246822519)},
             timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i * 30)
      FROM ${shuffled(300_000)};
      CREATE INDEX ledger_account_id_idx ON ${schema}.ledger (account_id);`,
    query: (schema) => `SELECT id, amount, booked_at FROM ${schema}.ledger WHERE account_id = 7 AND kind = 123`,
    indexedTable: 'ledger',
  },
  {
    name: 'delete-by-key',
    form: 'write',
    canHelp: true,
    description: 'DELETE of one API token by its value: the index serves writes too',
    setup: (schema) => `
      CREATE TABLE ${schema}.api_tokens (id int PRIMARY KEY, token text NOT NULL, user_id int NOT NULL, seen_at timestamptz NOT NULL);
      INSERT INTO ${schema}.api_tokens
      SELECT i, md5(i::text), ${pick('i', 30_000)}, timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i)
      FROM ${shuffled(200_000)};`,
    query: (schema) => `DELETE FROM ${schema}.api_tokens WHERE token = md5('4242')`,
    indexedTable: 'api_tokens',
  },
  {
    name: 'non-selective-filter',
    form: 'none',
    canHelp: false,
    description: 'a filter keeping about 90% of the rows: a sequential scan is already the best plan',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT id, amount FROM ${schema}.orders WHERE amount > 100`,
  },
  {
    name: 'moderate-filter',
    form: 'none',
    canHelp: false,
    description: 'two common statuses, about 40% of the rows: too many for an index',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT id, amount FROM ${schema}.orders WHERE status IN ('paid', 'shipped')`,
  },
  {
    name: 'full-aggregate',
    form: 'none',
    canHelp: false,
    description: 'totals per status over the whole table',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT status, count(*), sum(amount) FROM ${schema}.orders GROUP BY status`,
  },
  {
    name: 'infix-like',
    form: 'none',
    canHelp: false,
    description: 'LIKE with a leading wildcard: no B-tree index can serve it',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT id FROM ${schema}.orders WHERE note LIKE '%4242%'`,
  },
  {
    name: 'already-indexed',
    form: 'none',
    canHelp: false,
    description: 'the query already uses a perfect index',
    setup: (schema) => `${ordersTable(schema)}
      CREATE INDEX orders_customer_id_idx ON ${schema}.orders (customer_id);`,
    query: (schema) => `SELECT * FROM ${schema}.orders WHERE customer_id = 4242`,
  },
  {
    name: 'expression-lower',
    form: 'expression',
    canHelp: true,
    description: 'sign-in by e-mail, case-insensitive: lower(email) needs an index on the expression, not on email',
    setup: (schema) => `${usersTable(schema)}`,
    query: (schema) => `SELECT id, name FROM ${schema}.users WHERE lower(email) = 'user4242@example.com'`,
    indexedTable: 'users',
  },
  {
    name: 'expression-date-trunc',
    form: 'expression',
    canHelp: true,
    description: "one day of readings grouped by date_trunc('day', taken_at) on a timestamp column",
    setup: (schema) => readingsTable(schema),
    query: (schema) => `SELECT id, value FROM ${schema}.readings WHERE date_trunc('day', taken_at) = '2024-03-01'`,
    indexedTable: 'readings',
  },
  {
    name: 'expression-cast',
    form: 'expression',
    canHelp: true,
    description: 'one day of readings by a cast to date: taken_at::date',
    setup: (schema) => readingsTable(schema),
    query: (schema) => `SELECT id, value FROM ${schema}.readings WHERE taken_at::date = '2024-03-02'`,
    indexedTable: 'readings',
  },
  {
    name: 'like-prefix-pattern-ops',
    form: 'pattern',
    canHelp: true,
    description: "product codes starting with 'AB1' under a non-C collation: text_pattern_ops",
    setup: (schema) => productCodesTable(schema, 'und-x-icu'),
    query: (schema) => `SELECT id, code FROM ${schema}.product_codes WHERE code LIKE 'AB1%'`,
    indexedTable: 'product_codes',
  },
  {
    name: 'like-prefix-c-collation',
    form: 'pattern',
    canHelp: true,
    description: "product codes starting with 'AB1' under the C collation: a plain B-tree serves LIKE",
    setup: (schema) => productCodesTable(schema, 'C'),
    query: (schema) => `SELECT id, code FROM ${schema}.product_codes WHERE code LIKE 'AB1%'`,
    indexedTable: 'product_codes',
  },
  {
    name: 'ilike-trigram',
    form: 'trigram',
    canHelp: true,
    description: 'search in notes with ILIKE when pg_trgm is installed: a trigram GIN index',
    extensions: ['pg_trgm'],
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT id FROM ${schema}.orders WHERE note ILIKE '%note 14242%'`,
    indexedTable: 'orders',
  },
  {
    name: 'jsonb-containment',
    form: 'jsonb',
    canHelp: true,
    description: 'items with a rare attribute value: @> needs GIN (jsonb_path_ops), never a B-tree',
    setup: (schema) => itemsTable(schema),
    query: (schema) => `SELECT id FROM ${schema}.items WHERE attrs @> '{"color": "teal"}'`,
    indexedTable: 'items',
  },
  {
    name: 'jsonb-key-exists',
    form: 'jsonb',
    canHelp: true,
    description: 'items with a rare key: ? needs GIN with the default jsonb_ops',
    setup: (schema) => itemsTable(schema),
    query: (schema) => `SELECT id FROM ${schema}.items WHERE attrs ? 'gift_wrap'`,
    indexedTable: 'items',
  },
  {
    name: 'or-branches',
    form: 'or-branches',
    canHelp: true,
    description: 'orders of a customer or referred by them: one index per OR branch, combined by a BitmapOr',
    setup: (schema) => `${ordersTable(schema)}
      ALTER TABLE ${schema}.orders ADD COLUMN referrer_id int;
      UPDATE ${schema}.orders SET referrer_id = ${pick('id', 20_000, 3266489917)};`,
    query: (schema) => `SELECT id, amount FROM ${schema}.orders WHERE customer_id = 4242 OR referrer_id = 4242`,
    indexedTable: 'orders',
  },
  {
    name: 'correlated-subplan',
    form: 'subplan',
    canHelp: true,
    description: 'a correlated sub-select per customer: the SubPlan scans all orders once per outer row',
    setup: (schema) => `${ordersTable(schema)}
      CREATE TABLE ${schema}.customers (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO ${schema}.customers SELECT i, 'customer ' || i FROM generate_series(1, 20000) i;`,
    query: (schema) =>
      `SELECT c.id, c.name, (SELECT sum(o.amount) FROM ${schema}.orders o WHERE o.customer_id = c.id) AS spent FROM ${schema}.customers c WHERE c.id <= 50`,
    indexedTable: 'orders',
  },
  {
    name: 'partitioned',
    form: 'partitioned',
    canHelp: true,
    description: 'one account over 24 monthly partitions: one index on the partitioned table, not 24',
    setup: (schema) => `
      CREATE TABLE ${schema}.activity (
        id int NOT NULL,
        account_id int NOT NULL,
        happened_at timestamptz NOT NULL,
        detail text NOT NULL
      ) PARTITION BY RANGE (happened_at);
      ${Array.from({ length: 24 }, (_, month) => {
        const from = new Date(Date.UTC(2023, month, 1)).toISOString().slice(0, 10);
        const to = new Date(Date.UTC(2023, month + 1, 1)).toISOString().slice(0, 10);
        return `CREATE TABLE ${schema}.activity_m${month + 1} PARTITION OF ${schema}.activity FOR VALUES FROM ('${from}') TO ('${to}');`;
      }).join('\n')}
      INSERT INTO ${schema}.activity
      SELECT i, ${pick('i', 20_000)},
             timestamptz '2023-01-01 00:00:00+00' + make_interval(secs => floor(63072000 * ${fraction('i', 3266489917)})::int),
             'detail ' || i
      FROM ${shuffled(480_000)};`,
    query: (schema) => `SELECT id, happened_at FROM ${schema}.activity WHERE account_id = 4242`,
    indexedTable: 'activity',
  },
  {
    name: 'parameterised',
    form: 'parameterised',
    canHelp: true,
    description: 'status = $1 AND customer_id = $2: the index must serve every value, so no partial index on the sample status',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT id, amount FROM ${schema}.orders WHERE status = $1 AND customer_id = $2`,
    values: ['paid', '4242'],
    indexedTable: 'orders',
  },
  {
    name: 'key-cap',
    form: 'key-cap',
    canHelp: true,
    description: 'six equality columns: the index keeps the selective ones, never all of them',
    setup: (schema) => `
      CREATE TABLE ${schema}.facts (
        id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, c int NOT NULL, d int NOT NULL, e int NOT NULL, f int NOT NULL, payload text NOT NULL
      );
      INSERT INTO ${schema}.facts
      SELECT i, ${pick('i', 50)}, ${pick('i', 40, 40503)}, ${pick('i', 30, 2246822519)}, ${pick('i', 20, 3266489917)},
             ${pick('i', 12, 2654435769)}, ${pick('i', 8, 1597334677)}, repeat('p', 30)
      FROM ${shuffled(300_000)};`,
    query: (schema) => `SELECT id FROM ${schema}.facts WHERE a = 7 AND b = 9 AND c = 11 AND d = 3 AND e = 5 AND f = 2`,
    indexedTable: 'facts',
  },
  {
    name: 'primary-key',
    form: 'none',
    canHelp: false,
    description: 'lookup by the primary key: it is indexed already, never CREATE INDEX ON orders (id)',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT * FROM ${schema}.orders WHERE id = 4242`,
  },
  {
    name: 'aggregate-order',
    form: 'none',
    canHelp: false,
    description: 'top customers by sum(amount): no index can hold an aggregate',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT customer_id, sum(amount) FROM ${schema}.orders GROUP BY customer_id ORDER BY sum(amount) DESC LIMIT 10`,
  },
  {
    name: 'six-value-column',
    form: 'none',
    canHelp: false,
    description: 'equality on a column with 6 evenly spread values: a sixth of the table, faster read in full',
    setup: (schema) => `
      CREATE TABLE ${schema}.tickets6 (id int PRIMARY KEY, category int NOT NULL, body text NOT NULL);
      INSERT INTO ${schema}.tickets6 SELECT i, ${pick('i', 6)}, repeat('b', 40) FROM ${shuffled(200_000)};`,
    query: (schema) => `SELECT id, body FROM ${schema}.tickets6 WHERE category = 3`,
  },
  {
    name: 'date-trunc-timestamptz',
    form: 'none',
    canHelp: false,
    description: "date_trunc('day', ...) of a timestamptz depends on the time zone: PostgreSQL cannot index it",
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT id FROM ${schema}.orders WHERE date_trunc('day', ordered_at) = '2024-03-01'`,
  },
  {
    name: 'jsonb-common-value',
    form: 'none',
    canHelp: false,
    description: '@> matching half the items: a GIN index would not beat reading the table',
    setup: (schema) => itemsTable(schema),
    query: (schema) => `SELECT id FROM ${schema}.items WHERE attrs @> '{"size": "M"}'`,
  },
  {
    name: 'or-unselective-branch',
    form: 'none',
    canHelp: false,
    description: 'an OR with a branch that keeps half the table: no set of indexes helps',
    setup: (schema) => ordersTable(schema),
    query: (schema) => `SELECT id FROM ${schema}.orders WHERE customer_id = 4242 OR status = 'delivered'`,
  },
];

export function scenarioSchema(scenario: AdviceScenario): string {
  return `advisor_${scenario.name.replaceAll('-', '_')}`;
}

export function scenarioNamed(name: string): AdviceScenario {
  const scenario = ADVICE_SCENARIOS.find((candidate) => candidate.name === name);
  if (!scenario) throw new Error(`no advice scenario named ${name}`);
  return scenario;
}
