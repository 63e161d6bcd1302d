/**
 * The code of the worker thread that hosts the demo database. PGlite runs PostgreSQL in
 * WebAssembly on the thread that calls it and blocks that thread for as long as a statement
 * runs; in a worker, the extension host and the CLI stay responsive and can give up on a
 * statement that PGlite itself cannot interrupt.
 *
 * It is plain JavaScript run with `eval: true` because the CLI and the extension are each bundled
 * into one file: there is no separate worker file to point a Worker at. PGlite stays outside the
 * bundles, so the worker loads it from the paths the main thread resolved.
 *
 * Commands (one at a time, each answered once, progress messages before the answer):
 *   { name: 'build', dataDir, steps }                    -> { type: 'built' }
 *   { name: 'serve', dataDir, versionQuery, version,
 *     maxConnections }                                   -> { type: 'serving', port } | { type: 'incomplete' }
 *   { name: 'stop' }                                     -> { type: 'stopped' }
 * Any failure answers { type: 'failed', message }.
 */

export interface DemoWorkerData {
  pglitePath: string;
  socketPath: string;
}

export type DemoWorkerCommand =
  | { name: 'build'; dataDir: string; steps: ReadonlyArray<{ label: string; sql: string }> }
  | { name: 'serve'; dataDir: string; versionQuery: string; version: number; maxConnections: number }
  | { name: 'stop' };

export type DemoWorkerReply =
  | { type: 'progress'; message: string }
  | { type: 'built' }
  | { type: 'serving'; port: number }
  | { type: 'incomplete' }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

export const DEMO_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const { PGLiteSocketServer } = require(workerData.socketPath);

let db;
let server;

async function open(dataDir) {
  db = new PGlite(dataDir);
  await db.waitReady;
}

async function close() {
  if (server) await server.stop();
  server = undefined;
  if (db && !db.closed) await db.close();
  db = undefined;
}

const commands = {
  async build({ dataDir, steps }) {
    await open(dataDir);
    for (const step of steps) {
      parentPort.postMessage({ type: 'progress', message: step.label });
      await db.exec(step.sql);
    }
    await db.exec('CHECKPOINT');
    await close();
    return { type: 'built' };
  },
  async serve({ dataDir, versionQuery, version, maxConnections }) {
    await open(dataDir);
    let built;
    try {
      built = (await db.query(versionQuery)).rows[0].version;
    } catch {
      built = undefined;
    }
    if (built !== version) {
      await close();
      return { type: 'incomplete' };
    }
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    return { type: 'serving', port: Number(server.getServerConn().split(':').pop()) };
  },
  async stop() {
    await close();
    return { type: 'stopped' };
  },
};

parentPort.on('message', (command) => {
  commands[command.name](command).then(
    (reply) => parentPort.postMessage(reply),
    (error) => parentPort.postMessage({ type: 'failed', message: String((error && error.message) || error) }),
  );
});
`;
