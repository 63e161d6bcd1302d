/**
 * Django code in a real VS Code (code-server 1.100.3): the extension-host suite in
 * test/e2e/django-code-host/ runs on a workspace holding the sample Django shop, loaded from the
 * repository's build (dist/). No database is needed: the rule works from the code alone.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { e2eUnavailableReason, REPO_ROOT, runExtensionTests } from './harness';

const SUITE = path.join(__dirname, 'django-code-host', 'index.js');
const SUITE_TESTS = 3;

describe('Plan Lens Django N+1 diagnostics in VS Code (code-server 1.100.3 + Chromium)', function () {
  this.timeout(300_000);

  before(function () {
    const reason = e2eUnavailableReason();
    if (reason) {
      console.log(`    skipped: ${reason}`);
      this.skip();
    }
  });

  it('select_related and prefetch_related quick fixes, relation hover', async () => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.strictEqual(build.status, 0, build.stderr);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-e2e-django-'));
    try {
      const workspace = path.join(scratch, 'site');
      fs.cpSync(path.join(REPO_ROOT, 'test', 'code', 'apps', 'django_shop'), workspace, { recursive: true });
      const result = await runExtensionTests({ extensionDevelopmentPath: REPO_ROOT, extensionTestsPath: SUITE, workspace });
      assert.strictEqual(result.failed, 0, 'failures in the extension host');
      assert.strictEqual(result.passed, SUITE_TESTS);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
