/**
 * Recorded N+1 linked with the code in a real VS Code (code-server 1.100.3): the extension-host
 * suite in test/e2e/code-links-host/ records the sample SQLAlchemy shop through Record Queries on
 * the PostgreSQL server of the run, in a schema of its own. Skipped without code-server and
 * Chromium, or without a PostgreSQL server.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { e2eUnavailableReason, REPO_ROOT, runExtensionTests } from './harness';
import { postgresConfigured } from '../support/postgres-configured';

const SUITE = path.join(__dirname, 'code-links-host', 'index.js');
const SUITE_TESTS = 1;
const PYTHON = process.env.PLAN_LENS_PYTHON ?? '/usr/bin/python3';
const CONNECTION_NAME = 'e2e recorder';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('Recorded N+1 and the code in VS Code (code-server 1.100.3 + Chromium) on PostgreSQL', function () {
  this.timeout(300_000);

  before(function () {
    const reason = e2eUnavailableReason() ?? (postgresConfigured() ? undefined : 'no PostgreSQL server configured');
    if (reason) {
      console.log(`    skipped: ${reason}`);
      this.skip();
    }
  });

  it('Record Queries names the N+1 in the diagnostic of the file that ran it; Go to Code opens it', async () => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.strictEqual(build.status, 0, build.stderr);
    const admin = new Client();
    await admin.connect();
    const schema = `e2e_links_${process.pid}`;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-e2e-links-'));
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      const workspace = path.join(scratch, 'shop');
      fs.cpSync(path.join(REPO_ROOT, 'test', 'code', 'apps', 'sqlalchemy_shop'), workspace, { recursive: true });
      const { host, port, database, user, password } = admin;
      const credentials = `${encodeURIComponent(user ?? '')}:${encodeURIComponent(String(password ?? ''))}`;
      const url = (at: string) =>
        `postgresql+psycopg2://${credentials}@${at}/${database}?sslmode=disable&options=-csearch_path%3D${schema}`;
      const seed = spawnSync(PYTHON, ['-c', 'import database; database.seed()'], {
        cwd: workspace,
        env: { ...process.env, DATABASE_URL: url(`${host}:${port}`) },
        encoding: 'utf8',
      });
      assert.strictEqual(seed.status, 0, seed.stderr);
      const listenPort = await freePort();
      const result = await runExtensionTests({
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: SUITE,
        workspace,
        settings: {
          'planLens.connections': [{ name: CONNECTION_NAME, host, port, database, user, sslMode: 'disable' }],
          'planLens.activeConnection': CONNECTION_NAME,
          'planLens.recorder.listenPort': listenPort,
        },
        env: {
          PGPASSWORD: String(password ?? ''),
          PLAN_LENS_E2E_PYTHON: PYTHON,
          PLAN_LENS_E2E_RECORDER_URL: url(`127.0.0.1:${listenPort}`),
        },
      });
      assert.strictEqual(result.failed, 0, 'failures in the extension host');
      assert.strictEqual(result.passed, SUITE_TESTS);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.end();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
