/**
 * A recording: the proxy in front of one PostgreSQL connection, each captured statement
 * fingerprinted with PostgreSQL's parser and kept in a bounded RecordingStore that also runs the
 * workload detectors. The CLI's `record` and the editor's Record Queries both use it.
 */
import type { ResolvedConnection } from '../db/connection-config';
import { ensureSqlParser } from '../core/sql/sql-parser';
import { statementFacts, type StatementFacts } from '../core/workload/statement-facts';
import { RecordingStore } from '../core/workload/recording-store';
import { BoundedMap } from '../core/workload/bounded-map';
import type { RecordedStatement, WorkloadSettings } from '../core/workload/model';
import { QueryRecorder, type CapturedStatement, type RecorderEvent, type UpstreamServer } from './proxy';

/** Statement texts whose facts are remembered: prepared statements repeat their text exactly. */
const FACTS_CACHE_SIZE = 2000;

export interface RecordingSessionOptions {
  upstream: UpstreamServer;
  listenHost?: string;
  listenPort: number;
  settings: WorkloadSettings;
  onStatement?(statement: RecordedStatement): void;
  onEvent?(event: RecorderEvent): void;
}

export class RecordingSession {
  readonly store: RecordingStore;
  private readonly recorder: QueryRecorder;
  private readonly factsCache = new BoundedMap<string, StatementFacts>(FACTS_CACHE_SIZE);
  private seq = 0;
  /** When the recorder started listening, ms since the epoch. */
  startedAt: number | undefined;
  private backlog: CapturedStatement[] = [];

  constructor(private readonly options: RecordingSessionOptions) {
    this.store = new RecordingStore({ settings: options.settings });
    this.recorder = new QueryRecorder({
      upstream: options.upstream,
      listenHost: options.listenHost,
      listenPort: options.listenPort,
      onStatement: (captured) => this.enqueue(captured),
      onEvent: options.onEvent,
    });
  }

  async start(): Promise<{ host: string; port: number }> {
    await ensureSqlParser();
    const listening = await this.recorder.start();
    this.startedAt = Date.now();
    return listening;
  }

  async stop(): Promise<void> {
    await this.recorder.stop();
    await this.flush();
  }

  get openConnections(): number {
    return this.recorder.openConnections;
  }

  /** Resolves once every statement captured so far is in the store. */
  async flush(): Promise<void> {
    while (this.backlog.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  private enqueue(captured: CapturedStatement): void {
    // Parsing waits for the next turn of the event loop, behind the relaying of bytes.
    this.backlog.push(captured);
    if (this.backlog.length === 1) setImmediate(() => this.drain());
  }

  private drain(): void {
    const batch = this.backlog;
    this.backlog = [];
    for (const captured of batch) this.record(captured);
  }

  private record(captured: CapturedStatement): void {
    let facts = this.factsCache.get(captured.sql);
    if (!facts || facts.offset !== undefined) {
      // An OFFSET bound as a parameter differs from call to call.
      facts = statementFacts(captured.sql, captured.params);
      this.factsCache.set(captured.sql, facts);
    }
    const statement: RecordedStatement = { seq: ++this.seq, ...captured, ...facts };
    this.store.add(statement);
    this.options.onStatement?.(statement);
  }
}

/** Where the recorder forwards to: the host, port and TLS settings of a resolved connection. */
export function upstreamOf(connection: ResolvedConnection): UpstreamServer {
  const { host, port, ssl } = connection.config;
  if (host?.startsWith('/'))
    throw new Error('The recorder forwards over TCP: give the connection a host name or address, not a Unix socket directory.');
  return { host: host ?? 'localhost', port: port ?? 5432, tls: ssl ? (ssl === true ? {} : ssl) : false };
}

/**
 * The URL the application should use: the server's user and database, with the recorder's host
 * and port. The password is left out (the application keeps using its own).
 */
export function recorderUrl(listening: { host: string; port: number }, connection: ResolvedConnection): string {
  const { user, database } = connection.config;
  const host = listening.host.includes(':') ? `[${listening.host}]` : listening.host;
  const who = user ? `${encodeURIComponent(user)}@` : '';
  return `postgresql://${who}${host}:${listening.port}/${encodeURIComponent(database ?? '')}?sslmode=disable`;
}
