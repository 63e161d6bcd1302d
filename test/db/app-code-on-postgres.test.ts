/**
 * The application-code findings against the real thing: the sample SQLAlchemy applications run
 * with Debian's python3-sqlalchemy and python3-psycopg2 on PostgreSQL 15, and the statements they
 * send are counted on the server (pg_stat_statements, this database only). The code flagged as N+1
 * really sends N+1 statements; the code after the quick fix sends one or two; the recommended pool
 * settings really connect.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeFinding } from '../../src/core/code/findings';
import type { ModelIndex } from '../../src/core/code/models';
import type { ServerFacts } from '../../src/core/code/server-facts';
import type { CodeParsers } from '../../src/core/code/syntax';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import { readServerFacts } from '../../src/db/server-facts-reader';
import { loadCodeParsers } from '../../src/host/grammar-files';
import { APPS_DIR, applyEdits, indexedModels, lintText } from '../support/code-apps';
import { poolQuery } from '../support/pool-query';
import { statementCountingDatabase, statementsRunBy } from '../support/server-statement-count';
import { configuredPostgres } from '../support/test-servers';

/** Debian's interpreter, where apt installs python3-sqlalchemy (a pyenv shim may shadow it on PATH). */
const PYTHON = process.env.PLAN_LENS_PYTHON ?? '/usr/bin/python3';
const SCHEMA = `code_apps_${process.pid}`;
/** Statements touching the sample shop's tables, as pg_stat_statements normalizes them. */
const SHOP_STATEMENT = String.raw`\m(FROM|INTO|UPDATE)\s+(products|categories|customers|orders|order_items)\M`;

describe('application code on PostgreSQL 15 (SQLAlchemy programs, statements counted on the server)', function () {
  this.timeout(300_000);
  let pool: PlanLensPool;
  let parsers: CodeParsers;
  let models: ModelIndex;
  let appDir: string;
  let databaseUrl: string;
  let databaseOid: number;

  before(async function () {
    const connection = configuredPostgres();
    if (!connection) this.skip();
    const probe = spawnSync(PYTHON, ['-c', 'import sqlalchemy, psycopg2'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      throw new Error(
        `${PYTHON} cannot import sqlalchemy and psycopg2: apt-get install python3-sqlalchemy python3-psycopg2 (.ci/run does)`,
      );
    }
    pool = createPool(connection!, { max: 2 });
    databaseOid = await statementCountingDatabase(pool);
    await poolQuery(pool, `CREATE SCHEMA ${SCHEMA}`);
    const config = connection!.config;
    const credentials = `${encodeURIComponent(String(config.user))}:${encodeURIComponent(String(config.password ?? ''))}`;
    databaseUrl = `postgresql+psycopg2://${credentials}@${config.host}:${config.port ?? 5432}/${config.database}?options=-csearch_path%3D${SCHEMA}`;
    appDir = mkdtempSync(join(tmpdir(), 'plan-lens-apps-'));
    cpSync(join(APPS_DIR, 'sqlalchemy_shop'), appDir, { recursive: true });
    python(['-c', 'import database; database.seed()']);
    parsers = await loadCodeParsers();
    models = indexedModels(parsers);
  });

  after(async () => {
    if (appDir) rmSync(appDir, { recursive: true, force: true });
    if (!pool) return;
    await poolQuery(pool, `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pool.end();
  });

  function python(args: string[]): string {
    const run = spawnSync(PYTHON, args, {
      cwd: appDir,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      encoding: 'utf8',
      timeout: 180_000,
    });
    assert.equal(run.status, 0, `${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  }

  /** Runs a program and returns how many statements on the shop's tables the server executed for it. */
  async function statementsOf(script: string, args: string[] = []): Promise<number> {
    return statementsRunBy(pool, databaseOid, SHOP_STATEMENT, () => python([script, ...args]));
  }

  function lintAndFix(script: string, code: string, server?: ServerFacts, processes = 1): { finding: CodeFinding; fixed: string } {
    const text = readFileSync(join(appDir, script), 'utf8');
    const findings = lintText(parsers, join(appDir, script), text, { models, server, processes }).findings.filter((f) => f.code === code);
    assert.equal(findings.length, 1, `one ${code} finding in ${script}`);
    const fixed = applyEdits(text, findings[0].fixes[0].edits);
    return { finding: findings[0], fixed };
  }

  /** A report's lines in a stable order: the lines of a collection come in no particular order. */
  function sorted(output: string): string {
    return output.split('\n').sort().join('\n');
  }

  async function distinct(sql: string): Promise<number> {
    const client = await pool.connect();
    try {
      return Number((await client.query(`SELECT (${sql})::int AS n FROM ${SCHEMA}.products LIMIT 1`)).rows[0].n);
    } finally {
      client.release();
    }
  }

  it('the many-to-one read flagged as N+1 sends 1 + one per category; after the fix, 1', async () => {
    const categories = await distinct(`SELECT count(DISTINCT category_id) FROM ${SCHEMA}.products`);
    const { fixed } = lintAndFix('category_report.py', 'sqlalchemy-n-plus-one');
    assert.equal(await statementsOf('category_report.py'), 1 + categories);
    const before = python(['category_report.py']);
    writeFileSync(join(appDir, 'category_report_fixed.py'), fixed);
    assert.equal(await statementsOf('category_report_fixed.py'), 1);
    assert.equal(python(['category_report_fixed.py']), before, 'the fixed program prints the same report');
  });

  it('the collection read flagged as N+1 sends 1 + one per order; after the fix, 2', async () => {
    const orders = await distinct(`SELECT count(*) FROM ${SCHEMA}.orders`);
    const { fixed } = lintAndFix('order_report.py', 'sqlalchemy-n-plus-one');
    assert.equal(await statementsOf('order_report.py'), 1 + orders);
    writeFileSync(join(appDir, 'order_report_fixed.py'), fixed);
    assert.equal(await statementsOf('order_report_fixed.py'), 2);
    assert.equal(python(['order_report_fixed.py']), python(['order_report.py']));
  });

  it('the nested loop flagged twice sends 1 + N + N×M; the chained loader sends 2, fixed at once or outer fix first', async () => {
    const orders = await distinct(`SELECT count(*) FROM ${SCHEMA}.orders`);
    const lines = await distinct(`SELECT count(*) FROM ${SCHEMA}.order_items`);
    assert.equal(await distinct(`SELECT count(DISTINCT product_id) FROM ${SCHEMA}.order_items`), lines, 'every line a different product');
    assert.ok(lines >= 2 * orders, 'several lines per order');
    const script = 'order_lines_report.py';
    const text = readFileSync(join(appDir, script), 'utf8');
    const findings = lintText(parsers, join(appDir, script), text, { models }).findings;
    assert.deepEqual(
      findings.map((f) => f.message.split(' ')[0]),
      ['order.items', 'item.product'],
    );
    assert.equal(await statementsOf(script), 1 + orders + lines);
    const report = sorted(python([script]));

    writeFileSync(join(appDir, 'order_lines_fixed.py'), applyEdits(text, findings[1].fixes[0].edits));
    assert.equal(await statementsOf('order_lines_fixed.py'), 2);
    assert.equal(sorted(python(['order_lines_fixed.py'])), report);

    const outerFixed = applyEdits(text, findings[0].fixes[0].edits);
    writeFileSync(join(appDir, 'order_lines_outer.py'), outerFixed);
    assert.equal(await statementsOf('order_lines_outer.py'), 2 + lines, 'the items in one query, still a product per line');
    const [inner] = lintText(parsers, join(appDir, script), outerFixed, { models }).findings;
    const bothFixed = applyEdits(outerFixed, inner.fixes[0].edits);
    assert.deepEqual(lintText(parsers, join(appDir, script), bothFixed, { models }).findings, []);
    writeFileSync(join(appDir, 'order_lines_both.py'), bothFixed);
    assert.equal(await statementsOf('order_lines_both.py'), 2);
    assert.equal(sorted(python(['order_lines_both.py'])), report);
  });

  it('add() and commit() per row send one INSERT per row; the executemany rewrite sends 1', async () => {
    const { fixed } = lintAndFix('import_products.py', 'sqlalchemy-add-in-loop');
    assert.equal(await statementsOf('import_products.py', ['50']), 50);
    writeFileSync(join(appDir, 'import_products_fixed.py'), fixed);
    assert.equal(await statementsOf('import_products_fixed.py', ['50']), 1);
    assert.equal(
      await distinct(`SELECT count(*) FROM ${SCHEMA}.products WHERE name LIKE 'imported %'`),
      100,
      'both programs inserted their 50 rows',
    );
  });

  it('reads the server facts live, and the recommended pool settings for them really connect', async () => {
    const facts = await readServerFacts(pool);
    const client = await pool.connect();
    try {
      const settings = (
        await client.query(
          "SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved",
        )
      ).rows[0];
      assert.deepEqual([facts.maxConnections, facts.superuserReservedConnections >= settings.reserved], [settings.max, true]);
      // This connection, held open, is one of the "others" for the reader's own connection.
      const busy = await readServerFacts(pool);
      assert.ok(busy.connectionsInUseByOthers >= 1, 'a connection held open counts as in use');
    } finally {
      client.release();
    }
    // Enough processes that the sample's pool of 30 per process cannot fit.
    const processes = Math.ceil((facts.maxConnections + 1) / 30);
    const text = readFileSync(join(appDir, 'pooled_engine.py'), 'utf8');
    const findings = lintText(parsers, 'pooled_engine.py', text, { models, server: facts, processes }).findings;
    assert.deepEqual(findings.map((f) => f.code).sort(), [
      'sqlalchemy-pool-exceeds-server',
      'sqlalchemy-pool-pre-ping',
      'sqlalchemy-pool-recycle',
      'sqlalchemy-pool-timeout',
    ]);
    const fixed = applyEdits(
      text,
      findings.flatMap((f) => f.fixes[0].edits),
    );
    assert.deepEqual(lintText(parsers, 'pooled_engine.py', fixed, { models, server: facts, processes }).findings, []);
    writeFileSync(join(appDir, 'pooled_engine_fixed.py'), fixed);
    assert.equal(python(['pooled_engine_fixed.py']).trim(), '1');
  });
});
