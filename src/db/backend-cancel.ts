/**
 * Stopping a statement on the server, not only the wait for it. PostgreSQL's own way is a
 * CancelRequest sent over a new socket with the backend's process id and secret key, which needs
 * no login and works while the session is busy. Some proxies drop those requests; then
 * pg_cancel_backend() over a separate, logged-in connection does the same job.
 */
import { connect } from 'node:net';
import { Client, type ClientBase, type ClientConfig } from 'pg';

const CANCEL_REQUEST_CODE = 80877102;
/** A cancel request is one small packet; a server that takes longer than this to accept it will not act on it in time. */
const CANCEL_REQUEST_TIMEOUT_MS = 2_000;

/** What pg keeps from the server's BackendKeyData message; @types/pg does not declare it. */
interface BackendKey {
  processID?: number | null;
  secretKey?: number | null;
  host: string;
  port: number;
}

/**
 * Sends PostgreSQL's CancelRequest for the statement `client` is running. Resolves once the
 * request is delivered or could not be; the server acts on it asynchronously and never answers.
 */
export function sendCancelRequest(client: ClientBase): Promise<void> {
  const { processID, secretKey, host, port } = client as unknown as BackendKey;
  if (typeof processID !== 'number' || typeof secretKey !== 'number') return Promise.resolve();
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  return new Promise((resolve) => {
    const socket = host.startsWith('/') ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host);
    socket.setTimeout(CANCEL_REQUEST_TIMEOUT_MS, () => socket.destroy());
    socket.once('connect', () => socket.end(packet));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve());
  });
}

/**
 * Asks the server over a new connection to cancel whatever backend `pid` is running. A failure
 * is not reported: when the statement does not stop, the caller closes its connection anyway.
 */
export async function cancelBackendFromSeparateConnection(config: ClientConfig, pid: number, timeoutMs: number): Promise<void> {
  const client = new Client({ ...config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // Unreachable or refused: the caller's next step does not depend on why.
  } finally {
    await client.end().catch(() => undefined);
  }
}
