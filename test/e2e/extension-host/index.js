/**
 * Entry of the Plan Lens extension-host suite (the `extensionTestsPath`). One suite, two runners:
 * code-server through the end-to-end harness (test/e2e/plan-lens.test.ts) and desktop VS Code
 * through @vscode/test-electron (test/e2e/electron/run-tests.js). Either runner prepares the
 * workspace (shop-fixture.js) and the user settings naming the connection, whose password comes
 * from PGPASSWORD in VS Code's environment.
 */
'use strict';

const path = require('path');
const { runMochaSuite } = require('../harness/host/mochaRunner');

exports.run = () => runMochaSuite({ files: [path.join(__dirname, 'plan-lens.spec.js')], timeout: 60000 });
