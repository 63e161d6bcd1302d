/**
 * Mode A, "extension tests": runs a mocha suite inside the real (Node) extension host of
 * code-server, the way `@vscode/test-electron`'s `runTests()` does on the desktop.
 *
 *   const result = await runExtensionTests({
 *     extensionDevelopmentPath: '/abs/extension',          // folder with package.json
 *     extensionTestsPath: '/abs/extension/out/test/index.js', // exports run(): Promise<void>
 *     workspace: '/abs/folder',                             // optional; default an empty temp folder
 *     env: { PLAN_LENS_DATABASE_URL: '...' },               // optional, for the extension host
 *   });
 *   assert.strictEqual(result.failed, 0);
 *
 * How: code-server starts with PLAN_LENS_E2E_RESULTS=<file> in its environment; headless
 * Chromium opens the workbench URL whose `payload` loads the extension from source and names the
 * test module. The extension host runs `run()`; the suite writes its results to that file (use
 * `host/mochaRunner.js`, or mocha's JSON reporter with `reporterOption: { output: file }`). The
 * harness waits for the file, prints each test (title, pass/fail, failure messages), closes the
 * browser, kills code-server's process group and returns the counts. It throws (never hangs) when
 * code-server or the workbench does not start, when the suite ends without writing results, or
 * after `timeoutMs`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { launchBrowser, type HeadlessBrowser } from './browser';
import { type CodeServer, startCodeServer } from './codeServer';
import { RESULTS_FILE_ENV } from './environment';

export interface ExtensionTestOptions {
  /** Absolute path of the extension folder (its package.json). */
  extensionDevelopmentPath: string;
  /** Absolute path of the test module exporting `run(): Promise<void>`. */
  extensionTestsPath: string;
  /** Folder opened in the workbench (default: a fresh empty temporary folder). */
  workspace?: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Extra environment variables for code-server and its extension host. */
  env?: Record<string, string>;
  /** `.vsix` files installed first (other extensions the tested one depends on). */
  installExtensions?: string[];
  /** Whole run, start to results (default 5 minutes). */
  timeoutMs?: number;
  /** From opening the URL until the workbench shows (default 90 s). */
  workbenchTimeoutMs?: number;
  /** Where the report lines go (default console.log). */
  print?: (line: string) => void;
  /** Also print code-server's output and the browser console (default: only on failure). */
  verbose?: boolean;
}

export interface TestOutcome {
  title: string;
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: { message: string; stack?: string };
}

export interface ExtensionTestResult {
  passed: number;
  failed: number;
  pending: number;
  total: number;
  tests: TestOutcome[];
  /** Milliseconds from starting code-server until the workbench was shown. */
  startupMs: number;
  /** Milliseconds for the whole run. */
  durationMs: number;
  /** Exit code the extension host reported when `run()` settled (0 passed, 1 failed), if it did. */
  exitCode?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads a results file in this harness's format or mocha's JSON reporter format. */
export function parseResults(json: string): TestOutcome[] {
  const data = JSON.parse(json) as {
    tests?: Array<Record<string, unknown>>;
    failures?: Array<Record<string, unknown>>;
    pending?: Array<Record<string, unknown>>;
  };
  if (!Array.isArray(data.tests)) throw new Error('results file has no "tests" array');
  const key = (t: Record<string, unknown>): string => `${t.fullTitle}\u0000${t.file ?? ''}`;
  const failed = new Set((data.failures ?? []).map(key));
  const pending = new Set((data.pending ?? []).map(key));
  return data.tests.map((t) => {
    const err = t.err as { message?: string; stack?: string } | undefined;
    let state = t.state as TestOutcome['state'] | undefined;
    if (state !== 'passed' && state !== 'failed' && state !== 'pending') {
      state = failed.has(key(t)) ? 'failed' : pending.has(key(t)) ? 'pending' : 'passed';
    }
    return {
      title: String(t.title),
      fullTitle: String(t.fullTitle ?? t.title),
      state,
      durationMs: Number(t.duration ?? 0),
      error: err && err.message !== undefined ? { message: String(err.message), stack: err.stack } : undefined,
    };
  });
}

export function formatResults(tests: TestOutcome[], label: string): string[] {
  const lines = [`${label}:`];
  for (const t of tests) {
    const mark = t.state === 'passed' ? 'ok  ' : t.state === 'failed' ? 'FAIL' : 'skip';
    lines.push(`  ${mark} ${t.fullTitle} (${t.durationMs} ms)`);
    if (t.state === 'failed' && t.error) {
      const detail = (t.error.stack ?? t.error.message).split('\n').slice(0, 8);
      for (const l of detail) lines.push(`         ${l}`);
    }
  }
  const count = (s: TestOutcome['state']): number => tests.filter((t) => t.state === s).length;
  lines.push(
    `  extension host: ${count('passed')} of ${tests.length} tests passed (failed ${count('failed')}, pending ${count('pending')})`,
  );
  return lines;
}

export async function runExtensionTests(options: ExtensionTestOptions): Promise<ExtensionTestResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const devPath = path.resolve(options.extensionDevelopmentPath);
  const testsPath = path.resolve(options.extensionTestsPath);
  if (!fs.existsSync(path.join(devPath, 'package.json'))) {
    throw new Error(`extensionDevelopmentPath has no package.json: ${devPath}`);
  }
  if (!['', '.js', '/index.js'].some((suffix) => fs.existsSync(testsPath + suffix))) {
    throw new Error(`extensionTestsPath not found: ${testsPath}`);
  }
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 5 * 60_000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-e2e-run-'));
  const resultsFile = path.join(scratch, 'results.json');
  let workspace = options.workspace;
  if (!workspace) {
    workspace = path.join(scratch, 'workspace');
    fs.mkdirSync(workspace);
  }
  const diagnostics: string[] = [];
  const keep = (line: string): void => {
    // The workbench's own log lines (styled with %c) come once more, cleaner, via codeAutomationLog.
    if (/^\[browser \w+\] %c/.test(line) || /^\[code-server\]\s*(\[[\d:]+\]\s*)?$/.test(line)) return;
    diagnostics.push(line);
    if (diagnostics.length > 300) diagnostics.shift();
    if (options.verbose) print(line);
  };

  let server: CodeServer | undefined;
  let browser: HeadlessBrowser | undefined;
  try {
    server = await startCodeServer({
      workspace,
      settings: options.settings,
      env: { ...options.env, [RESULTS_FILE_ENV]: resultsFile },
      installExtensions: options.installExtensions,
      log: (line) => keep(`[code-server] ${line}`),
      startTimeoutMs: Math.max(1_000, deadline - Date.now()),
    });
    browser = await launchBrowser({ log: keep });
    const page = browser.page;

    let exitCode: number | undefined;
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      keep(`[workbench ${type}] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
    });

    const url = server.workbenchUrl({ extensionDevelopmentPath: devPath, extensionTestsPath: testsPath });
    const workbenchTimeout = Math.min(options.workbenchTimeoutMs ?? 90_000, Math.max(1_000, deadline - Date.now()));
    const failure = (what: string, err: unknown): Error =>
      new Error(
        `${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n` +
          `URL: ${url}\nLast output:\n${diagnostics.slice(-40).join('\n')}`,
      );
    try {
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: workbenchTimeout });
      await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: workbenchTimeout });
    } catch (err) {
      throw failure(`the workbench did not start within ${workbenchTimeout} ms`, err);
    }
    const startupMs = Date.now() - started;

    let exitSeenAt: number | undefined;
    for (;;) {
      if (fs.existsSync(resultsFile)) {
        let tests: TestOutcome[] | undefined;
        try {
          tests = parseResults(fs.readFileSync(resultsFile, 'utf8'));
        } catch {
          // Written by a writer that does not rename: read again once it is complete.
        }
        if (tests) {
          // The exit code follows the results by a moment, once run() has settled.
          for (let i = 0; i < 25 && exitCode === undefined; i++) await sleep(100);
          const count = (s: TestOutcome['state']): number => tests.filter((t) => t.state === s).length;
          const label = `Extension-host tests (${path.relative(process.cwd(), testsPath)})`;
          formatResults(tests, label).forEach((l) => print(l));
          const result: ExtensionTestResult = {
            passed: count('passed'),
            failed: count('failed'),
            pending: count('pending'),
            total: tests.length,
            tests,
            startupMs,
            durationMs: Date.now() - started,
            exitCode,
          };
          if (result.failed > 0 && !options.verbose) {
            print('  last output of code-server and the workbench:');
            diagnostics.slice(-25).forEach((l) => print(`    ${l}`));
          }
          return result;
        }
      }
      if (exitCode !== undefined && exitSeenAt === undefined) exitSeenAt = Date.now();
      if (exitSeenAt !== undefined && Date.now() - exitSeenAt > 5_000) {
        throw failure(
          `the extension host finished the tests (exit code ${exitCode}) without writing ${resultsFile}`,
          `does the suite write to $${RESULTS_FILE_ENV}?`,
        );
      }
      if (server.exit) throw failure('code-server exited during the tests', JSON.stringify(server.exit));
      if (Date.now() > deadline) {
        throw failure(`no test results after ${options.timeoutMs ?? 5 * 60_000} ms`, `waiting for ${resultsFile}`);
      }
      await sleep(200);
    }
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
