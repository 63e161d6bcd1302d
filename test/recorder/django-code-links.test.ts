/**
 * The sample Django shop run THROUGH the query recorder against PostgreSQL 15 (Debian's
 * python3-django): the N+1 the recorder saw is named in the Django finding of the very file that
 * ran, and leads back to its attribute read, as for SQLAlchemy.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DjangoModelIndex } from '../../src/core/code/django-models';
import { ModelIndex } from '../../src/core/code/models';
import { codeSitesOf, linkRecordedNPlusOne, recordedNPlusOneOf } from '../../src/core/code/runtime-links';
import type { CodeParsers } from '../../src/core/code/syntax';
import type { ResolvedConnection } from '../../src/db/connection-config';
import { loadCodeParsers } from '../../src/host/grammar-files';
import { onServer } from '../support/pool-query';
import { APPS_DIR, lintText } from '../support/code-apps';
import { indexedDjangoModels } from '../support/django-apps';
import { startRecording, testConnection, until, type TestRecording } from './recorder-support';

const run = promisify(execFile);
const PYTHON = process.env.PLAN_LENS_PYTHON ?? '/usr/bin/python3';
const SCHEMA = `django_links_${process.pid}`;

describe('recorded N+1 linked with the Django code that ran it (through the recorder, PostgreSQL 15)', function () {
  this.timeout(300_000);
  let connection: ResolvedConnection;
  let appDir: string;
  let parsers: CodeParsers;
  let djangoModels: DjangoModelIndex;
  let recording: TestRecording | undefined;

  /** The libpq variables the shop's settings read, pointed at the server or at the recorder. */
  function envFor(port: number): NodeJS.ProcessEnv {
    const { host, user, password, database } = connection.config;
    return {
      ...process.env,
      PGHOST: port === connection.config.port ? String(host) : '127.0.0.1',
      PGPORT: String(port),
      PGUSER: String(user),
      PGPASSWORD: String(password ?? ''),
      PGDATABASE: String(database),
      PGSSLMODE: 'disable',
      SHOP_SCHEMA: SCHEMA,
    };
  }

  before(async function () {
    connection = testConnection(this);
    await onServer(connection, `CREATE SCHEMA ${SCHEMA}`);
    appDir = mkdtempSync(join(tmpdir(), 'plan-lens-django-links-'));
    cpSync(join(APPS_DIR, 'django_shop'), appDir, { recursive: true });
    await run(PYTHON, ['seed.py'], { cwd: appDir, env: envFor(Number(connection.config.port ?? 5432)) });
    parsers = await loadCodeParsers();
    djangoModels = indexedDjangoModels(parsers);
  });
  afterEach(async () => {
    await recording?.session.stop();
    recording = undefined;
  });
  after(async () => {
    if (appDir) rmSync(appDir, { recursive: true, force: true });
    if (connection) await onServer(connection, `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });

  function lint(script: string) {
    const path = join(appDir, script);
    return lintText(parsers, path, readFileSync(path, 'utf8'), { models: new ModelIndex(), djangoModels }).findings.filter(
      (finding) => finding.code === 'django-n-plus-one',
    );
  }

  for (const [script, summary] of [
    ['category_report.py', 'SELECT … FROM shop_category WHERE shop_category.id = $1'],
    ['order_report.py', 'SELECT … FROM shop_orderitem WHERE shop_orderitem.order_id = $1'],
  ] as const) {
    it(`${script}: the recorded N+1 is named in the Django finding, and leads back to its attribute read`, async () => {
      recording = await startRecording(connection);
      await run(PYTHON, [script], { cwd: appDir, env: envFor(recording.port) });
      await until(() => recording!.session.openConnections === 0);
      await recording.session.flush();
      const { session } = recording;
      const recorded = recordedNPlusOneOf(session.store.findings(), session.startedAt!);
      assert.equal(recorded.length, 1, JSON.stringify(session.store.findings(), null, 2));

      const findings = lint(script);
      assert.equal(findings.length, 1);
      const [linked] = linkRecordedNPlusOne(findings, recorded);
      assert.match(linked.message, new RegExp(`Seen at run time: ${recorded[0].calls} queries of \`${summary.replace(/[$.]/g, '\\$&')}\``));
      const sites = findings.map((f) => ({ path: script, range: f.range, lookup: f.perRowLookup! }));
      assert.deepEqual(
        codeSitesOf(recorded[0], sites).map((site) => site.range),
        [findings[0].range],
      );
      // The other program's loop reads another table: not linked.
      const other = lint(script === 'category_report.py' ? 'order_report.py' : 'category_report.py');
      assert.deepEqual(linkRecordedNPlusOne(other, recorded), other);
    });
  }
});
