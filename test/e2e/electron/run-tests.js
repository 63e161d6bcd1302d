#!/usr/bin/env node
/**
 * Runs the extension-host suite of test/e2e/extension-host/ in desktop VS Code through
 * @vscode/test-electron, which downloads VS Code on first use: for machines with network access
 * and a display (on Linux without one: `xvfb-run -a node ...`). `npm test` runs the same suite in
 * code-server instead (test/e2e/plan-lens.test.ts) and does not run this file.
 *
 *   PGHOST=127.0.0.1 PGUSER=planlens PGPASSWORD=... PGDATABASE=planlens_test npm run test:vscode-desktop
 *
 * The PG* variables (or DATABASE_URL) name a superuser connection: the run creates a schema and a
 * login role of its own there and drops both at the end. VS Code gets only the role's password,
 * as PGPASSWORD, and a connection in its user settings. VSCODE_VERSION picks the VS Code version
 * (default: the latest stable). Exit code 0 when every test passed, 1 when one failed, 2 when
 * the run could not start.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { connectionSettings, createShop, writeShopWorkspace } = require('../extension-host/shop-fixture');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SUITE = path.join(REPO_ROOT, 'test', 'e2e', 'extension-host', 'index.js');
const DATABASE_VARIABLES = /^(PG[A-Z]+|DATABASE_URL)$/;

function fail(message) {
  console.error(message);
  process.exit(2);
}

/** The package is optional: required only here, so the rest of the repository works without it. */
function loadTestElectron() {
  try {
    return require('@vscode/test-electron');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('@vscode/test-electron')) throw error;
    return fail(
      '@vscode/test-electron is not installed. Install it (npm install --no-save @vscode/test-electron) and run again; ' +
        'without it, `npx mocha test/e2e/plan-lens.test.ts` runs the same suite in code-server.',
    );
  }
}

async function main() {
  const { runTests } = loadTestElectron();
  if (!process.env.PGHOST && !process.env.DATABASE_URL) {
    fail('No PostgreSQL server: set PGHOST, PGUSER, PGPASSWORD, PGDATABASE (a superuser) or DATABASE_URL.');
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run `npm run build` first.');

  const shop = await createShop(process.env.DATABASE_URL ? { connectionString: process.env.DATABASE_URL } : {});
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-electron-'));
  try {
    const workspace = path.join(scratch, 'workspace');
    const userDataDir = path.join(scratch, 'user-data');
    const metricsFile = path.join(scratch, 'metrics.json');
    fs.mkdirSync(workspace);
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    writeShopWorkspace(workspace, shop.schema);
    const settings = { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, ...connectionSettings(shop) };
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

    // VS Code inherits this process's environment: it must use the connection in its settings.
    for (const name of Object.keys(process.env)) if (DATABASE_VARIABLES.test(name)) delete process.env[name];
    const exitCode = await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: SUITE,
      launchArgs: [workspace, `--user-data-dir=${userDataDir}`, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
      extensionTestsEnv: { PGPASSWORD: shop.password, PLAN_LENS_E2E_METRICS: metricsFile },
    }).catch((error) => {
      console.error(`The extension-host suite failed: ${error instanceof Error ? error.message : error}`);
      return 1;
    });
    if (fs.existsSync(metricsFile)) {
      const { openToActiveMs } = JSON.parse(fs.readFileSync(metricsFile, 'utf8'));
      console.log(`Plan Lens was active ${openToActiveMs} ms after the .sql file was opened.`);
    }
    return exitCode;
  } finally {
    await shop.drop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
