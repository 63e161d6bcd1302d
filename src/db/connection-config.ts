/**
 * Which PostgreSQL server Plan Lens talks to: an explicit URL, else DATABASE_URL, else the standard
 * PG* variables, the order libpq users expect. Parts a URL leaves out fall back to the PG*
 * variables and then to libpq's defaults, and the result names every part explicitly, so pg never
 * fills anything in from the process environment behind our back and `describe()` is exactly
 * where the connection goes.
 */
import { userInfo } from 'node:os';
import type { ClientConfig } from 'pg';
import { parse } from 'pg-connection-string';

/** Shown in pg_stat_activity, so a DBA can tell Plan Lens sessions from the application's. */
export const APPLICATION_NAME = 'plan-lens';

export type ConnectionSource = 'url' | 'DATABASE_URL' | 'PG environment';

/**
 * libpq's second attempt: sslmode=prefer connects in plain text when the server refuses SSL, and
 * sslmode=allow over SSL when the server refuses the plain connection.
 */
export interface SslFallback {
  readonly ssl: ClientConfig['ssl'];
  readonly when: 'server-refuses-ssl' | 'server-requires-ssl';
}

export interface ResolvedConnection {
  readonly config: ClientConfig;
  readonly source: ConnectionSource;
  readonly sslFallback?: SslFallback;
  /** user@host:port/database, never the password. */
  describe(): string;
}

export interface ResolveConnectionOptions {
  url?: string;
  env?: NodeJS.ProcessEnv;
}

/** The connection settings themselves are wrong: the message says which and how to fix it. */
export class InvalidConnectionSettingsError extends Error {
  override readonly name = 'InvalidConnectionSettingsError';
}

/** The variables that name a server; PGPASSWORD or PGSSLMODE alone do not. */
const SERVER_VARIABLES = ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE'] as const;

/** libpq's sslmode values, and pg's own no-verify; prefer and allow fall back as libpq does (SslFallback). */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;

const SSL_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'] as const;

const URL_SCHEME = /^postgres(ql)?:\/\//i;

interface ConnectionParts {
  host?: string;
  port?: string;
  user?: string;
  password?: string;
  database?: string;
  sslmode?: string;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  options?: string;
}

/**
 * The connection to use, or undefined when nothing is configured (the caller then offers the
 * demo database). Throws InvalidConnectionSettingsError when the configuration cannot be used.
 */
export function resolveConnection({ url, env = process.env }: ResolveConnectionOptions = {}): ResolvedConnection | undefined {
  if (url !== undefined && url.trim() !== '') return fromUrl(url.trim(), 'url', env);
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl) return fromUrl(databaseUrl, 'DATABASE_URL', env);
  if (SERVER_VARIABLES.some((name) => env[name])) return fromParts({}, 'PG environment', env);
  return undefined;
}

function fromUrl(url: string, source: ConnectionSource, env: NodeJS.ProcessEnv): ResolvedConnection {
  const where = source === 'url' ? 'The connection URL' : 'DATABASE_URL';
  if (!URL_SCHEME.test(url)) {
    if (!url.includes('://') && /\w\s*=/.test(url)) {
      throw new InvalidConnectionSettingsError(
        `${where} is in keyword=value form, which Plan Lens does not read: write it as postgresql://user:password@host:5432/database.`,
      );
    }
    throw new InvalidConnectionSettingsError(
      `${where} must start with postgresql:// or postgres://, as in postgresql://user:password@host:5432/database.`,
    );
  }
  // An "@" after the host part means the password holds a "/", "?" or "#" that ended the host
  // part early: the URL parser would take the password for host, port and database, and every
  // message would print it. Refused without quoting any of it.
  const afterScheme = url.slice(url.indexOf('//') + 2);
  const hostPartEnd = afterScheme.search(/[/?#]/);
  // An "@" inside a parameter value (sslcert=/home/a@b/...) comes after an "=" and is fine.
  if (hostPartEnd !== -1 && /^[^=]*@/.test(afterScheme.slice(hostPartEnd))) {
    throw new InvalidConnectionSettingsError(
      `${where} has an "@" after its host part, so a "/", "?" or "#" in the password must be percent-encoded (%2F, %3F, %23; "@" as %40), as in postgresql://user:pa%2Fss@host:5432/database.`,
    );
  }
  // The SSL parameters are read here and mapped in one place (sslConfig), with libpq's meaning.
  const queryStart = url.indexOf('?');
  const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
  const ssl = Object.fromEntries(SSL_PARAMETERS.map((key) => [key, query.get(key) || undefined]));
  for (const key of [...SSL_PARAMETERS, 'uselibpqcompat']) query.delete(key);
  const rest = query.toString();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse((queryStart === -1 ? url : url.slice(0, queryStart)) + (rest ? `?${rest}` : ''));
  } catch {
    // The parser's own message may quote the URL, password included.
    throw new InvalidConnectionSettingsError(
      `${where} is not a valid URL: check it against the form postgresql://user:password@host:5432/database (special characters in the password must be percent-encoded).`,
    );
  }
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  return fromParts(
    {
      host: text(parsed.host),
      port: text(parsed.port),
      user: text(parsed.user),
      password: text(parsed.password),
      database: text(parsed.database),
      options: text(parsed.options),
      ...ssl,
    },
    source,
    env,
  );
}

function fromParts(given: ConnectionParts, source: ConnectionSource, env: NodeJS.ProcessEnv): ResolvedConnection {
  // An empty variable counts as unset, as in libpq.
  const variable = (name: string): string | undefined => env[name] || undefined;
  const host = given.host ?? variable('PGHOST') ?? 'localhost';
  const port = parsePort(given.port ?? variable('PGPORT'), given.port !== undefined ? 'the port in the URL' : 'PGPORT');
  const user = given.user ?? variable('PGUSER') ?? operatingSystemUser(env);
  const database = given.database ?? variable('PGDATABASE') ?? user;
  const sslmode = given.sslmode ?? variable('PGSSLMODE');
  const sslFiles = {
    sslrootcert: given.sslrootcert ?? variable('PGSSLROOTCERT'),
    sslcert: given.sslcert ?? variable('PGSSLCERT'),
    sslkey: given.sslkey ?? variable('PGSSLKEY'),
  };
  // allow: plain first; prefer: SSL first, each with the other as the fallback.
  const encrypted = sslConfig(sslmode === 'allow' ? 'prefer' : sslmode, sslFiles);
  const sslFallback: SslFallback | undefined =
    sslmode === 'prefer'
      ? { ssl: false, when: 'server-refuses-ssl' }
      : sslmode === 'allow'
        ? { ssl: encrypted, when: 'server-requires-ssl' }
        : undefined;
  const config: ClientConfig = {
    host,
    port,
    user,
    database,
    ssl: sslmode === 'allow' ? false : encrypted,
    application_name: APPLICATION_NAME,
  };
  // Left unset, pg reads ~/.pgpass (or PGPASSFILE), as libpq does.
  const password = given.password ?? variable('PGPASSWORD');
  if (password !== undefined) config.password = password;
  if (given.options !== undefined) config.options = given.options;
  const hostText = host.includes(':') ? `[${host}]` : host;
  const description = `${user}@${hostText}:${port}/${database}`;
  return { config, source, ...(sslFallback ? { sslFallback } : {}), describe: () => description };
}

/** libpq's default user name: the operating-system account running the process. */
function operatingSystemUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    // A container may run under a numeric uid that has no account entry.
    return env.USER ?? env.USERNAME ?? 'postgres';
  }
}

function parsePort(value: string | undefined, where: string): number {
  if (value === undefined || value === '') return 5432;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidConnectionSettingsError(
      `${where} is "${value}", not a port number: use a whole number from 1 to 65535 (PostgreSQL's default is 5432).`,
    );
  }
  return port;
}

/**
 * sslmode as libpq defines it, through pg-connection-string's libpq-compatible mapping: "require"
 * encrypts without checking the certificate, "verify-full" checks both the chain and the host
 * name. "prefer" encrypts first, and the pool falls back to a plain connection when the server
 * has no SSL (SslFallback). No sslmode at all means a plain connection, pg's default.
 */
function sslConfig(sslmode: string | undefined, files: { sslrootcert?: string; sslcert?: string; sslkey?: string }): ClientConfig['ssl'] {
  if (sslmode === undefined) return false;
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new InvalidConnectionSettingsError(`sslmode "${sslmode}" is not supported: use one of ${SSL_MODES.join(', ')}.`);
  }
  // no-verify is pg's own mode; libpq's require without a root certificate means the same.
  const noVerify = sslmode === 'no-verify';
  const query = new URLSearchParams({ sslmode: noVerify ? 'require' : sslmode });
  for (const [key, path] of Object.entries(files)) if (path && !(noVerify && key === 'sslrootcert')) query.set(key, path);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(`postgresql://localhost/?${query}`, { useLibpqCompat: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      throw new InvalidConnectionSettingsError(
        `Cannot read the SSL file ${(error as NodeJS.ErrnoException).path}: check sslrootcert, sslcert and sslkey (or PGSSLROOTCERT, PGSSLCERT, PGSSLKEY).`,
      );
    }
    if (sslmode === 'verify-ca') {
      throw new InvalidConnectionSettingsError(
        "sslmode=verify-ca needs the CA certificate that signed the server's: give it with sslrootcert=/path/to/root.crt (or PGSSLROOTCERT).",
      );
    }
    throw new InvalidConnectionSettingsError(`The SSL settings cannot be used: ${(error as Error).message}`);
  }
  return parsed.ssl as ClientConfig['ssl'];
}
