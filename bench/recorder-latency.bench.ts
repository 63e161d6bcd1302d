/**
 * Latency the query recorder adds to each round trip: the median of SELECT 1 (simple protocol)
 * and of a prepared lookup with a parameter (extended protocol) over a direct connection and
 * through the recorder, measured in alternating blocks so load on the machine hits both alike.
 * The recorder runs in its own process (`plan-lens record`), as it does beside a real application.
 * Needs the PostgreSQL server of the PG* variables (or DATABASE_URL). Fails above the goal.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { resolveConnection } from '../src/db/connection-config';
import { underTarget } from './targets';

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

async function timeQueries(
  client: Client,
  count: number,
  query: (client: Client, i: number) => Promise<unknown>,
  into: number[],
): Promise<void> {
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
  const recorder = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'src', 'cli', 'main.ts'), 'record', '--listen', '127.0.0.1:0', '--json'],
    {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let report = '';
  recorder.stdout.on('data', (data) => (report += data));
  const finished = new Promise<void>((resolve) => recorder.on('close', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = '';
    recorder.stderr.on('data', (data) => {
      stderr += data;
      const found = /point the application at postgresql:\/\/[^@]*@127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (found) resolve(Number(found[1]));
    });
    void finished.then(() => reject(new Error(`plan-lens record exited: ${stderr}`)));
  });
  const direct = new Client(connection.config);
  const proxied = new Client({ ...connection.config, host: '127.0.0.1', port, ssl: false });
  await direct.connect();
  await proxied.connect();
  const kinds: [string, (client: Client, i: number) => Promise<unknown>][] = [
    ['simple SELECT 1', (client) => client.query('SELECT 1')],
    ['prepared lookup $1', (client, i) => client.query({ name: 'lookup', text: 'SELECT $1::int + 1 AS next', values: [i] })],
  ];
  try {
    console.log('query                     direct median   recorded median   added     target');
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
      console.log(
        `${name.padEnd(24)} ${median(directTimes).toFixed(3).padStart(10)} ms ${median(proxiedTimes).toFixed(3).padStart(14)} ms ${added.toFixed(3).padStart(8)} ms  ${underTarget(`recorder latency added to ${name}`, added, ADDED_LATENCY_GOAL_MS, 'ms')}`,
      );
    }
  } finally {
    await direct.end();
    await proxied.end();
    recorder.kill('SIGTERM');
    await finished;
  }
  const recorded = (JSON.parse(report) as { statements: { calls: number }[] }).statements.reduce((sum, group) => sum + group.calls, 0);
  console.log(`recorded ${recorded} statements`);
}
