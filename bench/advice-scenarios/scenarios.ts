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

export const ADVICE_SCENARIOS: readonly AdviceScenario[] = [
  {
    name: 'single-column',
    form: 'single-column',
    canHelp: true,
    description: 'one customer\'s orders: equality on a high-cardinality column',
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
    description: 'one account\'s events in one month: equality then range',
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
    query: (schema) =>
      `SELECT a.name, l.at, l.ip FROM ${schema}.accounts a JOIN ${schema}.logins l ON l.account_id = a.id WHERE a.flagged`,
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
];

export function scenarioSchema(scenario: AdviceScenario): string {
  return `advisor_${scenario.name.replaceAll('-', '_')}`;
}

export function scenarioNamed(name: string): AdviceScenario {
  const scenario = ADVICE_SCENARIOS.find((candidate) => candidate.name === name);
  if (!scenario) throw new Error(`no advice scenario named ${name}`);
  return scenario;
}
