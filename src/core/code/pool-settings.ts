/**
 * The pool settings of each client library: what each means and its default, for the hovers and
 * for the findings' messages. One table, so a hover and a diagnostic never disagree.
 */
export type PoolLibrary = 'sqlalchemy' | 'redis' | 'pymongo' | 'node-postgres';

export interface SettingDoc {
  default: string;
  meaning: string;
}

const table: Record<PoolLibrary, Record<string, SettingDoc>> = {
  sqlalchemy: {
    pool_size: { default: '5', meaning: 'Connections the pool keeps open.' },
    max_overflow: { default: '10', meaning: 'Extra connections opened under load above pool_size and closed when returned.' },
    pool_timeout: { default: '30', meaning: 'Seconds to wait for a free connection before raising TimeoutError.' },
    pool_recycle: {
      default: '-1 (never)',
      meaning:
        'Replace a connection older than this many seconds; keep it below every idle limit between the application and the server (idle_session_timeout, proxies, load balancers, firewalls).',
    },
    pool_pre_ping: {
      default: 'False',
      meaning: 'Test each connection with a cheap round trip when it is checked out, and replace it if the server dropped it.',
    },
    poolclass: { default: 'QueuePool', meaning: 'The pool implementation; NullPool opens and closes a connection for every checkout.' },
  },
  redis: {
    max_connections: { default: 'unbounded (2**31)', meaning: 'Most connections the pool opens.' },
    socket_timeout: { default: 'None (wait forever)', meaning: 'Seconds to wait for a reply before raising TimeoutError.' },
    socket_connect_timeout: { default: 'None (wait forever)', meaning: 'Seconds to wait for the connection to be established.' },
    health_check_interval: { default: '0 (off)', meaning: 'Ping a connection idle for this many seconds before using it.' },
    timeout: { default: '20', meaning: 'BlockingConnectionPool: seconds to wait for a free connection (None waits forever).' },
  },
  pymongo: {
    maxPoolSize: { default: '100', meaning: 'Most connections per server; 0 or None means unbounded.' },
    minPoolSize: { default: '0', meaning: 'Connections kept open per server even when idle.' },
    maxIdleTimeMS: { default: 'None (never closed)', meaning: 'Close a connection idle for this many milliseconds.' },
    waitQueueTimeoutMS: { default: 'None (wait forever)', meaning: 'Milliseconds to wait for a free connection before raising.' },
    serverSelectionTimeoutMS: { default: '30000', meaning: 'Milliseconds to look for a usable server before an operation fails.' },
  },
  'node-postgres': {
    max: { default: '10', meaning: 'Most clients the pool opens.' },
    connectionTimeoutMillis: { default: '0 (wait forever)', meaning: 'Milliseconds to wait for a new connection or a free client.' },
    idleTimeoutMillis: { default: '10000', meaning: 'Close a client idle this long; 0 never closes idle clients.' },
    maxLifetimeSeconds: { default: '0 (forever)', meaning: 'Replace a client older than this, like SQLAlchemy’s pool_recycle.' },
  },
};

export function settingDoc(library: PoolLibrary, name: string): SettingDoc | undefined {
  return Object.hasOwn(table[library], name) ? table[library][name] : undefined;
}

export function settingNames(library: PoolLibrary): string[] {
  return Object.keys(table[library]);
}
