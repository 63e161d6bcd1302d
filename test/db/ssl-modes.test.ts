/**
 * sslmode as libpq means it, against a PostgreSQL 15 server without SSL (the configured one) and
 * one with SSL (PLAN_LENS_SSL_PGPORT, set up by .ci/run with a self-signed certificate): prefer
 * falls back to a plain connection, allow starts plain, require and verify-full insist.
 */
import assert from 'node:assert/strict';
import { resolveConnection } from '../../src/db/connection-config';
import { DatabaseConnectionError } from '../../src/db/connection-errors';
import { createPool } from '../../src/db/pool';
import { postgresConfigured } from '../support/postgres-configured';

const SSL_CERTIFICATE = '/etc/postgresql/15/ssl/server.crt';

async function encrypted(url: string): Promise<boolean> {
  const pool = createPool(resolveConnection({ url, env: {} })!, { max: 1, connectionTimeoutMillis: 10_000 });
  try {
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]!.ssl;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

describe('sslmode against servers with and without SSL', function () {
  const user = () => `${encodeURIComponent(process.env.PGUSER!)}:${encodeURIComponent(process.env.PGPASSWORD!)}`;
  const plainServer = (mode: string) =>
    `postgresql://${user()}@${process.env.PGHOST}:${process.env.PGPORT ?? 5432}/${process.env.PGDATABASE}?sslmode=${mode}`;
  const sslServer = (mode: string, extra = '') =>
    `postgresql://${user()}@127.0.0.1:${process.env.PLAN_LENS_SSL_PGPORT}/${process.env.PLAN_LENS_SSL_PGDATABASE ?? 'planlens_test'}?sslmode=${mode}${extra}`;

  before(function () {
    if (!postgresConfigured()) this.skip();
  });

  it('prefer on a server without SSL falls back to a plain connection, as libpq does', async function () {
    assert.equal(await encrypted(plainServer('prefer')), false);
  });

  it('require on a server without SSL says so in one sentence', async function () {
    await assert.rejects(encrypted(plainServer('require')), (error: Error) => {
      assert.ok(error instanceof DatabaseConnectionError);
      assert.match(error.message, /the server does not support SSL: set sslmode=disable/);
      return true;
    });
  });

  it('allow on a server without SSL connects in plain text', async function () {
    assert.equal(await encrypted(plainServer('allow')), false);
  });

  describe('on the server with SSL', function () {
    before(function () {
      if (!process.env.PLAN_LENS_SSL_PGPORT) this.skip();
    });

    it('prefer encrypts', async function () {
      assert.equal(await encrypted(sslServer('prefer')), true);
    });

    it('allow tries plain first, which this server accepts', async function () {
      assert.equal(await encrypted(sslServer('allow')), false);
    });

    it('verify-full refuses the self-signed certificate without its CA, and accepts it with sslrootcert', async function () {
      await assert.rejects(encrypted(sslServer('verify-full')), /certificate cannot be verified/);
      assert.equal(await encrypted(sslServer('verify-full', `&sslrootcert=${SSL_CERTIFICATE}`)), true);
    });
  });
});
