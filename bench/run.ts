/**
 * Runs the run() of every bench/*.bench.ts in turn: `npm run bench`
 * (node --expose-gc --import tsx bench/run.ts). Pass names to run only some: `npm run bench -- plan-metrics`.
 * Exits non-zero when a bench throws or any target (bench/targets.ts) is missed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { reportTargets } from './targets';

interface BenchModule {
  run?: () => Promise<void>;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
    .sort();
  if (files.length === 0) throw new Error(`no bench/*.bench.ts file matches ${only.join(', ') || 'anything'}`);
  for (const file of files) {
    const module = require(join(__dirname, file)) as BenchModule;
    if (typeof module.run !== 'function') throw new Error(`bench/${file} does not export an async run() function`);
    console.log(`\n== ${file}`);
    await module.run();
  }
  if (!reportTargets()) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
