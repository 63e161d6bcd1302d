/**
 * Where code-server and Chromium are found, and whether they are there.
 *
 * - code-server 4.100.3 (VS Code 1.100.3), installed by `bash scripts/install-code-server.sh`
 *   into `<repo>/.tools/code-server/` (or `$PLAN_LENS_TOOLS_DIR/code-server/`);
 *   `$PLAN_LENS_CODE_SERVER` may point at another `out/node/entry.js` or `bin/code-server`.
 * - Chromium at `/usr/bin/chromium` (Debian's package `chromium`), or `$PLAN_LENS_CHROMIUM`.
 *
 * Tests call {@link e2eUnavailableReason} and skip themselves when it returns a reason.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The repository root (this file is `test/e2e/harness/environment.ts`). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Screenshots go here (ignored by git). */
export const TEST_RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/** The VS Code version that the installed code-server embeds. */
export const EXPECTED_VSCODE_VERSION = '1.100.3';

/**
 * The variable of the code-server process (and so of the extension host) that names the file an
 * extension-host suite writes its results to. `host/mochaRunner.js` reads it.
 */
export const RESULTS_FILE_ENV = 'PLAN_LENS_E2E_RESULTS';

const toolsDir = (): string => process.env.PLAN_LENS_TOOLS_DIR || path.join(REPO_ROOT, '.tools');

/** The code-server installation folder (holds `node_modules/code-server`). */
export function codeServerInstallDir(): string {
  return path.join(toolsDir(), 'code-server');
}

/** The script that starts code-server, run with this Node (`node <entry> args...`). */
export function codeServerEntry(): string {
  return process.env.PLAN_LENS_CODE_SERVER || path.join(codeServerInstallDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The Chromium executable that playwright-core drives. */
export function chromiumPath(): string {
  return process.env.PLAN_LENS_CHROMIUM || '/usr/bin/chromium';
}

/**
 * Why the end-to-end tests cannot run here, or undefined when they can. An install is complete
 * only once the install script has written its marker file `.installed` (scripts/test.mjs asks
 * the same question through scripts/test-environment.mjs).
 */
export function e2eUnavailableReason(): string | undefined {
  if (!process.env.PLAN_LENS_CODE_SERVER) {
    const dir = codeServerInstallDir();
    if (!fs.existsSync(path.join(dir, '.installed'))) {
      return `code-server is not installed in ${dir} (run: bash scripts/install-code-server.sh)`;
    }
  }
  if (!fs.existsSync(codeServerEntry())) {
    return `code-server not found at ${codeServerEntry()}`;
  }
  if (!fs.existsSync(chromiumPath())) {
    return `Chromium not found at ${chromiumPath()} (apt-get install chromium)`;
  }
  return undefined;
}
