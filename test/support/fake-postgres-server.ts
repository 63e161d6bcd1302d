/**
 * A listener that speaks just enough of the PostgreSQL protocol to fail a login the way a real
 * server does in states the test server cannot be put in: starting up, or refusing unencrypted
 * connections in pg_hba.conf. Or it accepts and never answers, like a server behind a hung proxy.
 */
import { createServer, type Server, type Socket } from 'node:net';

export type FakeServerBehaviour = { kind: 'reject'; code: string; message: string } | { kind: 'silent' };

const SSL_REQUEST_CODE = 80877103;

export class FakePostgresServer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(behaviour: FakeServerBehaviour): Promise<FakePostgresServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakePostgresServer(server, (server.address() as { port: number }).port);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
      socket.on('error', () => undefined);
      if (behaviour.kind === 'silent') return;
      socket.on('data', (packet) => {
        if (packet.length >= 8 && packet.readInt32BE(4) === SSL_REQUEST_CODE) {
          socket.write('N');
          return;
        }
        socket.end(errorResponse(behaviour.code, behaviour.message));
      });
    });
    return fake;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An ErrorResponse message: 'E', length, then (field type, NUL-terminated text) pairs and a final NUL. */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat(
    [
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', code],
      ['M', message],
    ].map(([type, text]) => Buffer.from(`${type}${text}\0`, 'utf8')),
  );
  const body = Buffer.concat([fields, Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
