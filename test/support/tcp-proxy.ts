/**
 * A TCP proxy in front of a PostgreSQL server that can misbehave the way networks do: go
 * silent on established connections (a firewall or NAT that forgot them), drop them, accept new
 * connections and never answer (a stalled server or a black hole), and swallow cancel requests
 * (as some connection proxies do).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

const CANCEL_REQUEST_CODE = 80877102;

interface Pair {
  client: Socket;
  upstream: Socket;
  silent: boolean;
}

export class TcpProxy {
  /** Cancel requests that arrived and were dropped. */
  droppedCancelRequests = 0;
  private readonly pairs = new Set<Pair>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** New connections are accepted and then hear nothing, while this is true. */
  stalled = false;
  private readonly stalledSockets = new Set<Socket>();

  static async start(target: { host: string; port: number }, options: { dropCancelRequests?: boolean } = {}): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => {
      if (proxy.stalled) {
        proxy.stalledSockets.add(client);
        client.on('error', () => undefined).on('close', () => proxy.stalledSockets.delete(client));
        return;
      }
      client.once('data', (first) => {
        if (options.dropCancelRequests && first.length >= 8 && first.readInt32BE(4) === CANCEL_REQUEST_CODE) {
          proxy.droppedCancelRequests++;
          client.destroy();
          return;
        }
        const pair: Pair = { client, upstream: connect(target.port, target.host), silent: false };
        proxy.pairs.add(pair);
        pair.upstream.write(first);
        client.on('data', (data) => pair.silent || pair.upstream.write(data));
        pair.upstream.on('data', (data) => pair.silent || client.write(data));
        const close = () => {
          proxy.pairs.delete(pair);
          client.destroy();
          pair.upstream.destroy();
        };
        client.on('close', close).on('error', close);
        pair.upstream.on('close', () => pair.silent || close()).on('error', () => pair.silent || close());
      });
    });
    return proxy;
  }

  /**
   * From now on the connections open so far carry nothing, and neither end hears of it: the
   * client side stays open and silent, the server side is closed.
   */
  silenceOpenConnections(): void {
    for (const pair of this.pairs) {
      pair.silent = true;
      pair.upstream.destroy();
    }
  }

  /** Closes the connections open so far on both ends at once, as a proxy or firewall that cuts them does. */
  dropOpenConnections(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.stalledSockets) socket.destroy();
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
