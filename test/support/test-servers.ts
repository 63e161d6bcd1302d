/**
 * The database servers tests run against: the embedded demo database (PGlite, always) and the
 * PostgreSQL server named by DATABASE_URL or PGHOST & co. (only when set, as the test harness
 * decides in scripts/test-environment.mjs; otherwise its suites skip).
 *
 *   forEachServer((server) => {
 *     describe(`something (${server.name})`, function () {
 *       let connection: ResolvedConnection;
 *       before(async function () { connection = await server.connect(this); });
 *       ...
 *     });
 *   });
 *
 * The demo database is built once per run and shared by every suite. Its cache is
 * PLAN_LENS_CACHE_DIR when set (so runs can reuse one build), else a temporary folder removed at
 * the end. A fresh temporary cache starts out the way a crash would leave it: an interrupted
 * build folder and an unreadable database folder. The first start must clean up and rebuild
 * (test/db/demo-database.test.ts checks that it did), at no extra cost to the run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnection, type ResolvedConnection } from '../../src/db/connection-config';
import { startDemoDatabase, type DemoDatabase } from '../../src/db/demo-database';
import { DEMO_SCHEMA_VERSION } from '../../src/db/demo-shop-schema';
import { postgresConfigured } from './postgres-configured';

export interface TestServer {
  /** For suite titles: "PGlite" or "PostgreSQL". */
  readonly name: string;
  readonly embedded: boolean;
  /** The connection; skips the calling suite when this server is not configured for the run. */
  connect(context: Mocha.Context): Promise<ResolvedConnection>;
}

export interface DemoCacheForTests {
  dir: string;
  /** The folder was created empty for this run and seeded with a crashed build's leftovers. */
  seededWithLeftovers: boolean;
  interruptedBuildDir: string;
}

const reuseDir = process.env.PLAN_LENS_CACHE_DIR;

export const demoCache: DemoCacheForTests = reuseDir
  ? { dir: reuseDir, seededWithLeftovers: false, interruptedBuildDir: '' }
  : seededCache(mkdtempSync(join(tmpdir(), 'plan-lens-test-cache-')));

function seededCache(dir: string): DemoCacheForTests {
  const demoDir = join(dir, `demo-v${DEMO_SCHEMA_VERSION}`);
  const interruptedBuildDir = `${demoDir}.build-4194305`;
  mkdirSync(interruptedBuildDir);
  writeFileSync(join(interruptedBuildDir, 'PG_VERSION'), '18\n');
  mkdirSync(demoDir);
  writeFileSync(join(demoDir, 'PG_VERSION'), 'not a PostgreSQL data directory\n');
  return { dir, seededWithLeftovers: true, interruptedBuildDir };
}

let sharedDemo: Promise<DemoDatabase> | undefined;
/** What the run's first start of the demo database reported. */
let firstDemoStart: DemoDatabase | undefined;

/** The run's demo database, started on first use. */
export function startSharedDemo(): Promise<DemoDatabase> {
  sharedDemo ??= startDemoDatabase({ cacheDir: demoCache.dir }).then((demo) => {
    firstDemoStart ??= demo;
    return demo;
  });
  return sharedDemo;
}

export function firstSharedDemoStart(): DemoDatabase | undefined {
  return firstDemoStart;
}

/** Stops the shared demo database; the next startSharedDemo() opens it again from the cache. */
export async function stopSharedDemo(): Promise<void> {
  const demo = sharedDemo;
  sharedDemo = undefined;
  await (await demo?.catch(() => undefined))?.stop();
}

after(async function () {
  this.timeout(30_000);
  await stopSharedDemo();
  if (!reuseDir) rmSync(demoCache.dir, { recursive: true, force: true });
});

const pglite: TestServer = {
  name: 'PGlite',
  embedded: true,
  async connect(context) {
    // The first start may build the shop: give it time on a busy machine.
    context.timeout(Math.max(context.timeout(), 180_000));
    const demo = await startSharedDemo();
    return resolveConnection({ url: demo.connectionString, env: {} })!;
  },
};

const postgres: TestServer = {
  name: 'PostgreSQL',
  embedded: false,
  async connect(context) {
    if (!postgresConfigured(process.env)) context.skip();
    return resolveConnection({ env: process.env })!;
  },
};

const TEST_SERVERS: readonly TestServer[] = [pglite, postgres];

export function forEachServer(define: (server: TestServer) => void): void {
  for (const server of TEST_SERVERS) define(server);
}

/** The configured PostgreSQL server's connection, or undefined when the run has none. */
export function configuredPostgres(): ResolvedConnection | undefined {
  return postgresConfigured(process.env) ? resolveConnection({ env: process.env }) : undefined;
}
