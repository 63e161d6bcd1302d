/**
 * Latency the query recorder adds to each round trip: the median of SELECT 1 (simple protocol)
 * and of a prepared lookup with a parameter (extended protocol) over a direct connection and
 * through the recorder, measured in alternating blocks so load on the machine hits both alike.
 * Needs the PostgreSQL server of the PG* variables (or DATABASE_URL). Fails above the goal.
 */
import { Client } from 'pg';
import { resolveConnection } from '../src/db/connection-config';
import { DEFAULT_WORKLOAD_SETTINGS } from '../src/core/workload/model';
import { RecordingSession, upstreamOf } from '../src/recorder/recording-session';

/** Goal of issue 10: less than 0.2 ms added per round trip (median). */
export const ADDED_LATENCY_GOAL_MS = 0.2;
const BLOCKS = 20;
const PER_BLOCK = 200;
const WARMUP = 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timeQueries(client: Client, count: number, query: (client: Client, i: number) => Promise<unknown>, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await query(client, i);
    into.push(performance.now() - started);
  }
}

export async function run(): Promise<void> {
  const connection = resolveConnection();
  if (!connection) {
    console.log('skipped: no PostgreSQL server configured (set the PG* variables or DATABASE_URL)');
    return;
  }
  const session = new RecordingSession({ upstream: upstreamOf(connection), listenPort: 0, settings: DEFAULT_WORKLOAD_SETTINGS });
  const { port } = await session.start();
  const direct = new Client(connection.config);
  const proxied = new Client({ ...connection.config, host: '127.0.0.1', port, ssl: false });
  await direct.connect();
  await proxied.connect();
  const kinds: [string, (client: Client, i: number) => Promise<unknown>][] = [
    ['simple SELECT 1', (client) => client.query('SELECT 1')],
    ['prepared lookup $1', (client, i) => client.query({ name: 'lookup', text: 'SELECT $1::int + 1 AS next', values: [i] })],
  ];
  let worst = 0;
  try {
    console.log('query                     direct median   recorded median   added');
    for (const [name, query] of kinds) {
      const directTimes: number[] = [];
      const proxiedTimes: number[] = [];
      await timeQueries(direct, WARMUP, query, []);
      await timeQueries(proxied, WARMUP, query, []);
      for (let block = 0; block < BLOCKS; block++) {
        await timeQueries(direct, PER_BLOCK, query, directTimes);
        await timeQueries(proxied, PER_BLOCK, query, proxiedTimes);
      }
      const added = median(proxiedTimes) - median(directTimes);
      worst = Math.max(worst, added);
      console.log(
        `${name.padEnd(24)} ${median(directTimes).toFixed(3).padStart(10)} ms ${median(proxiedTimes).toFixed(3).padStart(14)} ms ${added.toFixed(3).padStart(8)} ms`,
      );
    }
    await session.flush();
    console.log(`recorded ${session.store.statementCount} statements`);
  } finally {
    await direct.end();
    await proxied.end();
    await session.stop();
  }
  if (worst >= ADDED_LATENCY_GOAL_MS) {
    throw new Error(`the recorder adds ${worst.toFixed(3)} ms per round trip (median), over the goal of ${ADDED_LATENCY_GOAL_MS} ms`);
  }
}
