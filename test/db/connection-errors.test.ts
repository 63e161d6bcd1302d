import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { InvalidConnectionSettingsError, resolveConnection, type ResolvedConnection } from '../../src/db/connection-config';
import { DatabaseConnectionError, describeConnectionError } from '../../src/db/connection-errors';
import { createPool } from '../../src/db/pool';
import { FakePostgresServer, type FakeServerBehaviour } from '../support/fake-postgres-server';
import { configuredPostgres } from '../support/test-servers';

/** The sentence a pool reports when it cannot connect with `connection`. */
async function connectFailure(
  connection: ResolvedConnection,
  connectionTimeoutMillis = 5_000,
  storedPassword?: string,
): Promise<DatabaseConnectionError> {
  const pool = createPool(connection, { max: 1, connectionTimeoutMillis, storedPassword });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    assert.ok(error instanceof DatabaseConnectionError, `not a DatabaseConnectionError: ${String(error)}`);
    return error;
  } finally {
    await pool.end();
  }
  assert.fail(`connecting to ${connection.describe()} succeeded`);
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connection errors', () => {
  describe('without a server', () => {
    it('says nothing is listening when the port is closed', async () => {
      const port = await unusedPort();
      const error = await connectFailure(resolveConnection({ url: `postgresql://app:secret@127.0.0.1:${port}/shop`, env: {} })!);
      assert.equal(
        error.message,
        `Cannot connect to app@127.0.0.1:${port}/shop: nothing is listening at 127.0.0.1:${port}: is the server running, and are the host and port right?`,
      );
      assert.equal(error.code, 'ECONNREFUSED');
    });

    it('says the host name does not resolve', async () => {
      const error = await connectFailure(resolveConnection({ url: 'postgresql://app@nonexistent.invalid/shop', env: {} })!);
      assert.equal(
        error.message,
        'Cannot connect to app@nonexistent.invalid:5432/shop: the host name "nonexistent.invalid" does not resolve: check the host in the connection settings.',
      );
    });

    describe('against servers in states the test server cannot be put in', () => {
      let fake: FakePostgresServer | undefined;
      afterEach(async () => {
        await fake?.close();
        fake = undefined;
      });
      const failureFrom = async (behaviour: FakeServerBehaviour, connectionTimeoutMillis?: number) => {
        fake = await FakePostgresServer.start(behaviour);
        return connectFailure(
          resolveConnection({ url: `postgresql://app:secret@127.0.0.1:${fake.port}/shop`, env: {} })!,
          connectionTimeoutMillis,
        );
      };

      it('says to try again while the server starts up (57P03)', async () => {
        const error = await failureFrom({ kind: 'reject', code: '57P03', message: 'the database system is starting up' });
        assert.match(
          error.message,
          /^Cannot connect to app@127\.0\.0\.1:\d+\/shop: the server is starting up, shutting down or recovering .*: try again in a moment\.$/,
        );
        assert.equal(error.code, '57P03');
      });

      it('says to set sslmode=require when pg_hba.conf allows only encrypted connections', async () => {
        const error = await failureFrom({
          kind: 'reject',
          code: '28000',
          message: 'no pg_hba.conf entry for host "127.0.0.1", user "app", database "shop", no encryption',
        });
        assert.match(error.message, /the server accepts this connection only over SSL: set sslmode=require/);
      });

      it('names the connection timeout when the server never answers', async () => {
        const error = await failureFrom({ kind: 'silent' }, 300);
        assert.match(error.message, /the server did not answer within the connection timeout of 300 ms \(connectionTimeoutMillis\)/);
      });
    });

    it('passes on sentences that are already written', () => {
      const written = new DatabaseConnectionError('Cannot connect to x: because.', undefined);
      assert.equal(describeConnectionError(written, 'elsewhere'), 'Cannot connect to x: because.');
      const settings = new InvalidConnectionSettingsError('sslmode "x" is not supported: use one of disable.');
      assert.equal(describeConnectionError(settings, 'elsewhere'), settings.message);
    });
  });

  describe('against the PostgreSQL server', function () {
    let server: ResolvedConnection;
    before(function () {
      const configured = configuredPostgres();
      if (!configured) this.skip();
      server = configured;
    });
    const variant = (change: (url: URL) => void): ResolvedConnection => {
      const { host, port, user, password, database } = server.config;
      const url = new URL(`postgresql://${encodeURIComponent(user!)}@${host}:${port}/${encodeURIComponent(database!)}`);
      if (typeof password === 'string') url.password = password;
      change(url);
      return resolveConnection({ url: url.toString(), env: {} })!;
    };

    it('names the user whose password was rejected, without repeating the password', async () => {
      const error = await connectFailure(variant((url) => (url.password = 'not-the-password-42')));
      assert.equal(
        error.message,
        `Cannot connect to ${server.describe()}: the password for user "${server.config.user}" was rejected: check the password (in the URL, PGPASSWORD or ~/.pgpass).`,
      );
      assert.ok(!error.message.includes('not-the-password-42'));
      assert.equal(error.code, '28P01');
    });

    it('for a stored connection, asks to enter its stored password again instead of pointing to the URL', async () => {
      const error = await connectFailure(
        variant((url) => (url.password = 'not-the-password-42')),
        5_000,
        'the password stored for "shop"',
      );
      assert.equal(
        error.message,
        `Cannot connect to ${server.describe()}: the password for user "${server.config.user}" was rejected: enter the password stored for "shop" again.`,
      );
    });

    it('names the database that does not exist', async () => {
      const missing = `plan_lens_missing_${process.pid}`;
      const error = await connectFailure(variant((url) => (url.pathname = `/${missing}`)));
      assert.match(
        error.message,
        new RegExp(`the database "${missing}" does not exist: check the database name \\(the URL path or PGDATABASE\\)\\.$`),
      );
      assert.equal(error.code, '3D000');
    });

    it('handles sslmode according to what the server offers', async function () {
      const client = new Client(server.config);
      await client.connect();
      const sslOn = (await client.query<{ ssl: string }>('SHOW ssl')).rows[0]!.ssl === 'on';
      await client.end();
      if (!sslOn) {
        const error = await connectFailure(variant((url) => url.searchParams.set('sslmode', 'require')));
        assert.match(error.message, /the server does not support SSL: set sslmode=disable/);
        return;
      }
      // Debian's default certificate is self-signed for the machine's name: encryption works, verification cannot.
      const pool = createPool(
        variant((url) => url.searchParams.set('sslmode', 'require')),
        { max: 1 },
      );
      const encrypted = await pool.connect();
      encrypted.release();
      await pool.end();
      const error = await connectFailure(variant((url) => url.searchParams.set('sslmode', 'verify-full')));
      assert.match(error.message, /the server's SSL certificate cannot be verified .*sslrootcert=/);
    });
  });
});
