/**
 * Entry of the Django extension-host suite (the `extensionTestsPath`), run by
 * test/e2e/django-code.test.ts in code-server on a workspace holding the sample Django shop.
 */
'use strict';

const path = require('path');
const { runMochaSuite } = require('../harness/host/mochaRunner');

exports.run = () => runMochaSuite({ files: [path.join(__dirname, 'django-code.spec.js')], timeout: 60000 });
