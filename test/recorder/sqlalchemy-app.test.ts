import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ResolvedConnection } from '../../src/db/connection-config';
import type { WorkloadFinding } from '../../src/core/workload/model';
import { startRecording, testConnection, until, type TestRecording } from './recorder-support';

const run = promisify(execFile);
/** Debian's interpreter, where python3-sqlalchemy and python3-psycopg2 are installed. */
const PYTHON = process.env.PLAN_LENS_PYTHON ?? '/usr/bin/python3';
const SHOP = join(__dirname, 'apps', 'shop.py');

describe('a real SQLAlchemy application through the query recorder (PostgreSQL 15)', function () {
  let connection: ResolvedConnection;
  let recording: TestRecording;

  before(async function () {
    connection = testConnection(this);
    const { host, port, user, password, database } = connection.config;
    const direct = `postgresql+psycopg2://${encodeURIComponent(user ?? '')}:${encodeURIComponent(String(password ?? ''))}@${host}:${port}/${database}`;
    await run(PYTHON, [SHOP, direct, 'setup']);
  });
  beforeEach(async () => {
    recording = await startRecording(connection);
  });
  afterEach(async () => {
    await until(() => recording.session.openConnections === 0).catch(() => undefined);
    await recording.session.stop();
  });

  async function record(scenario: string): Promise<WorkloadFinding[]> {
    await run(PYTHON, [SHOP, recording.url({ driver: 'postgresql+psycopg2', sslmode: 'prefer' }), scenario]);
    await until(() => recording.session.openConnections === 0);
    await recording.session.flush();
    return recording.session.store.findings();
  }

  it('reports the lazy many-to-one loop as N+1 with the right count and the SQLAlchemy fix', async () => {
    const findings = await record('lazy-many-to-one');
    const nPlusOne = findings.filter((finding) => finding.id === 'n-plus-one');
    assert.equal(nPlusOne.length, 1, JSON.stringify(findings, null, 2));
    // 20 products in 8 categories: the identity map loads each category once.
    assert.equal(nPlusOne[0].calls, 8);
    assert.match(nPlusOne[0].query, /FROM rec_categories\s+WHERE rec_categories\.id = \$1/);
    assert.match(nPlusOne[0].message, /^N\+1: 8 calls of [^]* ms in total\), one per row of "SELECT rec_products\.id AS rec_products_id/);
    assert.match(nPlusOne[0].fix, /joinedload\(Parent\.relation\)/);
    const group = recording.session.store.groups().find((candidate) => candidate.fingerprint === nPlusOne[0].fingerprint);
    assert.equal(group?.calls, 8);
    assert.equal(nPlusOne[0].totalMs, group?.totalMs);
  });

  it('reports a lazy collection loop as N+1 with selectinload as the fix', async () => {
    const findings = await record('lazy-collection');
    const nPlusOne = findings.filter((finding) => finding.id === 'n-plus-one');
    assert.equal(nPlusOne.length, 1, JSON.stringify(findings, null, 2));
    assert.equal(nPlusOne[0].calls, 8);
    assert.match(nPlusOne[0].fix, /selectinload\(Parent\.collection\)/);
  });

  for (const scenario of ['selectinload', 'joinedload']) {
    it(`does not report the same loop written with ${scenario}`, async () => {
      const findings = await record(scenario);
      assert.deepEqual(
        findings.filter((finding) => finding.id === 'n-plus-one'),
        [],
      );
      assert.ok(recording.session.store.statementCount >= 1);
    });
  }

  it('reports an add()-per-row loop as row-by-row writes in one transaction', async () => {
    const findings = await record('add-per-row');
    const rowByRow = findings.filter((finding) => finding.id === 'row-by-row-write');
    assert.equal(rowByRow.length, 1, JSON.stringify(findings, null, 2));
    assert.equal(rowByRow[0].calls, 30);
    assert.match(
      rowByRow[0].message,
      /^Row-by-row INSERT: 30 single-row statements of "INSERT INTO rec_orders [^]* in one transaction\)\.$/,
    );
    assert.match(rowByRow[0].fix, /session\.execute\(insert\(Model\), \[dict, \.\.\.\]\)/);
  });

  it('reports a 0.6 s statement as slow', async () => {
    const findings = await record('slow');
    const slow = findings.filter((finding) => finding.id === 'slow-statement');
    assert.equal(slow.length, 1, JSON.stringify(findings, null, 2));
    assert.equal(slow[0].calls, 1);
    assert.match(slow[0].query, /pg_sleep\(\$1\)/);
    assert.ok(slow[0].totalMs >= 500, String(slow[0].totalMs));
  });
});
