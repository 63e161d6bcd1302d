/**
 * Runs a mocha suite inside the VS Code extension host and writes its results where the
 * end-to-end harness (`runExtensionTests`, mode A) waits for them.
 *
 * Plain CommonJS JavaScript: the extension host loads test modules with Node's `require`, without
 * TypeScript. A suite's entry module (the `extensionTestsPath`) uses it like this:
 *
 *   const path = require('path');
 *   const { runMochaSuite } = require('<repo>/test/e2e/harness/host/mochaRunner');
 *   exports.run = () => runMochaSuite({ files: [path.join(__dirname, 'my.spec.js')], timeout: 20000 });
 *
 * `run()` resolves when every test passed and rejects otherwise: the same contract as
 * `@vscode/test-electron`, so one suite serves both runners. The results file is named by the
 * environment variable PLAN_LENS_E2E_RESULTS (when unset, only the console gets the report) and
 * holds JSON written in one piece (temporary file, then rename):
 *
 *   { "stats": { "tests", "passes", "failures", "pending", "duration", "start", "end" },
 *     "tests": [ { "title", "fullTitle", "file", "duration", "state": "passed" | "failed" | "pending",
 *                  "err": { "message", "stack" } } ] }
 *
 * Failing hooks (`before`, `afterEach`, ...) appear as failed entries. An error while loading the
 * spec files is reported as one failed entry, so the harness never waits for a file that will not come.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const RESULTS_FILE_ENV = 'PLAN_LENS_E2E_RESULTS';

function serializeError(err) {
  if (!err) return undefined;
  const out = { message: String(err.message ?? err), stack: err.stack ? String(err.stack) : undefined };
  if (err.showDiff !== false && ('expected' in err || 'actual' in err)) {
    out.expected = safeString(err.expected);
    out.actual = safeString(err.actual);
  }
  return out;
}

function safeString(value) {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function writeResults(results) {
  const file = process.env[RESULTS_FILE_ENV];
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(results, null, 2));
  fs.renameSync(tmp, file);
}

/**
 * @param {object} options
 * @param {string[]} options.files   absolute paths of the spec files
 * @param {number} [options.timeout] per-test timeout in ms (default 30000)
 * @param {'bdd'|'tdd'} [options.ui] mocha interface (default 'bdd')
 * @param {string} [options.grep]    run only tests whose full title matches
 * @param {Function} [options.Mocha] a Mocha constructor (default: `require('mocha')`)
 * @returns {Promise<{ passes: number, failures: number, pending: number }>}
 */
function runMochaSuite(options) {
  const Mocha = options.Mocha || require('mocha');
  const mocha = new Mocha({
    ui: options.ui || 'bdd',
    timeout: options.timeout ?? 30000,
    color: false,
    reporter: 'spec',
    grep: options.grep,
  });
  for (const file of options.files) mocha.addFile(file);

  const start = new Date();
  const tests = [];
  const record = (test, state, err) => {
    tests.push({
      title: test.title,
      fullTitle: typeof test.fullTitle === 'function' ? test.fullTitle() : test.title,
      file: test.file,
      duration: test.duration ?? 0,
      state,
      err: serializeError(err),
    });
  };
  const finish = () => {
    const end = new Date();
    const count = (state) => tests.filter((t) => t.state === state).length;
    const stats = {
      tests: tests.length,
      passes: count('passed'),
      failures: count('failed'),
      pending: count('pending'),
      duration: end.getTime() - start.getTime(),
      start: start.toISOString(),
      end: end.toISOString(),
    };
    writeResults({ stats, tests });
    return stats;
  };

  return new Promise((resolve, reject) => {
    let runner;
    try {
      runner = mocha.run();
    } catch (err) {
      record({ title: 'loading the suite', fullTitle: () => 'loading the suite' }, 'failed', err);
      finish();
      reject(err);
      return;
    }
    runner.on('pass', (test) => record(test, 'passed'));
    runner.on('fail', (test, err) => record(test, 'failed', err));
    runner.on('pending', (test) => record(test, 'pending'));
    runner.once('end', () => {
      const stats = finish();
      if (stats.failures > 0) reject(new Error(`${stats.failures} of ${stats.tests} tests failed`));
      else resolve({ passes: stats.passes, failures: stats.failures, pending: stats.pending });
    });
  });
}

module.exports = { runMochaSuite, RESULTS_FILE_ENV };
