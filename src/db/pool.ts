/**
 * The connection pool every explain goes through. On top of pg.Pool it checks a connection that
 * sat idle for a while before handing it out (SQLAlchemy's pool_pre_ping): a server restart, a
 * failover or a firewall that silently drops idle TCP sessions would otherwise surface as a
 * failed explain. It also keeps a dropped idle connection from crashing the process: pg emits
 * such errors as 'error' events, fatal without a listener.
 */
import { Client, Pool, type ClientBase, type PoolClient } from 'pg';
import type { ResolvedConnection, SslFallback } from './connection-config';
import { DatabaseConnectionError, describeConnectionError } from './connection-errors';

export interface PoolSettings {
  /** Connections open at most at once; further explains wait for one to come free. */
  max: number;
  /** A connection unused this long is closed, so an idle editor holds no server slots. */
  idleTimeoutMillis: number;
  /** How long opening a connection (or waiting for a free one) may take. */
  connectionTimeoutMillis: number;
  /** Connections are closed and replaced after this age (SQLAlchemy's pool_recycle); 0 keeps them. */
  maxLifetimeSeconds: number;
  /** TCP keep-alive probes start after this much silence, so dead peers are noticed. */
  keepAliveInitialDelayMillis: number;
  /** A connection idle longer than this is checked with SELECT 1 before it is handed out (0: every time). */
  validateAfterIdleMillis: number;
  /** A check that gets no answer within this time counts as a dead connection. */
  validationTimeoutMillis: number;
}

/**
 * Explains are interactive and mostly one at a time, so a handful of connections is plenty. Idle
 * connections close after a minute and every connection is recycled after 30 minutes, below the
 * idle cut-off of most proxies and load balancers. Keep-alive probes start after 30 s of silence;
 * every connection taken from the idle ones is checked before use: a round trip of well under a
 * millisecond, where a connection that died silently would otherwise hang the explain.
 */
export const DEFAULT_POOL_SETTINGS: Readonly<PoolSettings> = Object.freeze({
  max: 4,
  idleTimeoutMillis: 60_000,
  connectionTimeoutMillis: 10_000,
  maxLifetimeSeconds: 1_800,
  keepAliveInitialDelayMillis: 30_000,
  validateAfterIdleMillis: 0,
  validationTimeoutMillis: 5_000,
});

export interface PoolOptions extends Partial<PoolSettings> {
  /** Receives what the pool did on its own: dropped and replaced connections. */
  log?: (message: string) => void;
  /** Names a password kept outside the URL and environment, for the wrong-password message: 'the password stored for "shop"'. */
  storedPassword?: string;
}

export interface PoolStatus {
  /** Open connections, in use or idle. */
  total: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

export class PlanLensPool {
  readonly settings: Readonly<PoolSettings>;
  /** user@host:port/database, for messages. */
  readonly target: string;
  private pool: Pool;
  private readonly changeListeners = new Set<() => void>();
  /** The SSL fallback still to try; undefined once tried or when the sslmode has none. */
  private sslFallback: SslFallback | undefined;
  private readonly log: (message: string) => void;
  private readonly storedPassword: string | undefined;
  private readonly releasedAt = new WeakMap<PoolClient, number>();
  private readonly checkedOut = new WeakSet<PoolClient>();

  constructor(
    readonly connection: ResolvedConnection,
    options: PoolOptions = {},
  ) {
    const { log, storedPassword, ...overrides } = options;
    this.storedPassword = storedPassword;
    const settings = { ...DEFAULT_POOL_SETTINGS };
    for (const [key, value] of Object.entries(overrides) as Array<[keyof PoolSettings, number | undefined]>) {
      if (value !== undefined) settings[key] = value;
    }
    this.settings = Object.freeze(settings);
    this.target = connection.describe();
    this.log = log ?? (() => undefined);
    this.sslFallback = connection.sslFallback;
    this.pool = this.buildPool(connection.config.ssl);
  }

  private buildPool(ssl: ResolvedConnection['config']['ssl']): Pool {
    const { settings } = this;
    const pool = new Pool({
      ...this.connection.config,
      ssl,
      Client: ClosingClient,
      max: settings.max,
      idleTimeoutMillis: settings.idleTimeoutMillis,
      connectionTimeoutMillis: settings.connectionTimeoutMillis,
      maxLifetimeSeconds: settings.maxLifetimeSeconds,
      keepAlive: true,
      keepAliveInitialDelayMillis: settings.keepAliveInitialDelayMillis,
    });
    pool.on('error', (error) => {
      this.log(`An idle pooled connection was dropped; the next explain opens a new one. ${describeConnectionError(error, this.target)}`);
    });
    pool.on('connect', (client) => {
      // Between the queries of a checked-out client pg reports a lost connection as an 'error'
      // event on the client; the next query fails with it anyway, so here it is only logged.
      client.on('error', (error) => {
        if (this.checkedOut.has(client)) this.log(`A connection in use was dropped. ${describeConnectionError(error, this.target)}`);
      });
    });
    pool.on('acquire', (client) => this.checkedOut.add(client));
    pool.on('release', (_error, client) => {
      this.checkedOut.delete(client);
      this.releasedAt.set(client, Date.now());
    });
    for (const listener of this.changeListeners) for (const event of CHANGE_EVENTS) pool.on(event, listener);
    return pool;
  }

  /**
   * A working connection; release it with `client.release()`, or `client.release(true)` to
   * close it instead of returning it. Throws DatabaseConnectionError with a sentence naming the
   * cause and the fix.
   */
  async connect(): Promise<PoolClient> {
    // Each failed check closes one idle connection and new connections are not checked, so this
    // ends at the latest once the idle ones are used up.
    const validateAfter = this.settings.validateAfterIdleMillis;
    for (;;) {
      const client = await this.checkout();
      const idleSince = this.releasedAt.get(client);
      if (idleSince === undefined || (validateAfter > 0 && Date.now() - idleSince <= validateAfter)) return client;
      if (await this.answers(client)) return client;
      this.log(`A pooled connection to ${this.target} no longer answered and was replaced.`);
      destroySocket(client);
      client.release(true);
    }
  }

  /** The connection settings new connections use, with the SSL setting the fallback may have chosen: for side connections (cancel, lock checks). */
  clientConfig(): ResolvedConnection['config'] {
    return this.sslFallback === undefined && this.pool.options.ssl !== this.connection.config.ssl
      ? { ...this.connection.config, ssl: this.pool.options.ssl as ResolvedConnection['config']['ssl'] }
      : this.connection.config;
  }

  status(): PoolStatus {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  /** Calls `listener` whenever the numbers in status() may have changed; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    for (const event of CHANGE_EVENTS) this.pool.on(event, listener);
    return () => {
      this.changeListeners.delete(listener);
      for (const event of CHANGE_EVENTS) this.pool.off(event, listener);
    };
  }

  /** Closes every connection; connections in use close when released. */
  async end(): Promise<void> {
    if (!this.pool.ending) await this.pool.end();
  }

  private async checkout(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      const fallback = this.sslFallback;
      if (fallback && fallbackApplies(fallback, error)) {
        // libpq decides per connection; a server's SSL support does not change between two, so the pool switches once.
        this.sslFallback = undefined;
        const previous = this.pool;
        this.pool = this.buildPool(fallback.ssl);
        void previous.end().catch(() => undefined);
        return this.checkout();
      }
      const message = describeConnectionError(error, this.target, {
        connectionTimeoutMillis: this.settings.connectionTimeoutMillis,
        storedPassword: this.storedPassword,
      });
      throw new DatabaseConnectionError(message, error);
    }
  }

  private async answers(client: PoolClient): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.settings.validationTimeoutMillis);
    });
    try {
      return await Promise.race([
        client.query('SELECT 1').then(
          () => true,
          () => false,
        ),
        silence,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

const CHANGE_EVENTS = ['connect', 'acquire', 'release', 'remove'] as const;

function fallbackApplies(fallback: SslFallback, error: unknown): boolean {
  const message = String((error as Error | undefined)?.message ?? '');
  if (fallback.when === 'server-refuses-ssl') return /does not support SSL/i.test(message);
  return (error as { code?: string } | undefined)?.code === '28000' && /no encryption/i.test(message);
}

/**
 * pg leaves the socket of a failed login open (a missing password, a wrong one), and the server
 * keeps the half-authenticated session, and its connection slot, until authentication_timeout
 * (60 s by default): the process cannot exit and every retry holds another slot. This client
 * closes the socket as soon as connecting fails.
 */
class ClosingClient extends Client {
  override connect(): Promise<Client>;
  override connect(callback: ((err: Error) => void) | ((err: null, c: Client) => void)): void;
  override connect(callback?: ((err: Error) => void) | ((err: null, c: Client) => void)): Promise<Client> | void {
    if (!callback) {
      return super.connect().catch((error: unknown) => {
        destroySocket(this);
        throw error;
      });
    }
    super.connect((error: Error | null) => {
      if (error) destroySocket(this);
      (callback as (err: Error | null, c: Client) => void)(error, this);
    });
  }
}

/** Drops the connection's socket at once, without the goodbye a silent network would never deliver. */
export function destroySocket(client: ClientBase): void {
  (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.();
}

export function createPool(connection: ResolvedConnection, options: PoolOptions = {}): PlanLensPool {
  return new PlanLensPool(connection, options);
}
