/**
 * TLS to the server: the recorder asks for it (SSLRequest), completes the handshake and relays
 * over it. The server side is a TLS front (a self-signed certificate made with openssl) that
 * speaks PostgreSQL's SSLRequest and forwards to the real server of the test run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket, createSecureContext } from 'node:tls';
import { Client } from 'pg';
import type { ResolvedConnection } from '../../src/db/connection-config';
import { DEFAULT_WORKLOAD_SETTINGS } from '../../src/core/workload/model';
import { RecordingSession } from '../../src/recorder/recording-session';
import { testConnection, until } from './recorder-support';

describe('the query recorder with TLS to the server (PostgreSQL 15 behind a TLS front)', function () {
  let connection: ResolvedConnection;
  let dir: string;
  let front: Server;
  let frontPort: number;
  let encrypted = 0;

  before(async function () {
    connection = testConnection(this);
    dir = mkdtempSync(join(tmpdir(), 'plan-lens-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      {
        stdio: 'ignore',
      },
    );
    const context = createSecureContext({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    front = createServer((socket: Socket) => {
      socket.once('data', (request) => {
        // SSLRequest: length 8, code 80877103.
        if (request.length !== 8 || request.readInt32BE(4) !== 80877103) {
          socket.destroy();
          return;
        }
        socket.write('S');
        const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
        secure.once('secure', () => (encrypted += 1));
        const server = connect(Number(connection.config.port), String(connection.config.host));
        secure.pipe(server).pipe(secure);
        secure.on('error', () => server.destroy());
        server.on('error', () => secure.destroy());
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontPort = (front.address() as { port: number }).port;
  });
  after(async () => {
    if (front) await new Promise<void>((resolve) => front.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects to the server over TLS and records what the application sends in plain text to it', async () => {
    const session = new RecordingSession({
      upstream: { host: '127.0.0.1', port: frontPort, tls: { rejectUnauthorized: false } },
      listenPort: 0,
      settings: DEFAULT_WORKLOAD_SETTINGS,
    });
    const { port } = await session.start();
    const client = new Client({ ...connection.config, host: '127.0.0.1', port, ssl: false });
    await client.connect();
    try {
      const result = await client.query('SELECT $1::text AS through', ['tls']);
      assert.equal(result.rows[0].through, 'tls');
    } finally {
      await client.end();
    }
    await until(() => session.openConnections === 0);
    await session.stop();
    assert.equal(encrypted, 1);
    const recorded = session.store.latest().find((statement) => statement.sql === 'SELECT $1::text AS through');
    assert.deepEqual(recorded?.params, ['tls']);
  });
});
