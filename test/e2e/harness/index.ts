/**
 * End-to-end harness: the extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
 * driven by headless Debian Chromium through playwright-core. Run from mocha with tsx.
 *
 * Setup, once per machine (idempotent, about 40 s the first time, instant after):
 *   bash scripts/install-code-server.sh      # -> .tools/code-server/
 *   apt-get install chromium                 # -> /usr/bin/chromium
 * Tests skip themselves when either is missing:
 *   before(function () { const why = e2eUnavailableReason(); if (why) this.skip(); });
 *
 * Mode A, extension-host tests (like @vscode/test-electron's runTests):
 *   const r = await runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, workspace?, env? });
 *   // r.passed, r.failed, r.pending, r.total, r.tests[], r.startupMs; each test printed as it ends.
 * The test module's run() should use `host/mochaRunner.js` (plain JS, loaded by the extension
 * host), which writes the results file named by $PLAN_LENS_E2E_RESULTS.
 *
 * Mode B, UI tests in the workbench:
 *   const wb = await openWorkbench({ workspace, vsix? | extensionDevelopmentPath?, settings?, env? });
 *   await wb.openFile('a.sql'); await wb.rightClickEditorAndChoose('Explain Query', { line: 2 });
 *   const labels = await wb.rightClickEditor({ line: 2 }); await wb.chooseContextMenuItem('Explain Query');
 *   await wb.runCommand('Plan Lens: Explain'); const f = await wb.findWebviewFrame('#root');
 *   await wb.waitForNotification(/done/); await wb.screenshot('name'); await wb.dispose();
 *
 * Lower level: startCodeServer() (fresh user-data and extensions folders, loopback port picked by
 * the kernel, process group killed on stop) and launchBrowser(). packVsix() makes a minimal
 * .vsix from an extension's files, for install tests without vsce.
 *
 * Environment: PLAN_LENS_TOOLS_DIR (install folder, default <repo>/.tools), PLAN_LENS_CODE_SERVER
 * (another code-server entry.js), PLAN_LENS_CHROMIUM (another Chromium).
 */
export { launchBrowser, CHROMIUM_ARGS } from './browser';
export type { HeadlessBrowser, LaunchOptions } from './browser';
export { startCodeServer, installExtension, DEFAULT_SETTINGS } from './codeServer';
export type { CodeServer, CodeServerOptions, WorkbenchUrlOptions } from './codeServer';
export {
  REPO_ROOT,
  TEST_RESULTS_DIR,
  EXPECTED_VSCODE_VERSION,
  RESULTS_FILE_ENV,
  chromiumPath,
  codeServerEntry,
  codeServerInstallDir,
  e2eUnavailableReason,
} from './environment';
export { runExtensionTests, parseResults, formatResults } from './extensionTests';
export type { ExtensionTestOptions, ExtensionTestResult, TestOutcome } from './extensionTests';
export { packVsix } from './vsix';
export { openWorkbench } from './workbench';
export type { Workbench, WorkbenchOptions } from './workbench';
