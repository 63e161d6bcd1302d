/**
 * node-postgres pools written without an options object, and with a connection string where the
 * options belong, run for real against PostgreSQL 15 before and after their quick fixes: the fixed
 * file is clean for the server's live limits and really connects with the settings it was given.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelIndex } from '../../src/core/code/models';
import { createPool } from '../../src/db/pool';
import { readServerFacts } from '../../src/db/server-facts-reader';
import { loadCodeParsers } from '../../src/host/grammar-files';
import { APPS_DIR, applyEdits, lintText } from '../support/code-apps';
import { configuredPostgres } from '../support/test-servers';

const NODE_MODULES = join(__dirname, '..', '..', 'node_modules');

describe('node-postgres pools on PostgreSQL 15, before and after the quick fixes', function () {
  this.timeout(120_000);
  let work: string;

  before(function () {
    if (!configuredPostgres()) this.skip();
    work = mkdtempSync(join(tmpdir(), 'plan-lens-node-pg-'));
  });
  after(() => work && rmSync(work, { recursive: true, force: true }));

  /** Runs a sample program with the test server in PG* and a REPORTS_URL naming it with another application_name. */
  function run(file: string): { status: number | null; stderr: string; output?: { pool: string; reports: string } } {
    const config = configuredPostgres()!.config;
    const credentials = `${encodeURIComponent(String(config.user))}:${encodeURIComponent(String(config.password ?? ''))}`;
    const reportsUrl = `postgresql://${credentials}@${config.host}:${config.port ?? 5432}/${config.database}?application_name=reports`;
    const result = spawnSync(process.execPath, [file], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NODE_PATH: NODE_MODULES, PGAPPNAME: 'from-environment', REPORTS_URL: reportsUrl },
    });
    return { status: result.status, stderr: result.stderr, output: result.status === 0 ? JSON.parse(result.stdout) : undefined };
  }

  it('the connection string given as options throws; the fixed pools use it, fit the server and are clean', async () => {
    const connection = configuredPostgres()!;
    const pool = createPool(connection, { max: 1 });
    const facts = await readServerFacts(pool).finally(() => pool.end());
    const source = join(APPS_DIR, 'node_pg', 'env_pools.js');
    const text = readFileSync(source, 'utf8');
    writeFileSync(join(work, 'env_pools.js'), text);
    const original = run(join(work, 'env_pools.js'));
    assert.equal(original.status, 1);
    assert.match(original.stderr, /TypeError: Cannot use 'in' operator to search for 'password' in postgresql:/);

    const parsers = await loadCodeParsers();
    const models = new ModelIndex();
    const context = { models, server: facts, processes: 1 };
    const findings = lintText(parsers, source, text, context).findings;
    assert.ok(findings.some((f) => f.code === 'pg-pool-connection-string'));
    const edits = [...new Map(findings.flatMap((f) => f.fixes[0].edits).map((e) => [JSON.stringify(e), e])).values()];
    const fixed = applyEdits(text, edits);
    assert.deepEqual(lintText(parsers, source, fixed, context).findings, []);
    const max = Math.min(10, facts.maxConnections - facts.superuserReservedConnections - facts.connectionsInUseByOthers);
    assert.match(fixed, new RegExp(`new Pool\\(\\{ max: ${max}, connectionTimeoutMillis: 10000,`));
    writeFileSync(join(work, 'env_pools_fixed.js'), fixed);
    const repaired = run(join(work, 'env_pools_fixed.js'));
    assert.deepEqual(repaired.output, { pool: 'from-environment', reports: 'reports' }, repaired.stderr);
  });
});
