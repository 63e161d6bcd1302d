/**
 * Entry of the application-code extension-host suite (the `extensionTestsPath`), run by
 * test/e2e/app-code.test.ts in code-server on a workspace holding the sample SQLAlchemy shop.
 */
'use strict';

const path = require('path');
const { runMochaSuite } = require('../harness/host/mochaRunner');

exports.run = () => runMochaSuite({ files: [path.join(__dirname, 'app-code.spec.js')], timeout: 60000 });
