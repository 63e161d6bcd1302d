/**
 * The Django N+1 findings against the real thing: the sample Django shop runs with Debian's
 * python3-django and python3-psycopg2 on PostgreSQL 15, and the statements it sends are counted on
 * the server (pg_stat_statements, this database only). The loop flagged as N+1 really sends 1 + N
 * statements; after the quick fix, one (select_related) or one more per prefetched level; the
 * forms the rule leaves alone send a fixed number whatever the row count.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DjangoModelIndex } from '../../src/core/code/django-models';
import { ModelIndex } from '../../src/core/code/models';
import type { CodeParsers } from '../../src/core/code/syntax';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { loadCodeParsers } from '../../src/host/grammar-files';
import { APPS_DIR, applyEdits, lintText } from '../support/code-apps';
import { indexedDjangoModels } from '../support/django-apps';
import { poolQuery } from '../support/pool-query';
import { statementCountingDatabase, statementsRunBy } from '../support/server-statement-count';
import { configuredPostgres } from '../support/test-servers';

/** Debian's interpreter, where apt installs python3-django (a pyenv shim may shadow it on PATH). */
const PYTHON = process.env.PLAN_LENS_PYTHON ?? '/usr/bin/python3';
const SCHEMA = `django_shop_${process.pid}`;
/** Statements reading or writing the shop's tables, as Django quotes them. */
const SHOP_STATEMENT = String.raw`\m(FROM|INTO|UPDATE)\s+"shop_`;

describe('Django N+1 on PostgreSQL 15 (the sample shop run with Django, statements counted on the server)', function () {
  this.timeout(300_000);
  let pool: PlanLensPool;
  let parsers: CodeParsers;
  let djangoModels: DjangoModelIndex;
  let appDir: string;
  let env: NodeJS.ProcessEnv;
  let databaseOid: number;

  before(async function () {
    const connection = configuredPostgres();
    if (!connection) this.skip();
    const probe = spawnSync(PYTHON, ['-c', 'import django, psycopg2'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      throw new Error(`${PYTHON} cannot import django and psycopg2: apt-get install python3-django python3-psycopg2 (.ci/run does)`);
    }
    pool = createPool(connection!, { max: 2 });
    databaseOid = await statementCountingDatabase(pool);
    await poolQuery(pool, `CREATE SCHEMA ${SCHEMA}`);
    const config = connection!.config;
    env = {
      ...process.env,
      PGHOST: String(config.host),
      PGPORT: String(config.port ?? 5432),
      PGUSER: String(config.user),
      PGPASSWORD: String(config.password ?? ''),
      PGDATABASE: String(config.database),
      SHOP_SCHEMA: SCHEMA,
    };
    appDir = mkdtempSync(join(tmpdir(), 'plan-lens-django-'));
    cpSync(join(APPS_DIR, 'django_shop'), appDir, { recursive: true });
    python(['seed.py']);
    parsers = await loadCodeParsers();
    djangoModels = indexedDjangoModels(parsers);
  });

  after(async () => {
    if (appDir) rmSync(appDir, { recursive: true, force: true });
    if (!pool) return;
    await poolQuery(pool, `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pool.end();
  });

  function python(args: string[]): string {
    const run = spawnSync(PYTHON, args, { cwd: appDir, env, encoding: 'utf8', timeout: 180_000 });
    assert.equal(run.status, 0, `${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  }

  /** Runs a program and returns how many statements on the shop's tables the server executed for it. */
  async function statementsOf(script: string): Promise<number> {
    return statementsRunBy(pool, databaseOid, SHOP_STATEMENT, () => python([script]));
  }

  async function count(sql: string): Promise<number> {
    const client = await pool.connect();
    try {
      return Number((await client.query(`SELECT (${sql.replaceAll('shop_', `${SCHEMA}.shop_`)})::int AS n`)).rows[0].n);
    } finally {
      client.release();
    }
  }

  /** Lints the program, applies every Django N+1 fix, and checks the fixed program prints the same and is not flagged. */
  function fix(script: string, findings: number): string {
    const text = readFileSync(join(appDir, script), 'utf8');
    const check = (source: string) =>
      lintText(parsers, join(appDir, script), source, { models: new ModelIndex(), djangoModels }).findings.filter(
        (f) => f.code === 'django-n-plus-one',
      );
    const found = check(text);
    assert.equal(found.length, findings, `${findings} django-n-plus-one findings in ${script}`);
    // Findings in one loop may share a fix (items__product for order.items and item.product): apply each lookup once.
    const unique = new Map(found.map((f) => [f.fixes[0].title, f.fixes[0].edits]));
    const fixed = applyEdits(text, [...unique.values()].flat());
    assert.deepEqual(check(fixed), [], `${script} after the fix is clean`);
    const name = script.replace('.py', '_fixed.py');
    writeFileSync(join(appDir, name), fixed);
    assert.equal(python([name]), python([script]), `${name} prints what ${script} prints`);
    return name;
  }

  it('product.category (forward foreign key): 1 + one per product; with select_related, 1', async () => {
    const products = await count('SELECT count(*) FROM shop_product');
    assert.equal(await statementsOf('category_report.py'), 1 + products);
    assert.equal(await statementsOf(fix('category_report.py', 1)), 1);
  });

  it('order.items.all() (reverse foreign key): 1 + one per order; with prefetch_related, 2', async () => {
    const orders = await count('SELECT count(*) FROM shop_orders');
    assert.equal(await statementsOf('order_report.py'), 1 + orders);
    assert.equal(await statementsOf(fix('order_report.py', 1)), 2);
  });

  it('product.tags.all() (many-to-many, in a comprehension): 1 + one per product; with prefetch_related, 2', async () => {
    const products = await count('SELECT count(*) FROM shop_product');
    assert.equal(await statementsOf('tag_report.py'), 1 + products);
    assert.equal(await statementsOf(fix('tag_report.py', 1)), 2);
  });

  it('item.product in a loop over order.items.all(): 1 + one per order + one per item; with prefetch_related("items__product"), 3', async () => {
    const orders = await count('SELECT count(*) FROM shop_orders');
    const items = await count('SELECT count(*) FROM shop_orderitem');
    assert.equal(await statementsOf('item_report.py'), 1 + orders + items);
    assert.equal(await statementsOf(fix('item_report.py', 2)), 3);
  });

  it('product.category.parent past select_related("category"): 1 + one per product with a parent category; with "category__parent", 1', async () => {
    const withParent = await count(
      'SELECT count(*) FROM shop_product p JOIN shop_category c ON c.id = p.category_id WHERE c.parent_id IS NOT NULL',
    );
    assert.ok(withParent > 0);
    assert.equal(await statementsOf('department_report.py'), 1 + withParent);
    assert.equal(await statementsOf(fix('department_report.py', 1)), 1);
  });

  it('customer.profile (reverse one-to-one) and customer.order_set.count(): 1 + two per customer; fixed, 2', async () => {
    const customers = await count('SELECT count(*) FROM shop_customer');
    assert.equal(await statementsOf('customer_report.py'), 1 + 2 * customers);
    assert.equal(await statementsOf(fix('customer_report.py', 2)), 2);
  });

  it('the forms left alone send one statement per queryset and prefetched lookup, not one per row', async () => {
    // 7 loops: 7 querysets, plus the prefetches: items and customer__order_set, item_list, tags.
    assert.equal(await statementsOf('eager_report.py'), 7 + 2 + 1 + 1);
  });
});
