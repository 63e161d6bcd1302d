/**
 * Both ends of an N+1 on the real thing: the sample SQLAlchemy programs run THROUGH the query
 * recorder against PostgreSQL 15, and the N+1 the recorder saw is matched with the lint finding
 * of the very file that ran, in core (the editor's path) and through `plan-lens lint --recording`.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ModelIndex } from '../../src/core/code/models';
import { codeSitesOf, linkRecordedNPlusOne, recordedNPlusOneOf } from '../../src/core/code/runtime-links';
import type { CodeParsers } from '../../src/core/code/syntax';
import { formatClockTime, formatMs } from '../../src/core/format';
import type { ResolvedConnection } from '../../src/db/connection-config';
import { loadCodeParsers } from '../../src/host/grammar-files';
import { onServer } from '../support/pool-query';
import { APPS_DIR, indexedModels, lintText } from '../support/code-apps';
import { startRecording, testConnection, until, type TestRecording } from './recorder-support';

const run = promisify(execFile);
const PYTHON = process.env.PLAN_LENS_PYTHON ?? '/usr/bin/python3';
const ROOT = join(__dirname, '..', '..');
const SCHEMA = `code_links_${process.pid}`;

describe('recorded N+1 linked with the code that ran it (SQLAlchemy through the recorder, PostgreSQL 15)', function () {
  this.timeout(300_000);
  let connection: ResolvedConnection;
  let appDir: string;
  let parsers: CodeParsers;
  let models: ModelIndex;
  let recording: TestRecording | undefined;

  const urlFor = (base: string) => `${base.replace(/^postgresql:/, 'postgresql+psycopg2:')}&options=-csearch_path%3D${SCHEMA}`;

  before(async function () {
    connection = testConnection(this);
    await onServer(connection, `CREATE SCHEMA ${SCHEMA}`);
    appDir = mkdtempSync(join(tmpdir(), 'plan-lens-links-'));
    cpSync(join(APPS_DIR, 'sqlalchemy_shop'), appDir, { recursive: true });
    const { host, port, user, password, database } = connection.config;
    const direct = `postgresql://${encodeURIComponent(user ?? '')}:${encodeURIComponent(String(password ?? ''))}@${host}:${port}/${database}?sslmode=disable`;
    await run(PYTHON, ['-c', 'import database; database.seed()'], { cwd: appDir, env: { ...process.env, DATABASE_URL: urlFor(direct) } });
    parsers = await loadCodeParsers();
    models = indexedModels(parsers);
  });
  afterEach(async () => {
    await recording?.session.stop();
    recording = undefined;
  });
  after(async () => {
    if (appDir) rmSync(appDir, { recursive: true, force: true });
    if (!connection) return;
    await onServer(connection, `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  });

  /** Runs a sample program through a fresh recording; the recording is left open for the test to read. */
  async function recordRun(script: string): Promise<TestRecording> {
    recording = await startRecording(connection);
    await run(PYTHON, [script], { cwd: appDir, env: { ...process.env, DATABASE_URL: urlFor(recording.url()) } });
    await until(() => recording!.session.openConnections === 0);
    await recording.session.flush();
    return recording;
  }

  function lint(script: string) {
    const path = join(appDir, script);
    return lintText(parsers, path, readFileSync(path, 'utf8'), { models }).findings;
  }

  for (const [script, calls, summary] of [
    ['category_report.py', 10, 'SELECT … FROM categories WHERE categories.id = $1'],
    ['order_report.py', 15, 'SELECT … FROM order_items WHERE order_items.order_id = $1'],
  ] as const) {
    it(`${script}: the recorded N+1 names the lint finding's loop, and the finding says what was recorded`, async () => {
      const { session } = await recordRun(script);
      const nPlusOne = session.store.findings().filter((finding) => finding.id === 'n-plus-one');
      assert.equal(nPlusOne.length, 1, JSON.stringify(session.store.findings(), null, 2));
      assert.equal(nPlusOne[0].calls, calls);
      const recorded = recordedNPlusOneOf(session.store.findings(), session.startedAt!);
      const findings = lint(script);
      const [linked] = linkRecordedNPlusOne(findings, recorded);
      assert.equal(linked.code, 'sqlalchemy-n-plus-one');
      assert.ok(
        linked.message.endsWith(
          ` Seen at run time: ${calls} queries of \`${summary}\` in ${formatMs(nPlusOne[0].totalMs)} (recording at ${formatClockTime(session.startedAt!)}).`,
        ),
        linked.message,
      );
      // The other direction: the recorded N+1 leads to the attribute read in this file.
      const sites = findings.flatMap((f) => (f.perRowLookup ? [{ path: script, range: f.range, lookup: f.perRowLookup }] : []));
      assert.deepEqual(codeSitesOf(recorded[0], sites), [{ path: script, range: findings[0].range, lookup: findings[0].perRowLookup }]);
      // And not to the other program's loop, which loads another table.
      const other = lint(script === 'category_report.py' ? 'order_report.py' : 'category_report.py');
      assert.deepEqual(linkRecordedNPlusOne(other, recorded), other);
    });
  }

  it('order_lines_report.py: both N+1 of the nested loop are recorded and named in both of its findings', async () => {
    const { session } = await recordRun('order_lines_report.py');
    const recorded = recordedNPlusOneOf(session.store.findings(), session.startedAt!);
    assert.deepEqual(
      recorded.map((r) => r.calls).sort((a, b) => a - b),
      [15, 30],
      JSON.stringify(session.store.findings(), null, 2),
    );
    const linked = linkRecordedNPlusOne(lint('order_lines_report.py'), recorded);
    assert.deepEqual(
      linked.map((f) => [f.message.split(' ')[0], /Seen at run time: (\d+) queries of `([^`]*)`/.exec(f.message)?.slice(1)]),
      [
        ['order.items', ['15', 'SELECT … FROM order_items WHERE order_items.order_id = $1']],
        ['item.product', ['30', 'SELECT … FROM products WHERE products.id = $1']],
      ],
    );
  });

  it('plan-lens lint --recording names the N+1 of a recording saved with plan-lens record --out', async function () {
    if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0)
      throw new Error('build failed');
    const { session } = await recordRun('category_report.py');
    const saved = join(appDir, 'recording.json');
    writeFileSync(saved, JSON.stringify(session.store.report(session.startedAt)));
    const lint = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'lint', ...args], { encoding: 'utf8' });
    // The directory, so the models are indexed too.
    const result = lint([appDir, '--recording', saved, '--json']);
    assert.equal(result.status, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as Array<{ file: string; code: string; message: string }>;
    const linked = findings.filter((f) => f.message.includes('Seen at run time'));
    assert.deepEqual(
      linked.map((f) => [f.file.split('/').pop(), f.code]),
      [['category_report.py', 'sqlalchemy-n-plus-one']],
    );
    const [finding] = linked;
    assert.match(
      finding.message,
      new RegExp(
        `Seen at run time: 10 queries of \`SELECT … FROM categories WHERE categories\\.id = \\$1\` in [\\d.]+ ms \\(recording at ${formatClockTime(session.startedAt!)}\\)\\.$`,
      ),
    );
    writeFileSync(join(appDir, 'not-a-recording.json'), '{"plans": []}');
    const bad = lint([join(appDir, 'category_report.py'), '--recording', join(appDir, 'not-a-recording.json')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not-a-recording\.json is not a recording saved by plan-lens record --out/);
  });
});
