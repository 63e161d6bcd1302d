/**
 * The embedded demo database: PGlite (PostgreSQL compiled to WebAssembly) holding a demo shop,
 * served on 127.0.0.1 over the PostgreSQL wire protocol by pglite-socket, so explains on it take
 * the same pg code path as on any server.
 *
 * The shop is built once (a few seconds) into a cache folder and opened from there afterwards
 * (well under a second of database work). A build goes to a folder of its own that is renamed
 * into place only when complete, and the build's last step writes a version marker that is
 * checked on every open: an interrupted or outdated build is rebuilt, never used.
 *
 * Limits that come from PGlite being one PostgreSQL backend in one thread:
 * - Every client connection shares that backend; pglite-socket interleaves their messages and
 *   holds the others back while one is inside a transaction. Use a pool of one connection.
 * - Cancel requests are ignored and statement_timeout never fires. runExplain knows this: on
 *   cancel or timeout it closes the connection at once instead of waiting, and the abandoned
 *   statement runs to its end inside the worker, where pglite-socket then rolls it back. Until
 *   then the next statement waits.
 * - One process at a time can open the cache folder; a second one gets a private copy, built in
 *   a temporary folder and deleted on stop.
 *
 * PGlite is loaded only here, and only in the worker thread, so nothing pays for it unless the
 * demo database is used.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatMs } from '../core/format';
import { DEMO_WORKER_SOURCE, type DemoWorkerCommand, type DemoWorkerData, type DemoWorkerReply } from './demo-database-worker';
import { DEMO_BUILD_STEPS, DEMO_BUILD_VERSION_QUERY, DEMO_SCHEMA_VERSION } from './demo-shop-schema';

/** The folder inside the cache; its name carries the schema version, so versions never share a folder. */
const DEMO_DIR_NAME = `demo-v${DEMO_SCHEMA_VERSION}`;

/** A pool of one, a psql session beside it and the short connections that carry cancel requests. */
const DEMO_SERVER_MAX_CONNECTIONS = 8;

/** How long a stopping worker may take to close the database cleanly before it is terminated. */
const WORKER_STOP_TIMEOUT_MS = 5_000;

export interface DemoDatabaseOptions {
  /** Folder for the demo's files; default PLAN_LENS_CACHE_DIR, else $XDG_CACHE_HOME/plan-lens, else ~/.cache/plan-lens. */
  cacheDir?: string;
  /** Receives progress and timings, one sentence each. */
  log?: (message: string) => void;
}

export interface DemoDatabase {
  /** postgresql://postgres@127.0.0.1:PORT/postgres?sslmode=disable; PGlite asks for no password. */
  connectionString: string;
  port: number;
  /** True when this start built the shop, false when it opened a cached build. */
  rebuilt: boolean;
  /** Where the database files are. */
  dataDir: string;
  /** Closes the server and the database; safe to call more than once. */
  stop(): Promise<void>;
}

export function defaultDemoCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLAN_LENS_CACHE_DIR) return env.PLAN_LENS_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'plan-lens');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'plan-lens', 'Cache');
  return join(homedir(), '.cache', 'plan-lens');
}

export async function startDemoDatabase(options: DemoDatabaseOptions = {}): Promise<DemoDatabase> {
  const log = options.log ?? (() => undefined);
  const cacheDir = options.cacheDir ?? defaultDemoCacheDir();
  await mkdir(cacheDir, { recursive: true });
  const lock = await acquireCacheLock(join(cacheDir, `${DEMO_DIR_NAME}.lock`));
  if ('heldBy' in lock) {
    log(`The demo database in ${cacheDir} is in use by process ${lock.heldBy}: building a private copy for this one.`);
    const privateDir = await mkdtemp(join(tmpdir(), 'plan-lens-demo-'));
    const started = Date.now();
    const worker = new DemoWorker(log);
    try {
      await worker.build(join(privateDir, DEMO_DIR_NAME));
      const port = await worker.serveBuilt(join(privateDir, DEMO_DIR_NAME));
      log(`Built the demo database in ${seconds(started)}.`);
      return demoDatabase(port, true, join(privateDir, DEMO_DIR_NAME), worker, () => rm(privateDir, { recursive: true, force: true }));
    } catch (error) {
      await worker.stop();
      await rm(privateDir, { recursive: true, force: true });
      throw error;
    }
  }

  const dataDir = join(cacheDir, DEMO_DIR_NAME);
  let worker = new DemoWorker(log);
  try {
    await removeInterruptedBuilds(cacheDir);
    const started = Date.now();
    if (existsSync(dataDir)) {
      let problem = 'The cached demo database is incomplete (no completion marker).';
      const port = await worker.serve(dataDir).catch((error: Error) => {
        problem = error.message;
        return undefined;
      });
      if (port !== undefined) {
        log(`Opened the cached demo database in ${seconds(started)}.`);
        return demoDatabase(port, false, dataDir, worker, lock.release);
      }
      log(`${problem} Rebuilding it in ${dataDir}.`);
      await worker.stop();
      worker = new DemoWorker(log);
      await rm(dataDir, { recursive: true, force: true });
    }
    log(`Building the demo database in ${dataDir} (once; later starts reuse it).`);
    const buildDir = `${dataDir}.build-${process.pid}`;
    await worker.build(buildDir);
    await rename(buildDir, dataDir);
    const port = await worker.serveBuilt(dataDir);
    log(`Built the demo database in ${seconds(started)}.`);
    return demoDatabase(port, true, dataDir, worker, lock.release);
  } catch (error) {
    await worker.stop();
    await lock.release();
    throw error;
  }
}

function demoDatabase(port: number, rebuilt: boolean, dataDir: string, worker: DemoWorker, cleanUp: () => Promise<void>): DemoDatabase {
  let stopping: Promise<void> | undefined;
  return {
    connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    rebuilt,
    dataDir,
    stop() {
      stopping ??= worker.stop().then(cleanUp);
      return stopping;
    },
  };
}

function seconds(since: number): string {
  return formatMs(Date.now() - since);
}

/** Leftovers of builds that were interrupted; only called while holding the cache lock, so none is running. */
async function removeInterruptedBuilds(cacheDir: string): Promise<void> {
  for (const entry of await readdir(cacheDir)) {
    if (entry.startsWith(`${DEMO_DIR_NAME}.build-`)) await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
}

type CacheLock = { release: () => Promise<void> } | { heldBy: number };

/**
 * PGlite takes no lock on its folder, and two processes writing one PostgreSQL data directory
 * corrupt it; a file holding the owner's pid stands in. A lock whose process is gone is taken over.
 */
async function acquireCacheLock(path: string): Promise<CacheLock> {
  for (;;) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      return {
        release: async () => {
          const owner = await readFile(path, 'utf8').catch(() => '');
          if (owner === String(process.pid)) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(path, 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && processIsAlive(owner)) return { heldBy: owner };
    await unlink(path).catch(() => undefined);
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The worker thread that owns PGlite, driven one command at a time. */
class DemoWorker {
  private readonly worker: Worker;
  private exited = false;
  private pending: { resolve: (reply: DemoWorkerReply) => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly log: (message: string) => void) {
    const workerData: DemoWorkerData = {
      pglitePath: require.resolve('@electric-sql/pglite'),
      socketPath: require.resolve('@electric-sql/pglite-socket'),
    };
    this.worker = new Worker(DEMO_WORKER_SOURCE, { eval: true, workerData });
    this.worker.on('message', (reply: DemoWorkerReply) => {
      if (reply.type === 'progress') {
        this.log(`Building the demo database: ${reply.message}.`);
        return;
      }
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(reply);
    });
    this.worker.on('error', (error) => this.fail(new Error(`The demo database stopped with an error: ${error.message}`)));
    this.worker.on('exit', () => {
      this.exited = true;
      this.fail(new Error('The demo database stopped unexpectedly.'));
    });
  }

  async build(dataDir: string): Promise<void> {
    await this.request({ name: 'build', dataDir, steps: DEMO_BUILD_STEPS }, 'built');
  }

  /** The port it listens on, or undefined when the folder holds no complete build. */
  async serve(dataDir: string): Promise<number | undefined> {
    const reply = await this.request(
      {
        name: 'serve',
        dataDir,
        versionQuery: DEMO_BUILD_VERSION_QUERY,
        version: DEMO_SCHEMA_VERSION,
        maxConnections: DEMO_SERVER_MAX_CONNECTIONS,
      },
      'serving',
      'incomplete',
    );
    return reply.type === 'serving' ? reply.port : undefined;
  }

  async serveBuilt(dataDir: string): Promise<number> {
    const port = await this.serve(dataDir);
    if (port === undefined)
      throw new Error(`The demo database just built in ${dataDir} has no completion marker; delete the folder and try again.`);
    return port;
  }

  /** Closes the database cleanly when the worker answers in time, else terminates it. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const timer = setTimeout(() => void this.worker.terminate(), WORKER_STOP_TIMEOUT_MS);
    try {
      await this.request({ name: 'stop' }, 'stopped');
    } catch {
      // Terminated or crashed: either way it is gone, which is what stop is for.
    } finally {
      clearTimeout(timer);
    }
    await this.worker.terminate();
  }

  private request<T extends DemoWorkerReply['type']>(
    command: DemoWorkerCommand,
    ...expected: T[]
  ): Promise<Extract<DemoWorkerReply, { type: T }>> {
    if (this.exited) return Promise.reject(new Error('The demo database has already stopped.'));
    return new Promise((resolve, reject) => {
      this.pending = {
        resolve: (reply) => {
          if ((expected as string[]).includes(reply.type)) resolve(reply as Extract<DemoWorkerReply, { type: T }>);
          else
            reject(
              new Error(
                `The demo database could not ${command.name === 'build' ? 'be built' : command.name === 'serve' ? 'be opened' : 'stop'}: ${reply.type === 'failed' ? reply.message : reply.type}.`,
              ),
            );
        },
        reject,
      };
      this.worker.postMessage(command);
    });
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}
