/**
 * Proves the end-to-end harness on the sample extension in test/e2e/sample-extension:
 * mode A runs its mocha suite inside the real extension host; mode B drives the workbench in
 * Chromium like a user (context menu, command palette, notification, webview, screenshots in
 * test-results/). Skipped when code-server (.tools/) or Chromium is not installed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { e2eUnavailableReason, openWorkbench, packVsix, runExtensionTests, type Workbench } from './harness';

const SAMPLE = path.join(__dirname, 'sample-extension');
const SAMPLE_SUITE_TESTS = 3;

describe('e2e harness: the sample extension in code-server 1.100.3 + Chromium', function () {
  this.timeout(180_000);

  before(function () {
    const reason = e2eUnavailableReason();
    if (reason) {
      console.log(`    skipped: ${reason}`);
      this.skip();
    }
  });

  it('mode A: runs the sample suite inside the extension host, all passing', async function () {
    const result = await runExtensionTests({
      extensionDevelopmentPath: SAMPLE,
      extensionTestsPath: path.join(SAMPLE, 'suite', 'index.js'),
    });
    console.log(`    workbench shown after ${result.startupMs} ms, suite done after ${result.durationMs} ms`);
    assert.strictEqual(result.failed, 0, 'failures in the extension host');
    assert.strictEqual(result.passed, SAMPLE_SUITE_TESTS);
    assert.strictEqual(result.total, SAMPLE_SUITE_TESTS);
    assert.strictEqual(result.exitCode, 0);
  });

  describe('mode B: the workbench driven like a user', function () {
    let workspace: string;
    let wb: Workbench | undefined;

    before(async function () {
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-e2e-ws-'));
      fs.mkdirSync(path.join(workspace, 'queries'));
      fs.writeFileSync(
        path.join(workspace, 'queries', 'report.sql'),
        "SELECT 1;\n\nSELECT c.relname, c.reltuples\nFROM pg_class c\nWHERE c.relkind = 'r';\n",
      );
      fs.writeFileSync(path.join(workspace, 'notes.txt'), 'not SQL\n');
      wb = await openWorkbench({ workspace, extensionDevelopmentPath: SAMPLE });
      console.log(`    workbench shown after ${wb.startupMs} ms`);
    });

    after(async function () {
      await wb?.dispose();
      if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    });

    it('right-click on a SQL line, choose the sample entry: its message appears', async function () {
      await wb!.openFile('queries/report.sql');
      const labels = await wb!.rightClickEditor({ line: 3 });
      assert.strictEqual(labels[0], 'Say Hello', `menu: ${JSON.stringify(labels)}`);
      await wb!.screenshot('e2e-harness-context-menu');
      await wb!.chooseContextMenuItem('Say Hello');
      const message = await wb!.waitForNotification('Hello from the Plan Lens sample');
      assert.strictEqual(message, 'Hello from the Plan Lens sample in VS Code 1.100.3: report.sql line 3');
      const written = fs.readFileSync(path.join(workspace, 'sample-output', 'hello.txt'), 'utf8');
      assert.strictEqual(written.trim(), message);
      await wb!.screenshot('e2e-harness-context-menu-hello');
    });

    it('offers the sample entry only in SQL editors', async function () {
      await wb!.openFile('notes.txt');
      const labels = await wb!.rightClickEditor({ line: 1 });
      await wb!.page.keyboard.press('Escape');
      assert.ok(labels.includes('Cut'), `not the editor's menu: ${JSON.stringify(labels)}`);
      assert.ok(!labels.includes('Say Hello'), `shown outside SQL: ${JSON.stringify(labels)}`);
    });

    it('runs a command from the palette and finds its webview content', async function () {
      await wb!.runCommand('Plan Lens Sample: Show Sample Panel');
      const frame = await wb!.findWebviewFrame('#sample-webview');
      assert.strictEqual(await frame.locator('#sample-webview').innerText(), 'Sample webview in VS Code 1.100.3');
      await wb!.screenshot('e2e-harness-webview');
    });
  });

  describe('mode B with a packaged .vsix', function () {
    let scratch: string;

    before(function () {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-e2e-vsix-'));
      fs.mkdirSync(path.join(scratch, 'workspace'));
      fs.writeFileSync(path.join(scratch, 'workspace', 'a.sql'), 'SELECT now();\n');
      packVsix(SAMPLE, ['package.json', 'extension.js'], path.join(scratch, 'sample.vsix'));
    });

    after(function () {
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it('installs the .vsix, then its context-menu entry works', async function () {
      const wb = await openWorkbench({ workspace: path.join(scratch, 'workspace'), vsix: path.join(scratch, 'sample.vsix') });
      try {
        assert.ok(fs.readdirSync(wb.server.extensionsDir).includes('plan-lens.plan-lens-e2e-sample-0.0.1'));
        await wb.openFile('a.sql');
        await wb.rightClickEditorAndChoose('Say Hello');
        assert.strictEqual(await wb.waitForNotification('Hello from'), 'Hello from the Plan Lens sample in VS Code 1.100.3: a.sql line 1');
      } finally {
        await wb.dispose();
      }
    });
  });
});
