import assert from 'node:assert/strict';
import { InvalidConnectionSettingsError, resolveConnection } from '../../src/db/connection-config';

describe('resolveConnection', () => {
  it('returns undefined when nothing names a server, so the caller can offer the demo database', () => {
    assert.equal(resolveConnection({ env: {} }), undefined);
    assert.equal(resolveConnection({ url: '  ', env: { PGPASSWORD: 'secret', PGSSLMODE: 'require' } }), undefined);
  });

  it('prefers an explicit URL to DATABASE_URL, and DATABASE_URL to the PG variables', () => {
    const env = { DATABASE_URL: 'postgresql://app@db.internal:6432/shop', PGHOST: 'pg.local', PGUSER: 'alice' };
    const explicit = resolveConnection({ url: 'postgres://bob@other:5433/reports', env })!;
    assert.equal(explicit.source, 'url');
    assert.equal(explicit.describe(), 'bob@other:5433/reports');
    const fromDatabaseUrl = resolveConnection({ env })!;
    assert.equal(fromDatabaseUrl.source, 'DATABASE_URL');
    assert.equal(fromDatabaseUrl.describe(), 'app@db.internal:6432/shop');
    const fromVariables = resolveConnection({ env: { PGHOST: 'pg.local', PGUSER: 'alice', PGDATABASE: 'books', PGPORT: '5444' } })!;
    assert.equal(fromVariables.source, 'PG environment');
    assert.equal(fromVariables.describe(), 'alice@pg.local:5444/books');
  });

  it('fills what a URL leaves out from the PG variables, then from libpq defaults', () => {
    const resolved = resolveConnection({ url: 'postgresql:///inventory', env: { PGHOST: '10.0.0.5', PGUSER: 'carol', PGPASSWORD: 'pw' } })!;
    assert.deepEqual(
      {
        host: resolved.config.host,
        port: resolved.config.port,
        user: resolved.config.user,
        database: resolved.config.database,
        password: resolved.config.password,
      },
      { host: '10.0.0.5', port: 5432, user: 'carol', database: 'inventory', password: 'pw' },
    );
    const defaults = resolveConnection({ env: { PGUSER: 'dave' } })!;
    assert.equal(defaults.describe(), 'dave@localhost:5432/dave');
  });

  it('decodes a percent-encoded password and never shows it in describe()', () => {
    const resolved = resolveConnection({ url: 'postgresql://erin:p%40ss%3Aw%2Frd@db:5432/app', env: {} })!;
    assert.equal(resolved.config.password, 'p@ss:w/rd');
    assert.equal(resolved.describe(), 'erin@db:5432/app');
    assert.ok(!resolved.describe().includes('p@ss'));
  });

  it('leaves the password unset when none is given, so pg can read ~/.pgpass', () => {
    const resolved = resolveConnection({ url: 'postgresql://frank@db/app', env: {} })!;
    assert.equal('password' in resolved.config, false);
  });

  it('always names itself plan-lens in pg_stat_activity', () => {
    const resolved = resolveConnection({ url: 'postgresql://u@h/d?application_name=someone-else', env: { PGAPPNAME: 'other' } })!;
    assert.equal(resolved.config.application_name, 'plan-lens');
  });

  it('puts brackets around an IPv6 host in describe()', () => {
    assert.equal(resolveConnection({ url: 'postgresql://u@[::1]:5433/d', env: {} })!.describe(), 'u@[::1]:5433/d');
  });

  describe('sslmode', () => {
    const ssl = (url: string, env: NodeJS.ProcessEnv = {}) => resolveConnection({ url, env })!.config.ssl;

    it('connects in plain text without an sslmode, and with sslmode=disable', () => {
      assert.equal(ssl('postgresql://u@h/d'), false);
      assert.equal(ssl('postgresql://u@h/d?sslmode=disable'), false);
    });

    it('encrypts without verifying the certificate for prefer, require and no-verify, as libpq does', () => {
      for (const mode of ['prefer', 'require', 'no-verify']) {
        assert.deepEqual(ssl(`postgresql://u@h/d?sslmode=${mode}`), { rejectUnauthorized: false }, mode);
      }
    });

    it('verifies chain and host name for verify-full', () => {
      const config = ssl('postgresql://u@h/d?sslmode=verify-full');
      assert.equal(typeof config, 'object');
      assert.notEqual((config as { rejectUnauthorized?: boolean }).rejectUnauthorized, false);
    });

    it('takes PGSSLMODE when the URL has no sslmode, and the URL when it has one', () => {
      assert.deepEqual(ssl('postgresql://u@h/d', { PGSSLMODE: 'require' }), { rejectUnauthorized: false });
      assert.equal(ssl('postgresql://u@h/d?sslmode=disable', { PGSSLMODE: 'require' }), false);
      assert.deepEqual(resolveConnection({ env: { PGHOST: 'h', PGSSLMODE: 'require' } })!.config.ssl, { rejectUnauthorized: false });
    });

    it('refuses an unknown sslmode, naming the ones it takes', () => {
      assert.throws(
        () => ssl('postgresql://u@h/d?sslmode=requre'),
        (error: Error) => {
          assert.ok(error instanceof InvalidConnectionSettingsError);
          assert.match(
            error.message,
            /sslmode "requre" is not supported: use one of disable, allow, prefer, require, verify-ca, verify-full, no-verify/,
          );
          return true;
        },
      );
    });

    it('asks for the CA certificate when verify-ca has none', () => {
      assert.throws(() => ssl('postgresql://u@h/d?sslmode=verify-ca'), /verify-ca needs the CA certificate .* sslrootcert=/);
    });

    it('names an SSL file it cannot read', () => {
      assert.throws(
        () => ssl('postgresql://u@h/d?sslmode=verify-full&sslrootcert=/nonexistent/root.crt'),
        /Cannot read the SSL file \/nonexistent\/root\.crt/,
      );
    });
  });

  describe('invalid settings', () => {
    const failure = (url: string, env: NodeJS.ProcessEnv = {}): string => {
      try {
        resolveConnection({ url, env });
      } catch (error) {
        assert.ok(error instanceof InvalidConnectionSettingsError);
        return error.message;
      }
      assert.fail(`${url} was accepted`);
    };

    it('explains the URL form when the scheme is wrong', () => {
      assert.match(failure('mysql://root:hunter2@db/app'), /must start with postgresql:\/\/ or postgres:\/\//);
    });

    it('recognises libpq keyword=value strings and asks for a URL', () => {
      assert.match(
        failure('host=db user=app password=hunter2'),
        /keyword=value form.*write it as postgresql:\/\/user:password@host:5432\/database/,
      );
    });

    it('rejects a malformed URL without repeating the password', () => {
      const message = failure('postgresql://app:hunter2@db:99999999/app');
      assert.ok(!message.includes('hunter2'), message);
      assert.match(message, /not a valid URL|not a port number/);
    });

    it('rejects a port that is not a number', () => {
      assert.match(
        failure('postgresql://u@h/d', { PGPORT: 'abc' }),
        /PGPORT is "abc", not a port number: use a whole number from 1 to 65535/,
      );
      assert.throws(() => resolveConnection({ env: { PGHOST: 'h', PGPORT: '5432x' } }), /PGPORT is "5432x", not a port number/);
    });

    it('says where the bad URL came from', () => {
      assert.throws(
        () => resolveConnection({ env: { DATABASE_URL: 'http://example.com' } }),
        /^InvalidConnectionSettingsError: DATABASE_URL must start/,
      );
    });
  });
});

describe('connection URLs that hide a password in the wrong place', function () {
  const secret = 'Secret';
  for (const url of [
    `postgresql://app:2024/${secret}@db.example.com/shop`,
    `postgresql://app:pa?${secret}@db.example.com/shop`,
    `postgresql://app:pa#${secret}@db.example.com/shop`,
    `postgres://app:x/y/${secret}@db.example.com:6543/shop?sslmode=require`,
  ]) {
    it(`refuses ${url.replace(secret, '…')} without printing any part of it`, function () {
      assert.throws(
        () => resolveConnection({ url, env: {} }),
        (error: Error) => {
          assert.ok(error instanceof InvalidConnectionSettingsError);
          assert.match(error.message, /must be percent-encoded/);
          assert.doesNotMatch(error.message, new RegExp(`${secret}|app|db\\.example`));
          return true;
        },
      );
    });
  }

  it('still reads an "@" inside a parameter value, and an encoded password', function () {
    const resolved = resolveConnection({ url: 'postgresql://app:pa%2F%40ss@db.example.com/shop?application_name=a@b', env: {} })!;
    assert.equal(resolved.describe(), 'app@db.example.com:5432/shop');
    assert.equal(resolved.config.password, 'pa/@ss');
  });

  it('a URL that fails to parse is reported without its user-info', function () {
    assert.throws(
      () => resolveConnection({ url: `postgresql://app:${secret}@[::1/shop`, env: {} }),
      (error: Error) => !error.message.includes(secret) && !error.message.includes('app') && /not a valid URL/.test(error.message),
    );
  });
});
