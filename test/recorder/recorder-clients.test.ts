import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, connect, type Server } from 'node:net';
import { promisify } from 'node:util';
import { Client, Pool } from 'pg';
import type { ResolvedConnection } from '../../src/db/connection-config';
import { ListenError, QueryRecorder } from '../../src/recorder/proxy';
import { startRecording, testConnection, until, type TestRecording } from './recorder-support';

const run = promisify(execFile);

describe('the query recorder with real clients (PostgreSQL 15)', function () {
  let connection: ResolvedConnection;
  let recording: TestRecording;

  before(function () {
    connection = testConnection(this);
  });
  beforeEach(async () => {
    recording = await startRecording(connection);
  });
  afterEach(async () => {
    // pg's pool.end() resolves before its connections have said goodbye to the recorder.
    await until(() => recording.session.openConnections === 0).catch(() => undefined);
    await recording.session.stop();
  });

  const statements = async () => {
    await recording.session.flush();
    return recording.session.store.latest();
  };

  it('records node-postgres simple and extended protocol statements with their parameters, rows and errors through a pool', async () => {
    const pool = new Pool({ connectionString: recording.url(), max: 3 });
    try {
      await pool.query('CREATE TEMP TABLE IF NOT EXISTS t (id int)');
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => pool.query('SELECT g FROM generate_series(1, $1::int) g', [n])));
      assert.deepEqual(
        results.map((result) => result.rowCount),
        [1, 2, 3, 4, 5, 6],
      );
      await assert.rejects(pool.query('SELECT no_such_column FROM pg_class WHERE oid = $1', [1]), /no_such_column/);
      const ok = await pool.query("SELECT 'after the error' AS still");
      assert.equal(ok.rows[0].still, 'after the error');
    } finally {
      await pool.end();
    }
    const recorded = await statements();
    const series = recorded.filter((statement) => statement.sql.startsWith('SELECT g FROM generate_series'));
    assert.equal(series.length, 6);
    assert.deepEqual(series.map((statement) => Number(statement.params[0])).sort(), [1, 2, 3, 4, 5, 6]);
    for (const statement of series) assert.equal(statement.rows, Number(statement.params[0]));
    assert.equal(new Set(series.map((statement) => statement.fingerprint)).size, 1);
    assert.ok(new Set(recorded.map((statement) => statement.connectionId)).size > 1, 'the pool used several connections');
    const failed = recorded.find((statement) => statement.error);
    assert.match(failed?.error ?? '', /column "no_such_column" does not exist/);
    assert.deepEqual(failed?.params, ['1']);
    const group = recording.session.store.groups().find((candidate) => candidate.query.startsWith('SELECT g FROM generate_series'));
    assert.equal(group?.calls, 6);
    assert.equal(group?.rows, 21);
  });

  it('gives the statements of one transaction one transaction id, and autocommit statements each their own', async () => {
    const client = new Client({ connectionString: recording.url() });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT 1');
      await client.query('SELECT $1::int', [2]);
      await client.query('COMMIT');
      await client.query('SELECT 3');
      await client.query('SELECT 4');
    } finally {
      await client.end();
    }
    const recorded = await statements();
    const ids = recorded.map((statement) => statement.transactionId);
    assert.equal(new Set(ids.slice(0, 4)).size, 1);
    assert.notEqual(ids[4], ids[3]);
    assert.notEqual(ids[5], ids[4]);
  });

  it('times statements by the server: pg_sleep(0.3) is recorded within the round trip the application saw', async () => {
    const client = new Client({ connectionString: recording.url() });
    await client.connect();
    let roundTripMs: number;
    try {
      const started = performance.now();
      await client.query('SELECT pg_sleep(0.3)');
      roundTripMs = performance.now() - started;
    } finally {
      await client.end();
    }
    const [sleep] = (await statements()).filter((statement) => statement.sql.includes('pg_sleep'));
    // pg_sleep follows the server's wall clock, which a busy virtual machine may step: some slack below 300 ms.
    assert.ok(sleep.durationMs >= 200, `${sleep.durationMs} ms`);
    assert.ok(sleep.durationMs <= roundTripMs, `${sleep.durationMs} ms recorded, ${roundTripMs} ms seen by the application`);
  });

  it('records psql, which asks for TLS first (sslmode=prefer) and goes on in plain text', async () => {
    const { stdout } = await run(
      'psql',
      [recording.url({ sslmode: 'prefer' }), '-X', '-A', '-t', '-c', 'SELECT count(*) FROM generate_series(1, 42)'],
      {
        env: { ...process.env, PGAPPNAME: 'psql-through-recorder' },
      },
    );
    assert.equal(stdout.trim(), '42');
    const recorded = await statements();
    const count = recorded.find((statement) => statement.sql.includes('generate_series(1, 42)'));
    assert.equal(count?.rows, 1);
    assert.equal(count?.applicationName, 'psql-through-recorder');
    assert.deepEqual(
      recording.events.filter((event) => event.kind === 'problem'),
      [],
    );
  });

  it('psql with sslmode=require gets a clear error at once, and the recorder says why', async () => {
    await assert.rejects(
      run('psql', [recording.url({ sslmode: 'require' }), '-X', '-c', 'SELECT 1'], { timeout: 10_000 }),
      /server does not support SSL/,
    );
    await until(() => recording.events.some((event) => event.kind === 'problem'));
    const problem = recording.events.find((event) => event.kind === 'problem');
    assert.match(problem?.kind === 'problem' ? problem.message : '', /asked the recorder for TLS.*sslmode=disable/);
  });

  it("passes PostgreSQL's own authentication error through (SCRAM)", async () => {
    const client = new Client({ connectionString: recording.url().replace(/:[^:@/]+@/, ':wrong-password@') });
    await assert.rejects(client.connect(), /password authentication failed/);
  });

  it('answers a protocol version it does not know with an error, not a hang', async () => {
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect(recording.port, '127.0.0.1', () => {
        const packet = Buffer.alloc(8);
        packet.writeInt32BE(8, 0);
        packet.writeInt32BE((2 << 16) | 0, 4);
        socket.write(packet);
      });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
      socket.setTimeout(5000, () => reject(new Error('the recorder did not answer')));
    });
    assert.equal(String.fromCharCode(answer[0]), 'E');
    assert.match(answer.toString('utf8'), /unsupported frontend protocol 2\.0/);
  });

  it('stopping the recorder ends an open transaction with a PostgreSQL error, as a server shutdown does', async () => {
    const client = new Client({ connectionString: recording.url() });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT 1');
    await recording.session.stop();
    await until(() => errors.length > 0);
    assert.match(
      errors[0].message,
      /terminating connection because the Plan Lens recorder stopped \(the open transaction was rolled back\)/,
    );
    await client.end().catch(() => undefined);
  });

  it('says which port to use instead when the listen port is taken', async () => {
    const second = new QueryRecorder({
      upstream: { host: '127.0.0.1', port: 1, tls: false },
      listenPort: recording.port,
      onStatement: () => undefined,
    });
    await assert.rejects(second.start(), (error: unknown) => {
      assert.ok(error instanceof ListenError);
      assert.match(
        error.message,
        new RegExp(`^Port ${recording.port} on 127\\.0\\.0\\.1 is already in use: choose another port, for example \\d+\\.$`),
      );
      return true;
    });
  });
});

describe('the query recorder when the server is down', function () {
  let closedPort: number;
  let recorder: QueryRecorder;
  const problems: string[] = [];

  before(async () => {
    // A port that was just free: nothing listens there.
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    recorder = new QueryRecorder({
      upstream: { host: '127.0.0.1', port: closedPort, tls: false },
      listenPort: 0,
      onStatement: () => undefined,
      onEvent: (event) => {
        if (event.kind === 'problem') problems.push(event.message);
      },
    });
  });
  after(() => recorder.stop());

  it('gives the application a PostgreSQL error and says what happened', async () => {
    const { port } = await recorder.start();
    const client = new Client({ host: '127.0.0.1', port, user: 'app', database: 'app', password: 'x' });
    await assert.rejects(
      client.connect(),
      new RegExp(
        `could not connect to the PostgreSQL server at 127\\.0\\.0\\.1:${closedPort} through the Plan Lens recorder: .*ECONNREFUSED`,
      ),
    );
    assert.match(problems[0], /ECONNREFUSED.*Check that the server is running/);
  });
});
