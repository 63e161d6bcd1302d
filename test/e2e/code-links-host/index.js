/**
 * Entry of the recorded-N+1 extension-host suite (the `extensionTestsPath`), run by
 * test/e2e/code-links.test.ts in code-server on a workspace holding the sample SQLAlchemy shop.
 */
'use strict';

const path = require('path');
const { runMochaSuite } = require('../harness/host/mochaRunner');

exports.run = () => runMochaSuite({ files: [path.join(__dirname, 'code-links.spec.js')], timeout: 90000 });
