/**
 * The demo database: a small shop with enough rows for plans to look like production ones.
 * products has only its primary key, no index on created_at, price or is_active, so the demo
 * query (active products above a price, newest first) shows the classic missing-index plan: a
 * sequential scan feeding a top-N sort.
 *
 * Every value is arithmetic on the row number (multiplicative hashing for spread, powers for
 * skew), never random(): each build produces the same rows and therefore the same plans.
 * Skews: 70% of products are active; prices run from 1 to 20 000 with a long tail (median about
 * 1 250, 16% above 10 000); popular categories, customers and products get most of the rows.
 */

/** Bumped whenever the steps below change, so an older cached build is never used. */
export const DEMO_SCHEMA_VERSION = 1;

export interface DemoBuildStep {
  /** What the step builds, for progress messages. */
  label: string;
  sql: string;
}

/** A pseudo-random fraction in [0, 1) from the integer expression `n`: Knuth's multiplicative hash. */
function fraction(n: string, multiplier = 2654435761): string {
  return `(mod((${n})::bigint * ${multiplier}, 4294967296)::float8 / 4294967296)`;
}

export const DEMO_BUILD_STEPS: readonly DemoBuildStep[] = [
  {
    label: 'categories (200)',
    sql: `
      CREATE TABLE categories (
        id int PRIMARY KEY,
        parent_id int REFERENCES categories (id),
        name text NOT NULL
      );
      INSERT INTO categories
      SELECT i, CASE WHEN i > 20 THEN (i - 21) % 20 + 1 END, 'Category ' || i
      FROM generate_series(1, 200) i;`,
  },
  {
    label: 'products (200 000)',
    sql: `
      CREATE TABLE products (
        id int NOT NULL,
        category_id int NOT NULL,
        is_active boolean NOT NULL,
        price numeric(10, 2) NOT NULL,
        stock int NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL
      );
      INSERT INTO products
      SELECT i,
             1 + floor(200 * power(${fraction('i')}, 2))::int,
             mod(i::bigint * 40503 + 17, 1000) < 700,
             round((1 + 19999 * power(${fraction('i', 2246822519)}, 4))::numeric, 2),
             CASE WHEN mod(i::bigint * 7919, 10) = 0 THEN 0 ELSE mod(i::bigint * 104729, 500)::int END,
             'Product ' || i,
             timestamptz '2022-01-01 00:00:00+00' + make_interval(secs => i * 450 + mod(i::bigint * 31, 3600))
      FROM generate_series(1, 200000) i;
      ALTER TABLE products
        ADD PRIMARY KEY (id),
        ADD FOREIGN KEY (category_id) REFERENCES categories (id);`,
  },
  {
    label: 'customers (50 000)',
    sql: `
      CREATE TABLE customers (
        id int NOT NULL,
        email text NOT NULL,
        name text NOT NULL,
        country text NOT NULL,
        created_at timestamptz NOT NULL
      );
      INSERT INTO customers
      SELECT i,
             'customer' || i || '@example.com',
             'Customer ' || i,
             (ARRAY['US', 'DE', 'GB', 'FR', 'US', 'NL', 'US', 'SE', 'PL', 'JP'])[1 + mod(i, 10)],
             timestamptz '2021-06-01 00:00:00+00' + make_interval(secs => i * 1800)
      FROM generate_series(1, 50000) i;
      ALTER TABLE customers ADD PRIMARY KEY (id);`,
  },
  {
    label: 'orders (100 000)',
    sql: `
      CREATE TABLE orders (
        id int NOT NULL,
        customer_id int NOT NULL,
        status text NOT NULL,
        ordered_at timestamptz NOT NULL
      );
      INSERT INTO orders
      SELECT i,
             1 + floor(50000 * power(${fraction('i')}, 2))::int,
             (ARRAY['delivered', 'delivered', 'delivered', 'shipped', 'paid', 'cancelled'])[1 + mod(i * 13, 6)],
             timestamptz '2022-06-01 00:00:00+00' + make_interval(secs => i * 700)
      FROM generate_series(1, 100000) i;
      ALTER TABLE orders
        ADD PRIMARY KEY (id),
        ADD FOREIGN KEY (customer_id) REFERENCES customers (id);`,
  },
  {
    label: 'order items (300 000)',
    sql: `
      CREATE TABLE order_items (
        id int NOT NULL,
        order_id int NOT NULL,
        product_id int NOT NULL,
        quantity int NOT NULL,
        unit_price numeric(10, 2) NOT NULL
      );
      INSERT INTO order_items
      SELECT item.id, item.order_id, item.product_id, item.quantity, p.price
      FROM (
        SELECT n AS id,
               1 + (n - 1) / 3 AS order_id,
               1 + floor(200000 * power(${fraction('n', 2246822519)}, 3))::int AS product_id,
               1 + mod(n * 17, 5) AS quantity
        FROM generate_series(1, 300000) n
      ) item
      JOIN products p ON p.id = item.product_id
      ORDER BY item.id;
      ALTER TABLE order_items
        ADD PRIMARY KEY (id),
        ADD FOREIGN KEY (order_id) REFERENCES orders (id),
        ADD FOREIGN KEY (product_id) REFERENCES products (id);`,
  },
  // VACUUM sets the visibility map as a long-lived table would have it; ANALYZE gives the planner its statistics.
  { label: 'planner statistics', sql: 'VACUUM ANALYZE' },
  // Last, so that only a build that got this far is ever used.
  {
    label: 'completion marker',
    sql: `
      CREATE SCHEMA plan_lens;
      CREATE TABLE plan_lens.demo_build (version int NOT NULL, built_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO plan_lens.demo_build (version) VALUES (${DEMO_SCHEMA_VERSION});`,
  },
];

/** The version a complete build recorded; fails (no such table) on a build that did not finish. */
export const DEMO_BUILD_VERSION_QUERY = 'SELECT max(version) AS version FROM plan_lens.demo_build';
