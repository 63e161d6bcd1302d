import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { Client } from 'pg';
import { resolveConnection } from '../../src/db/connection-config';
import { startDemoDatabase, type DemoDatabase } from '../../src/db/demo-database';
import { runExplain } from '../../src/db/explain-runner';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { demoCache, firstSharedDemoStart, startSharedDemo, stopSharedDemo } from '../support/test-servers';

const DEMO_QUERY = `SELECT p.*, c.name AS category_name FROM products p JOIN categories c ON p.category_id = c.id
  WHERE p.is_active = true AND p.price > 10000 ORDER BY p.created_at DESC LIMIT 20`;

/** md5 of every 97th product; it changes only when the build steps do, and DEMO_SCHEMA_VERSION with them. */
const EXPECTED_PRODUCTS_SAMPLE_CHECKSUM = 'bf2223bb3687c8f8ab60baaa45ed9fc4';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Sort Key'?: string[];
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

describe('the demo database', function () {
  // The first start in a run builds the shop: seconds when the machine is idle, more when it is not.
  this.timeout(180_000);
  let demo: DemoDatabase;
  let pool: PlanLensPool;
  const rows = async <T extends object>(text: string): Promise<T[]> => {
    const client = await pool.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      client.release();
    }
  };

  before(async () => {
    demo = await startSharedDemo();
    pool = createPool(resolveConnection({ url: demo.connectionString, env: {} })!, { max: 1 });
  });
  after(() => pool?.end());

  it('rebuilds a cache left behind by a crash instead of using it', function () {
    if (!demoCache.seededWithLeftovers) this.skip();
    assert.equal(firstSharedDemoStart()?.rebuilt, true);
    assert.equal(existsSync(demoCache.interruptedBuildDir), false, 'the interrupted build was removed');
    assert.deepEqual(readdirSync(demoCache.dir).sort(), ['demo-v1', 'demo-v1.lock']);
  });

  it('holds the demo shop', async () => {
    const [counts] = await rows<Record<string, number>>(`
      SELECT (SELECT count(*) FROM categories)::int AS categories,
             (SELECT count(*) FROM categories WHERE parent_id IS NOT NULL)::int AS subcategories,
             (SELECT count(*) FROM products)::int AS products,
             (SELECT count(*) FROM customers)::int AS customers,
             (SELECT count(*) FROM orders)::int AS orders,
             (SELECT count(*) FROM order_items)::int AS order_items`);
    assert.deepEqual(counts, {
      categories: 200,
      subcategories: 180,
      products: 200_000,
      customers: 50_000,
      orders: 100_000,
      order_items: 300_000,
    });
  });

  it('has the documented skew: 70% active products, prices up to 20 000 with a long tail', async () => {
    const [shape] = await rows<Record<string, number>>(`
      SELECT avg(is_active::int)::float8 AS active_share,
             min(price)::float8 AS min_price,
             max(price)::float8 AS max_price,
             (percentile_cont(0.5) WITHIN GROUP (ORDER BY price))::float8 AS median_price,
             avg((price > 10000)::int)::float8 AS expensive_share
      FROM products`);
    assert.equal(shape!.active_share, 0.7);
    assert.ok(shape!.min_price >= 1 && shape!.max_price <= 20_000, JSON.stringify(shape));
    assert.ok(shape!.median_price > 1_000 && shape!.median_price < 1_500, `median ${shape!.median_price}`);
    assert.ok(shape!.expensive_share > 0.14 && shape!.expensive_share < 0.18, `share above 10 000: ${shape!.expensive_share}`);
  });

  it('has keys and no secondary index, so the demo query shows the missing-index plan', async () => {
    const indexes = await rows<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'products'");
    assert.deepEqual(indexes, [{ indexname: 'products_pkey' }]);
    const [{ n: foreignKeys } = { n: 0 }] = await rows<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace",
    );
    assert.equal(foreignKeys, 5);
    const run = await runExplain(pool, DEMO_QUERY);
    const nodes = nodesOf((run.explainJson as Array<{ Plan: PlanNode }>)[0]!.Plan);
    assert.ok(
      nodes.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'products'),
      'products is scanned sequentially',
    );
    assert.ok(
      nodes.some((n) => n['Node Type'] === 'Sort' && n['Sort Key']?.[0] === 'p.created_at DESC'),
      'then sorted by created_at',
    );
  });

  it('produces the same rows on every build', async () => {
    const [{ checksum } = { checksum: '' }] = await rows<{ checksum: string }>(
      "SELECT md5(string_agg(concat_ws('|', id, category_id, is_active, price, stock, name, extract(epoch FROM created_at)), ',' ORDER BY id)) AS checksum FROM products WHERE id % 97 = 0",
    );
    assert.equal(checksum, EXPECTED_PRODUCTS_SAMPLE_CHECKSUM);
  });

  it('serves several connections, which share its one backend', async () => {
    const clients = [new Client(demo.connectionString), new Client(demo.connectionString)];
    try {
      await Promise.all(clients.map((client) => client.connect()));
      const pids = await Promise.all(
        clients.map(async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid),
      );
      assert.equal(pids[0], pids[1]);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  it('opens the cached build on the next start', async () => {
    await pool.end();
    await stopSharedDemo();
    const again = await startDemoDatabase({ cacheDir: demoCache.dir });
    try {
      assert.equal(again.rebuilt, false);
      const client = new Client(again.connectionString);
      await client.connect();
      const {
        rows: [row],
      } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM order_items');
      await client.end();
      assert.equal(row!.n, 300_000);
    } finally {
      await again.stop();
    }
  });
});
