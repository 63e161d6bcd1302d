/**
 * `plan-lens record` and `plan-lens slow` as a user runs them: the built dist/cli.js in a child
 * process, against the PostgreSQL 15 server of the test run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ResolvedConnection } from '../../src/db/connection-config';
import type { WorkloadReport } from '../../src/core/workload/recording-store';
import { testConnection } from './recorder-support';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

interface Running {
  child: ChildProcess;
  url: string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function serverUrl(connection: ResolvedConnection): string {
  const { user, password, host, port, database } = connection.config;
  return `postgresql://${encodeURIComponent(user ?? '')}:${encodeURIComponent(String(password ?? ''))}@${host}:${port}/${database}`;
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return Promise.resolve({ code: result.status, stdout: result.stdout, stderr: result.stderr });
}

/** Starts `plan-lens record` and resolves once it prints the URL to point the application at. */
function startRecord(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [cli, 'record', ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  child.stdout!.on('data', (data) => (stdout += data));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (data) => {
      stderr += data;
      const url = /point the application at (\S+)/.exec(stderr)?.[1];
      if (url) resolve({ child, url, done });
    });
    void done.then(() => reject(new Error(`plan-lens record exited early: ${stderr}`)));
  });
}

describe('plan-lens record and slow (PostgreSQL 15)', function () {
  let connection: ResolvedConnection;
  let work: string;

  before(function () {
    connection = testConnection(this);
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    work = mkdtempSync(join(tmpdir(), 'plan-lens-record-'));
  });
  after(() => work && rmSync(work, { recursive: true, force: true }));

  it('records until SIGTERM, prints the JSON report, writes --out and fails on the chosen findings', async () => {
    const out = join(work, 'report.json');
    const running = await startRecord([
      '--db',
      serverUrl(connection),
      '--listen',
      '127.0.0.1:0',
      '--json',
      '--out',
      out,
      '--fail-on',
      'n-plus-one,slow',
    ]);
    assert.match(running.url, /^postgresql:\/\/[^:@]+@127\.0\.0\.1:\d+\/\w+\?sslmode=disable$/);
    const client = new Client({ connectionString: running.url, password: String(connection.config.password) });
    await client.connect();
    const ids = await client.query('SELECT g AS id FROM generate_series(1, 6) g');
    for (const row of ids.rows) await client.query('SELECT $1::int * 2 AS doubled', [row.id]);
    await client.end();
    running.child.kill('SIGTERM');
    const { code, stdout } = await running.done;
    const report = JSON.parse(stdout) as WorkloadReport;
    assert.deepEqual(Object.keys(report), ['version', 'startedAt', 'statements', 'findings']);
    assert.ok(Math.abs(Date.parse(String(report.startedAt)) - Date.now()) < 120_000, report.startedAt);
    assert.equal(report.version, 1);
    const doubled = report.statements.find((statement) => statement.query.startsWith('SELECT $1::int * $2'));
    assert.deepEqual(Object.keys(doubled ?? {}), ['fingerprint', 'query', 'calls', 'totalMs', 'meanMs', 'rows']);
    assert.equal(doubled?.calls, 6);
    assert.equal(doubled?.rows, 6);
    const [finding] = report.findings;
    assert.deepEqual(Object.keys(finding), ['id', 'severity', 'fingerprint', 'calls', 'totalMs', 'message', 'fix']);
    assert.equal(finding.id, 'n-plus-one');
    assert.equal(finding.calls, 6);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), report);
  });

  it('stops after --duration and exits 0 when nothing it fails on was found', async () => {
    const running = await startRecord(['--db', serverUrl(connection), '--listen', '127.0.0.1:0', '--duration', '1', '--fail-on', 'slow']);
    const { code, stdout } = await running.done;
    assert.equal(code, 0);
    assert.match(stdout, /^Recorded 0 statements of 0 shapes\.\n\nNo findings\.\n$/);
  });

  it('says in one sentence when the listen port is taken', async () => {
    const running = await startRecord(['--db', serverUrl(connection), '--listen', '127.0.0.1:0', '--duration', '5']);
    const port = /:(\d+)\//.exec(running.url)![1];
    const second = await runCli(['record', '--db', serverUrl(connection), '--listen', `127.0.0.1:${port}`]);
    running.child.kill('SIGINT');
    await running.done;
    assert.equal(second.code, 2);
    assert.match(
      second.stderr,
      new RegExp(`^plan-lens record: Port ${port} on 127\\.0\\.0\\.1 is already in use: choose another port, for example \\d+\\.\\n$`),
    );
  });

  it('slow: says how to enable pg_stat_statements, then lists the statements by total time', async () => {
    const admin = new Client(connection.config);
    await admin.connect();
    try {
      await admin.query('DROP EXTENSION IF EXISTS pg_stat_statements');
      const missing = await runCli(['slow', '--db', serverUrl(connection)]);
      assert.equal(missing.code, 2);
      assert.match(
        missing.stderr,
        /pg_stat_statements is loaded but not created in this database: run CREATE EXTENSION pg_stat_statements/,
      );
      await admin.query('CREATE EXTENSION pg_stat_statements');
      await admin.query('SELECT pg_stat_statements_reset()');
      for (let i = 0; i < 3; i++) await admin.query('SELECT pg_sleep(0.2), $1::int AS probe_slow_cli', [i]);
    } finally {
      await admin.end();
    }
    const result = await runCli(['slow', '--db', serverUrl(connection), '--json', '--slow-ms', '150']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as WorkloadReport;
    const probe = report.statements.find((statement) => statement.query.includes('probe_slow_cli'));
    assert.equal(probe?.calls, 3);
    assert.ok((probe?.meanMs ?? 0) >= 150, String(probe?.meanMs));
    assert.ok(report.findings.some((finding) => finding.id === 'slow-statement' && finding.fingerprint === probe?.fingerprint));
  });
});
