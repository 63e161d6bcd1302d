/**
 * What the connected PostgreSQL server allows, read live (src/db reads it). A value the server
 * did not report, or that is switched off, is null: rules then say what they could not check.
 */
export interface ServerFacts {
  /** Where the facts come from, for messages: `host:port/database`. */
  server: string;
  maxConnections: number;
  superuserReservedConnections: number;
  /** Connections other clients hold right now (ours excluded). */
  connectionsInUseByOthers: number;
  /** `idle_session_timeout` in seconds; null when 0 (off). */
  idleSessionTimeoutSeconds: number | null;
  /** `tcp_keepalives_idle` in seconds; null when the operating system's default applies (0). */
  tcpKeepalivesIdleSeconds: number | null;
}

/** Connections an application may still open: max_connections minus the superuser reserve and the others. */
export function availableConnections(facts: ServerFacts): number {
  return Math.max(0, facts.maxConnections - facts.superuserReservedConnections - facts.connectionsInUseByOthers);
}
