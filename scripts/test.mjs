#!/usr/bin/env node
// Runs every test group this machine can run, says plainly which ones it skipped and why, and
// (under CI=true) treats a skipped group as a failure: CI must exercise everything.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, codeServerInstalled, postgresConfigured } from './test-environment.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ci = process.env.CI === 'true';

const always = () => true;
const nothingMissing = () => undefined;
const browserTest = (file) => file.endsWith('.browser.test.ts');

const groups = [
  { name: 'core', dir: 'test/core', needs: nothingMissing },
  { name: 'cli', dir: 'test/cli', needs: nothingMissing },
  { name: 'database (PGlite; PostgreSQL 15 when configured)', dir: 'test/db', needs: nothingMissing },
  { name: 'explain path (PGlite; PostgreSQL 15 when configured)', dir: 'test/explain', needs: nothingMissing },
  { name: 'panel and protocol', dir: 'test/panel', needs: nothingMissing },
  { name: 'plan history', dir: 'test/history', needs: nothingMissing },
  { name: 'webview logic', dir: 'test/webview', filter: (file) => !browserTest(file), needs: nothingMissing },
  {
    name: 'postgresql-15',
    dir: undefined,
    needs: () =>
      postgresConfigured()
        ? undefined
        : 'no PostgreSQL server configured (set DATABASE_URL or PGHOST, PGUSER, PGPASSWORD, PGDATABASE; .ci/run starts the Debian PostgreSQL 15 server)',
  },
  {
    name: 'query recorder (PostgreSQL 15, psql, SQLAlchemy)',
    dir: 'test/recorder',
    needs: () => (postgresConfigured() ? undefined : 'no PostgreSQL server configured (the recorder relays real clients to it)'),
  },
  {
    name: 'webview in Chromium',
    dir: 'test/webview',
    filter: browserTest,
    needs: () => (chromiumPath() ? undefined : 'no Chromium (apt-get install chromium, or set PLAN_LENS_CHROMIUM)'),
  },
  {
    name: 'vscode end-to-end (code-server + Chromium)',
    dir: 'test/e2e',
    needs: () =>
      !chromiumPath()
        ? 'no Chromium (apt-get install chromium, or set PLAN_LENS_CHROMIUM)'
        : !codeServerInstalled(root)
          ? 'code-server is not installed (bash scripts/install-code-server.sh)'
          : undefined,
  },
];

function testFiles(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  for (const entry of readdirSync(abs)) {
    const path = join(abs, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(join(dir, entry)));
    else if (entry.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const skipped = [];
const files = [];
for (const group of groups) {
  const missing = group.needs();
  if (missing) {
    skipped.push(`${group.name}: ${missing}`);
    continue;
  }
  if (group.dir) files.push(...testFiles(group.dir).filter(group.filter ?? always));
}

console.log(skipped.length === 0 ? 'Running every test group.' : `Skipping ${skipped.length} test group(s):`);
for (const line of skipped) console.log(`  - skipped ${line}`);

const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('The build failed; no tests were run.');
  process.exit(1);
}

const mocha = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/mocha/bin/mocha.js'),
    '--reporter',
    join(root, 'scripts/mocha-summary-reporter.cjs'),
    ...process.argv.slice(2),
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: process.env },
);

if (ci && skipped.length > 0) {
  console.error(`CI=true: ${skipped.length} test group(s) were skipped, which counts as a failure here.`);
  process.exit(1);
}
process.exit(mocha.status ?? 1);
