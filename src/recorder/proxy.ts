/**
 * The query recorder: a PostgreSQL wire-protocol proxy between an application and its server.
 * Bytes are relayed unchanged in both directions (authentication, SCRAM included, passes
 * through) and decoded on the side, after they were forwarded, to report each statement: its
 * connection and transaction, SQL and bound parameter values, rows, server time and error.
 */
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { Parser } from 'pg-protocol/dist/parser';
import type { BackendMessage, CommandCompleteMessage, DatabaseError, ReadyForQueryMessage } from 'pg-protocol/dist/messages';
import {
  CANCEL_REQUEST_CODE,
  FrontendReader,
  GSSENC_REQUEST_CODE,
  PROTOCOL_3,
  ProtocolViolation,
  SSL_REQUEST_CODE,
  errorResponse,
  readInitialMessage,
  sslRequest,
  type FrontendMessage,
} from './wire';

export interface UpstreamServer {
  host: string;
  port: number;
  /** TLS options when the connection requires TLS to the server; false for a plain connection. */
  tls: ConnectionOptions | false;
}

/** One statement as it crossed the wire. */
export interface CapturedStatement {
  connectionId: number;
  transactionId: number;
  applicationName: string;
  sql: string;
  params: (string | null)[];
  startedAt: number;
  durationMs: number;
  rows: number;
  command: string;
  error?: string;
}

export type RecorderEvent =
  | { kind: 'connection-opened'; connectionId: number; applicationName: string; database: string; user: string }
  | { kind: 'connection-closed'; connectionId: number }
  /** Something the user should know, in one sentence with the fix. */
  | { kind: 'problem'; connectionId?: number; message: string };

export interface RecorderOptions {
  upstream: UpstreamServer;
  listenHost?: string;
  listenPort: number;
  onStatement(statement: CapturedStatement): void;
  onEvent?(event: RecorderEvent): void;
  /** Bound on connecting (and TLS) to the server, ms. */
  connectTimeoutMs?: number;
}

export class ListenError extends Error {}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** An application that opens a connection and never sends its startup packet is dropped. */
const STARTUP_TIMEOUT_MS = 30_000;

export class QueryRecorder {
  private server: Server | undefined;
  private readonly connections = new Set<ProxiedConnection>();
  private nextConnectionId = 1;
  private address: { host: string; port: number } | undefined;

  constructor(private readonly options: RecorderOptions) {}

  /** Starts listening; rejects with a ListenError naming a free port when the port is taken. */
  async start(): Promise<{ host: string; port: number }> {
    const host = this.options.listenHost ?? '127.0.0.1';
    const server = createServer({ noDelay: true }, (socket) => {
      const connection = new ProxiedConnection(this.nextConnectionId++, socket, this.options, () => this.connections.delete(connection));
      this.connections.add(connection);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listenPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        const free = await findFreePort(host, this.options.listenPort);
        throw new ListenError(`Port ${this.options.listenPort} on ${host} is already in use: choose another port, for example ${free}.`);
      }
      if (error.code === 'EADDRNOTAVAIL')
        throw new ListenError(`Cannot listen on ${host}: it is not an address of this machine; use 127.0.0.1.`);
      if (error.code === 'EACCES')
        throw new ListenError(`Not allowed to listen on port ${this.options.listenPort}: choose a port above 1024.`);
      throw error;
    });
    this.server = server;
    const address = server.address();
    this.address = typeof address === 'object' && address ? { host, port: address.port } : { host, port: this.options.listenPort };
    return this.address;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /**
   * Stops listening and ends every open connection the way a server shutdown does: the
   * application gets FATAL 57P01 (admin_shutdown), so an open transaction is reported as lost,
   * never silently cut.
   */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of [...this.connections]) connection.shutDown();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Suggests the first free port after `taken` (or any free port). */
export async function findFreePort(host: string, taken: number): Promise<number> {
  for (let port = taken + 1; port < taken + 20 && port < 65536; port++) {
    if (await portIsFree(host, port)) return port;
  }
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

interface Pending {
  kind: 'statement' | 'sync';
  sql: string;
  params: (string | null)[];
  /** The statement was sent (performance.now()). */
  sentAt: number;
  rows: number;
  command: string;
  error?: string;
  done: boolean;
  /** A simple Query ends at ReadyForQuery, which is also its sync point. */
  simple: boolean;
}

class ProxiedConnection {
  private upstream: Socket | undefined;
  private startupBuffer: Buffer | undefined = Buffer.alloc(0);
  /** Application bytes that arrived while the server connection was being opened. */
  private queued: Buffer[] = [];
  private readonly frontend: FrontendReader;
  private readonly backend = new Parser();
  private readonly prepared = new Map<string, string>();
  private readonly portals = new Map<string, { sql: string; params: (string | null)[] }>();
  private readonly pending: Pending[] = [];
  private applicationName = '';
  private transactionId = 0;
  private static nextTransactionId = 1;
  private transactionStatus = 'I';
  /** The server finished the previous statement at (performance.now()). */
  private lastCompletion = 0;
  private backendBytesRelayed = 0;
  private backendBytesParsed = 0;
  private decoding = true;
  private askedForTls = false;
  /** The application said goodbye (Terminate): nothing is to be told to it any more. */
  private terminating = false;
  private closed = false;
  private readonly startupTimer: NodeJS.Timeout;

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly options: RecorderOptions,
    private readonly onClosed: () => void,
  ) {
    this.frontend = new FrontendReader((message) => this.onFrontendMessage(message));
    this.transactionId = ProxiedConnection.nextTransactionId++;
    client.on('data', (chunk) => this.onClientData(chunk));
    client.on('error', () => this.close());
    client.on('end', () => {
      this.terminating = true;
    });
    client.on('close', () => this.close());
    this.startupTimer = setTimeout(() => {
      if (this.startupBuffer) this.close();
    }, STARTUP_TIMEOUT_MS);
  }

  private onClientData(chunk: Buffer): void {
    if (this.startupBuffer) {
      this.startupBuffer = Buffer.concat([this.startupBuffer, chunk]);
      this.readStartup();
      return;
    }
    if (!this.upstream) {
      this.queued.push(chunk);
      return;
    }
    this.relayToServer(chunk);
  }

  private readStartup(): void {
    let message;
    try {
      message = readInitialMessage(this.startupBuffer!);
    } catch (error) {
      if (!(error instanceof ProtocolViolation)) throw error;
      this.refuse('08P01', `Invalid startup packet (${error.message}): the Plan Lens recorder speaks the PostgreSQL protocol 3.0.`);
      return;
    }
    if (!message) return;
    const rest = this.startupBuffer!.subarray(message.length);
    if (message.code === SSL_REQUEST_CODE || message.code === GSSENC_REQUEST_CODE) {
      // The recorder listens on plain TCP; 'N' lets sslmode=prefer go on unencrypted, and makes
      // sslmode=require fail at once in the application with "server does not support SSL".
      // sslmode=prefer asks too, then goes on: only a connection that gives up is reported.
      if (message.code === SSL_REQUEST_CODE) this.askedForTls = true;
      this.client.write('N');
      this.startupBuffer = rest;
      if (rest.length > 0) this.readStartup();
      return;
    }
    if (message.code === CANCEL_REQUEST_CODE) {
      const packet = Buffer.from(this.startupBuffer!.subarray(0, message.length));
      this.startupBuffer = undefined;
      void this.forwardCancel(packet);
      return;
    }
    if (message.code >>> 16 !== PROTOCOL_3) {
      const version = `${message.code >>> 16}.${message.code & 0xffff}`;
      this.report({
        kind: 'problem',
        connectionId: this.id,
        message: `An application spoke protocol ${version}, which the recorder does not know; it was refused.`,
      });
      this.refuse('0A000', `unsupported frontend protocol ${version}: the Plan Lens recorder supports protocol 3.0`);
      return;
    }
    const startup = this.startupBuffer!.subarray(0, message.length);
    this.startupBuffer = undefined;
    clearTimeout(this.startupTimer);
    this.applicationName = message.parameters.get('application_name') ?? '';
    if (rest.length > 0) this.queued.push(Buffer.from(rest));
    this.report({
      kind: 'connection-opened',
      connectionId: this.id,
      applicationName: this.applicationName,
      database: message.parameters.get('database') ?? message.parameters.get('user') ?? '',
      user: message.parameters.get('user') ?? '',
    });
    void this.openUpstream(Buffer.from(startup));
  }

  private async forwardCancel(packet: Buffer): Promise<void> {
    try {
      const socket = await this.connectServer();
      socket.end(packet);
    } catch {
      // A cancel is best effort in libpq too; the query simply runs on.
    }
    this.client.end();
  }

  private async openUpstream(startup: Buffer): Promise<void> {
    let socket: Socket;
    try {
      socket = await this.connectServer();
    } catch (error) {
      const { host, port } = this.options.upstream;
      const message = `could not connect to the PostgreSQL server at ${host}:${port} through the Plan Lens recorder: ${(error as Error).message}`;
      this.report({
        kind: 'problem',
        connectionId: this.id,
        message: `${message}. Check that the server is running and the connection settings are right.`,
      });
      this.refuse('08006', message);
      return;
    }
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.upstream = socket;
    socket.on('data', (chunk) => this.onServerData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    this.relayToServer(startup, false);
    for (const chunk of this.queued) this.relayToServer(chunk);
    this.queued = [];
  }

  /** A TCP (and, when the connection requires it, TLS) connection to the server, bounded in time. */
  private connectServer(): Promise<Socket> {
    const { host, port, tls } = this.options.upstream;
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new Promise<Socket>((resolve, reject) => {
      const socket = connectTcp({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        if (!tls) {
          clearTimeout(timer);
          socket.off('error', fail);
          resolve(socket);
          return;
        }
        socket.write(sslRequest());
        socket.once('data', (answer) => {
          if (answer[0] !== 0x53) {
            fail(new Error('the server does not accept TLS connections, but the connection requires TLS (sslmode)'));
            return;
          }
          const secure = connectTls({ ...tls, socket, servername: tls.servername ?? (/^[\d.:]+$/.test(host) ? undefined : host) });
          secure.once('error', fail);
          secure.once('secureConnect', () => {
            clearTimeout(timer);
            secure.off('error', fail);
            socket.off('error', fail);
            secure.setNoDelay(true);
            resolve(secure as unknown as Socket);
          });
        });
      });
    });
  }

  private relayToServer(chunk: Buffer, decode = true): void {
    const upstream = this.upstream!;
    if (!upstream.write(chunk)) {
      this.client.pause();
      upstream.once('drain', () => this.client.resume());
    }
    if (decode && this.decoding) {
      try {
        this.frontend.feed(chunk);
      } catch (error) {
        this.stopDecoding(error);
      }
    }
  }

  private onServerData(chunk: Buffer): void {
    if (!this.client.write(chunk)) {
      this.upstream!.pause();
      this.client.once('drain', () => this.upstream?.resume());
    }
    this.backendBytesRelayed += chunk.length;
    if (!this.decoding) return;
    try {
      this.backend.parse(chunk, (message) => this.onBackendMessage(message));
    } catch (error) {
      this.stopDecoding(error);
    }
  }

  /** Relaying goes on: the application must never suffer for what the recorder fails to read. */
  private stopDecoding(error: unknown): void {
    this.decoding = false;
    this.report({
      kind: 'problem',
      connectionId: this.id,
      message: `Stopped recording connection ${this.id} (its traffic is still relayed): ${(error as Error).message}.`,
    });
  }

  private onFrontendMessage(message: FrontendMessage): void {
    const now = performance.now();
    switch (message.type) {
      case 'query':
        this.pending.push({
          kind: 'statement',
          sql: message.sql,
          params: [],
          sentAt: now,
          rows: 0,
          command: '',
          done: false,
          simple: true,
        });
        return;
      case 'parse':
        this.prepared.set(message.name, message.sql);
        return;
      case 'bind':
        this.portals.set(message.portal, { sql: this.prepared.get(message.statement) ?? '', params: message.params });
        return;
      case 'execute': {
        const portal = this.portals.get(message.portal);
        if (!portal) return;
        this.pending.push({
          kind: 'statement',
          sql: portal.sql,
          params: portal.params,
          sentAt: now,
          rows: 0,
          command: '',
          done: false,
          simple: false,
        });
        return;
      }
      case 'sync':
        this.pending.push({ kind: 'sync', sql: '', params: [], sentAt: now, rows: 0, command: '', done: false, simple: false });
        return;
      case 'close':
        if (message.kind === 'S') this.prepared.delete(message.name);
        else this.portals.delete(message.name);
        return;
      case 'terminate':
        this.terminating = true;
        return;
    }
  }

  /** The statement the server is working on: the first one not finished before the next sync point. */
  private current(): Pending | undefined {
    for (const item of this.pending) {
      if (item.kind === 'sync') return undefined;
      if (!item.done) return item;
      if (item.simple) return item;
    }
    return undefined;
  }

  private onBackendMessage(message: BackendMessage): void {
    this.backendBytesParsed += message.length + 1;
    switch (message.name) {
      case 'commandComplete': {
        const item = this.current();
        if (!item) return;
        const tag = (message as CommandCompleteMessage).text;
        const words = tag.split(' ');
        item.command = words[0];
        const count = Number(words[words.length - 1]);
        item.rows += Number.isFinite(count) && words.length > 1 ? count : 0;
        if (!item.simple) this.finish(item);
        return;
      }
      case 'emptyQuery':
      case 'portalSuspended': {
        const item = this.current();
        if (item && !item.simple) this.finish(item);
        return;
      }
      case 'error': {
        const item = this.current();
        if (!item) return;
        item.error = (message as DatabaseError).message;
        if (!item.simple) this.finish(item);
        return;
      }
      case 'readyForQuery':
        this.onReadyForQuery((message as ReadyForQueryMessage).status);
        return;
      default:
        return;
    }
  }

  private finish(item: Pending): void {
    item.done = true;
    const end = performance.now();
    // Statements pipelined behind one another start when the previous one ends.
    const start = Math.max(item.sentAt, this.lastCompletion);
    this.lastCompletion = end;
    if (!item.command && item.error) item.command = /^\s*(\w+)/.exec(item.sql)?.[1]?.toUpperCase() ?? '';
    this.options.onStatement({
      connectionId: this.id,
      transactionId: this.transactionId,
      applicationName: this.applicationName,
      sql: item.sql,
      params: item.params,
      startedAt: Date.now() - (end - start),
      durationMs: end - start,
      rows: item.rows,
      command: item.command,
      ...(item.error ? { error: item.error } : {}),
    });
  }

  private onReadyForQuery(status: string): void {
    // Everything up to the sync point is over; executes left undone were skipped after an error.
    while (this.pending.length > 0) {
      const item = this.pending.shift()!;
      if (item.kind === 'sync') break;
      if (item.simple) {
        this.finish(item);
        break;
      }
    }
    this.transactionStatus = status;
    // Statements between two idle points belong to one transaction.
    if (status === 'I') this.transactionId = ProxiedConnection.nextTransactionId++;
    this.lastCompletion = 0;
  }

  /** Sends the application a PostgreSQL error and closes its connection. */
  private refuse(code: string, message: string): void {
    this.startupBuffer = undefined;
    this.client.end(errorResponse('FATAL', code, message));
    this.upstream?.destroy();
  }

  shutDown(): void {
    if (this.closed) return;
    if (this.terminating) {
      this.close();
      return;
    }
    // An ErrorResponse is only understood between two messages; mid-message the socket is just closed.
    const atBoundary = this.backendBytesParsed === this.backendBytesRelayed;
    if (this.frontend.atMessageBoundary) this.upstream?.end(Buffer.from([0x58, 0, 0, 0, 4]));
    else this.upstream?.destroy();
    const inTransaction = this.transactionStatus !== 'I';
    const message = `terminating connection because the Plan Lens recorder stopped${inTransaction ? ' (the open transaction was rolled back)' : ''}`;
    if (atBoundary && this.decoding) this.client.end(errorResponse('FATAL', '57P01', message));
    else this.client.end();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.startupTimer);
    if (this.startupBuffer && this.askedForTls) {
      this.report({
        kind: 'problem',
        connectionId: this.id,
        message:
          'An application asked the recorder for TLS and gave up when it was refused: connect it with sslmode=disable or prefer ' +
          '(the recorder listens on plain TCP and uses TLS to the server itself when the connection requires it).',
      });
    }
    this.upstream?.destroy();
    // Let a just written ErrorResponse reach the application before the socket goes.
    this.client.end();
    setTimeout(() => this.client.destroy(), 1000).unref();
    this.report({ kind: 'connection-closed', connectionId: this.id });
    this.onClosed();
  }

  private report(event: RecorderEvent): void {
    this.options.onEvent?.(event);
  }
}
