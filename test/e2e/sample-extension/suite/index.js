/**
 * Entry of the sample's extension-host suite (the `extensionTestsPath`): runs `sample.spec.js`
 * with mocha inside the extension host and writes the results for the harness.
 */
'use strict';

const path = require('path');
const { runMochaSuite } = require('../../harness/host/mochaRunner');

exports.run = () => runMochaSuite({ files: [path.join(__dirname, 'sample.spec.js')], timeout: 20000 });
