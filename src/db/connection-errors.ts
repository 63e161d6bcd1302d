/**
 * Connection failures in one sentence each: what went wrong, where, and what to change. pg hands
 * over three kinds of error: Node socket errors (errno codes), PostgreSQL errors (SQLSTATE codes)
 * and plain Errors of its own, told apart only by their text.
 */
import { InvalidConnectionSettingsError } from './connection-config';

/** A connection could not be made or was lost; the message is already the sentence to show. */
export class DatabaseConnectionError extends Error {
  override readonly name = 'DatabaseConnectionError';
  /** The SQLSTATE or Node error code underneath, when there is one (28P01, ECONNREFUSED, ...). */
  readonly code: string | undefined;

  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.code = errorCode(cause);
  }
}

export interface ConnectionErrorContext {
  /** The pool's connection timeout, named in the message when it elapsed. */
  connectionTimeoutMillis?: number;
  /** Where the password comes from when it is not the URL, PGPASSWORD or ~/.pgpass: "the password stored for \"shop\"". */
  storedPassword?: string;
}

/** The sentence to show for `err`, which happened while talking to `target` (user@host:port/db). */
export function describeConnectionError(err: unknown, target: string, context: ConnectionErrorContext = {}): string {
  if (err instanceof DatabaseConnectionError || err instanceof InvalidConnectionSettingsError) return err.message;
  const error = (err ?? {}) as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  const message = typeof error.message === 'string' ? error.message : String(err);
  const code = errorCode(err);
  const prefix = `Cannot connect to ${target}:`;
  const lost = `The connection to ${target} was lost:`;

  switch (code) {
    case 'ECONNREFUSED':
      return `${prefix} nothing is listening at ${endpoint(error, target)}: is the server running, and are the host and port right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${prefix} the host name "${error.hostname ?? hostOf(target)}" does not resolve: check the host in the connection settings.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${prefix} ${endpoint(error, target)} cannot be reached (${code}): check the host, the network and any firewall or VPN in between.`;
    case 'ECONNRESET':
      return `${lost} the server closed it abruptly: check the server log; a proxy or firewall may be cutting connections.`;
    case '28P01':
      return `${prefix} the password for user "${quoted(message) ?? userOf(target)}" was rejected: ${
        context.storedPassword ? `enter ${context.storedPassword} again` : 'check the password (in the URL, PGPASSWORD or ~/.pgpass)'
      }.`;
    case '28000':
      if (/no pg_hba\.conf entry/i.test(message) && /no encryption/i.test(message)) {
        return `${prefix} the server accepts this connection only over SSL: set sslmode=require (or verify-full) in the connection settings.`;
      }
      if (/no pg_hba\.conf entry/i.test(message)) {
        return `${prefix} the server's pg_hba.conf has no entry that lets this user reach this database from this host: ask the administrator to add one.`;
      }
      if (/role ".*" does not exist/i.test(message)) {
        return `${prefix} the user "${quoted(message)}" does not exist on the server: check the user name.`;
      }
      return `${prefix} the server refused the login (${message}): check the user name and the server's pg_hba.conf.`;
    case '3D000':
      return `${prefix} the database "${quoted(message) ?? databaseOf(target)}" does not exist: check the database name (the URL path or PGDATABASE).`;
    case '57P03':
      return `${prefix} the server is starting up, shutting down or recovering and does not accept connections yet: try again in a moment.`;
    case '53300':
      return `${prefix} the server has no free connection slots (too many connections): close idle sessions or lower the pool size.`;
    case '57P01':
    case '57P02':
      return `${lost} the server ended the session (${message}): it was restarted or an administrator terminated it; try again.`;
    case '42501':
      return `${prefix} the user is not allowed to connect (${message}): ask the administrator for the CONNECT privilege.`;
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${prefix} the server's SSL certificate cannot be verified (${message}): give its CA certificate with sslrootcert=/path/to/root.crt, or use sslmode=require to encrypt without verifying.`;
  }

  if (/does not support SSL/i.test(message)) {
    return `${prefix} the server does not support SSL: set sslmode=disable (or turn SSL on in the server's configuration).`;
  }
  if (/timeout exceeded when trying to connect|due to connection timeout|connection timeout/i.test(message)) {
    const limit = context.connectionTimeoutMillis ? ` of ${context.connectionTimeoutMillis} ms` : '';
    return `${prefix} the server did not answer within the connection timeout${limit} (connectionTimeoutMillis): check that the host and port are reachable, or raise the timeout.`;
  }
  if (/client password must be a string|password must be a string/i.test(message)) {
    const where = context.storedPassword ? `enter ${context.storedPassword}` : 'put it in the URL, PGPASSWORD or ~/.pgpass';
    return `${prefix} the server asks for a password but none was given: ${where}.`;
  }
  if (/Connection terminated unexpectedly|Connection terminated/i.test(message)) {
    return `${lost} it was closed before the server answered: check the server log; the server may have restarted or a proxy cut the connection.`;
  }
  return `${prefix} ${message.replace(/\.$/, '')}.`;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The first "quoted" name in a PostgreSQL message: the user in 28P01, the database in 3D000. */
function quoted(message: string): string | undefined {
  return /"([^"]*)"/.exec(message)?.[1];
}

function endpoint(error: { address?: string; port?: number }, target: string): string {
  if (error.address && error.port) return `${error.address.includes(':') ? `[${error.address}]` : error.address}:${error.port}`;
  return target.slice(target.indexOf('@') + 1, target.lastIndexOf('/'));
}

function hostOf(target: string): string {
  const hostAndPort = target.slice(target.indexOf('@') + 1, target.lastIndexOf('/'));
  return hostAndPort.slice(0, hostAndPort.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1');
}

function userOf(target: string): string {
  return target.slice(0, target.indexOf('@'));
}

function databaseOf(target: string): string {
  return target.slice(target.lastIndexOf('/') + 1);
}
