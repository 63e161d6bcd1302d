/**
 * Plan Lens in a real VS Code (code-server 1.100.3) against the PostgreSQL server of the run:
 *
 * - mode A: the extension-host suite in test/e2e/extension-host/ (activation, commands, Explain
 *   Query through the API), loaded from the repository's build (dist/);
 * - mode B: the .vsix that `npm run package` makes, installed and driven in Chromium like a user:
 *   add a connection through the palette, explain from the editor's context menu, confirm a
 *   data-changing statement, see a syntax error, reload the window.
 *
 * Both work on a schema and a login role of their own (extension-host/shop-fixture.js). VS Code
 * never sees this run's PG* variables or DATABASE_URL: the extension must use the connection the
 * user configured, with the password the user typed (mode B) or PGPASSWORD given to VS Code on
 * purpose (mode A, where nothing can type it). Skipped without code-server and Chromium, or
 * without a PostgreSQL server (PGHOST or DATABASE_URL).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame, Locator } from 'playwright-core';
import { e2eUnavailableReason, openWorkbench, REPO_ROOT, runExtensionTests, type Workbench } from './harness';
import {
  CONNECTION_NAME,
  PRODUCT_COUNT,
  SHOP_FILE,
  connectionSettings,
  createShop,
  writeShopWorkspace,
  type Shop,
  type StatementKey,
} from './extension-host/shop-fixture';

const EXTENSION_HOST_SUITE = path.join(__dirname, 'extension-host', 'index.js');
const EXTENSION_HOST_TESTS = 4;
const DATABASE_VARIABLES = /^(PG[A-Z]+|DATABASE_URL)$/;
const ACTIVE_EDITOR = '.editor-group-container.active .editor-instance .monaco-editor';
const QUICK_INPUT = '.quick-input-widget';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
}

/**
 * Runs `start` with this run's database variables taken out of the environment that code-server,
 * and so the extension host, inherits.
 */
async function withoutDatabaseEnvironment<T>(start: () => Promise<T>): Promise<T> {
  const saved = Object.entries(process.env).filter(([name]) => DATABASE_VARIABLES.test(name));
  for (const [name] of saved) delete process.env[name];
  try {
    return await start();
  } finally {
    for (const [name, value] of saved) process.env[name] = value;
  }
}

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('Plan Lens in VS Code (code-server 1.100.3 + Chromium) on PostgreSQL', function () {
  this.timeout(120_000);
  let shop: Shop;

  before(async function () {
    const reason =
      e2eUnavailableReason() ??
      (process.env.DATABASE_URL || process.env.PGHOST ? undefined : 'no PostgreSQL server configured (PGHOST or DATABASE_URL)');
    if (reason) {
      console.log(`    skipped: ${reason}`);
      this.skip();
    }
    shop = await createShop(process.env.DATABASE_URL ? { connectionString: process.env.DATABASE_URL } : {});
  });

  after(async function () {
    await shop?.drop();
  });

  it('mode A: the extension-host suite passes against the active connection', async function () {
    this.timeout(300_000);
    run(process.execPath, ['scripts/build.mjs']);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-e2e-host-'));
    try {
      const workspace = path.join(scratch, 'workspace');
      fs.mkdirSync(workspace);
      writeShopWorkspace(workspace, shop.schema);
      const metricsFile = path.join(scratch, 'metrics.json');
      const result = await withoutDatabaseEnvironment(() =>
        runExtensionTests({
          extensionDevelopmentPath: REPO_ROOT,
          extensionTestsPath: EXTENSION_HOST_SUITE,
          workspace,
          settings: connectionSettings(shop),
          env: { PGPASSWORD: shop.password, PLAN_LENS_E2E_METRICS: metricsFile },
        }),
      );
      const metrics = fs.existsSync(metricsFile) ? (JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as { openToActiveMs: number }) : undefined;
      console.log(`    workbench shown after ${result.startupMs} ms; activation ${metrics?.openToActiveMs ?? '?'} ms after opening the .sql file`);
      assert.strictEqual(result.failed, 0, 'failures in the extension host');
      assert.strictEqual(result.passed, EXTENSION_HOST_TESTS);
      assert.strictEqual(result.total, EXTENSION_HOST_TESTS);
      assert.strictEqual(result.exitCode, 0);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  describe('mode B: the packaged extension, driven like a user', function () {
    let scratch: string;
    let lines: Record<StatementKey, number>;
    let wb: Workbench;
    let plan: Frame;

    before(async function () {
      this.timeout(240_000);
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-e2e-ui-'));
      const vsix = path.join(scratch, 'plan-lens.vsix');
      // The real packaging, written to this run's own folder (vsce takes the last --out).
      run('npm', ['run', 'package', '--', '--out', vsix]);
      const workspace = path.join(scratch, 'workspace');
      fs.mkdirSync(workspace);
      lines = writeShopWorkspace(workspace, shop.schema);
      wb = await withoutDatabaseEnvironment(() => openWorkbench({ workspace, vsix, viewport: { width: 1600, height: 1000 } }));
      console.log(`    workbench shown after ${wb.startupMs} ms`);
    });

    afterEach(async function () {
      if (wb && this.currentTest?.state === 'failed') await wb.screenshot(`plan-lens-failed-${this.currentTest.title.slice(0, 40)}`);
    });

    after(async function () {
      await wb?.dispose();
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    /** Waits for the input box of step `step` (as its title names it), types `value`, presses Enter. */
    async function answerInputBox(step: string, value: string): Promise<void> {
      await wb.page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: step }).waitFor({ state: 'visible', timeout: 10_000 });
      const input = wb.page.locator(`${QUICK_INPUT} .quick-input-box input`);
      // Over the suggested value (localhost, 5432, ...), as a user types over it.
      await input.press('Control+A');
      await wb.page.keyboard.type(value);
      await input.press('Enter');
    }

    /** The row of the open quick input whose label is exactly `label`. */
    function quickInputRow(label: string): Locator {
      const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      return wb.page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: wb.page.locator('.label-name', { hasText: exact }) }).first();
    }

    /**
     * Clicks a quick input row, not its label: a row that once showed an item with a detail line
     * keeps a second, hidden label.
     */
    async function chooseRow(row: Locator): Promise<void> {
      await row.click();
      await wb.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 5_000 });
    }

    /**
     * Presses `key` (F1, Ctrl+P), types `text` and picks the row `label`. Tried again while the
     * row does not come: right after the window opens, the palette lists only the commands of the
     * extensions already registered.
     */
    async function quickInput(key: string, text: string, label: string): Promise<void> {
      const input = wb.page.locator(`${QUICK_INPUT} .quick-input-box input`);
      const row = quickInputRow(label);
      await until(`the quick input (${key}) offering "${label}"`, async () => {
        await wb.page.keyboard.press(key);
        if (!(await input.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false))) return false;
        await wb.page.keyboard.type(text);
        if (await row.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) return true;
        await wb.page.keyboard.press('Escape');
        return false;
      }, 40_000);
      await chooseRow(row);
    }

    const runCommand = (title: string): Promise<void> => quickInput('F1', title, title);

    async function openFile(name: string): Promise<void> {
      await quickInput('Control+P', name, name);
      await wb.page.locator('.editor-group-container.active .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 10_000 });
    }

    /** Waits for the quick pick of step `step`, filters it by `label` and picks that item. */
    async function pickItem(step: string, label: string): Promise<void> {
      await wb.page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: step }).waitFor({ state: 'visible', timeout: 10_000 });
      await wb.page.locator(`${QUICK_INPUT} .quick-input-box input`).fill(label);
      await chooseRow(quickInputRow(label));
    }

    /** The first line of a statement of the workspace's .sql file. */
    const statementText = (key: StatementKey): string =>
      fs.readFileSync(path.join(wb.workspace, SHOP_FILE), 'utf8').split('\n')[lines[key] - 1];

    /** Brings the .sql file's editor back to the front, as a click on its tab does. */
    async function focusSqlEditor(): Promise<void> {
      await wb.page.locator('.tabs-container .tab', { hasText: SHOP_FILE }).first().click();
      await wb.page.locator(ACTIVE_EDITOR).first().waitFor({ state: 'visible', timeout: 10_000 });
    }

    /** Right-clicks the first line of a statement + `lineOffset` and chooses `item` from the menu. */
    async function explainFromContextMenu(key: StatementKey, item: string, lineOffset = 0): Promise<void> {
      await focusSqlEditor();
      await wb.rightClickEditorAndChoose(item, { line: lines[key] + lineOffset });
    }

    /** Puts the editor's cursor on `line` without choosing anything from the menu. */
    async function putCursorOn(line: number): Promise<void> {
      await focusSqlEditor();
      await wb.rightClickEditor({ line });
      await wb.page.keyboard.press('Escape');
    }

    /**
     * The plan webview once it shows a plan whose header matches `title` and `mode`; on failure
     * the message carries the notifications shown (an explain that failed says why there).
     */
    async function waitForPlan(title: string, mode: 'ANALYZE' | 'ESTIMATE'): Promise<Frame> {
      try {
        const frame = await wb.findWebviewFrame('.plan-header .plan-title', 30_000);
        await frame.locator('.plan-title', { hasText: new RegExp(`^${title}$`) }).waitFor({ timeout: 30_000 });
        await frame.locator('.mode-badge', { hasText: new RegExp(`^${mode}$`) }).waitFor({ timeout: 30_000 });
        return frame;
      } catch (error) {
        const shown = await wb.notifications().catch(() => []);
        throw new Error(`no ${mode} plan "${title}": ${(error as Error).message.split('\n')[0]}; notifications: ${JSON.stringify(shown)}`);
      }
    }

    const card = (nodeId: number): Locator => plan.locator(`.card[data-node-id="${nodeId}"]`);

    /** The value the details pane shows for the EXPLAIN key `key`. */
    async function detailsValue(key: string): Promise<string> {
      const term = plan.locator('.details-pane dl.fields.raw dt').filter({ hasText: new RegExp(`^${key}$`) });
      return (await term.locator('xpath=following-sibling::dd[1]').innerText()).trim();
    }

    async function statValue(label: string): Promise<string | undefined> {
      const stat = plan.locator('.plan-header .stat').filter({ has: plan.locator('.stat-label', { hasText: new RegExp(`^${label}$`) }) });
      return (await stat.count()) === 0 ? undefined : (await stat.locator('.stat-value').innerText()).trim();
    }

    it('Add Connection from the palette: the password is kept out of settings.json, the status bar names the connection', async function () {
      await runCommand('Plan Lens: Add Connection');
      await answerInputBox('1/7 name', CONNECTION_NAME);
      await answerInputBox('2/7 host', shop.host);
      await answerInputBox('3/7 port', String(shop.port));
      await answerInputBox('4/7 database', shop.database);
      await answerInputBox('5/7 user', shop.role);
      await answerInputBox('6/7 password', shop.password);
      await pickItem('7/7 SSL mode', 'disable');
      await wb.waitForNotification(`"${CONNECTION_NAME}" added and selected`);

      const settingsFile = path.join(wb.server.userDataDir, 'User', 'settings.json');
      const settings = await until('planLens.activeConnection in settings.json', () => {
        const parsed = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
        return parsed['planLens.activeConnection'] === CONNECTION_NAME ? parsed : undefined;
      });
      assert.deepStrictEqual(settings['planLens.connections'], [
        { name: CONNECTION_NAME, host: shop.host, port: shop.port, database: shop.database, user: shop.role, sslMode: 'disable' },
      ]);
      const text = fs.readFileSync(settingsFile, 'utf8');
      assert.ok(!/"[^"]*password[^"]*"\s*:/i.test(text), `a password key in settings.json:\n${text}`);
      assert.ok(!text.includes(shop.password), `the password is in settings.json:\n${text}`);

      const status = wb.page.locator('.part.statusbar .statusbar-item', { hasText: CONNECTION_NAME });
      await status.first().waitFor({ state: 'visible', timeout: 10_000 });
    });

    it('Explain Query from the context menu in a SELECT: the plan tree, then a node\'s details', async function () {
      await openFile(SHOP_FILE);
      await explainFromContextMenu('select', 'Explain Query', 2);
      plan = await waitForPlan(`${CONNECTION_NAME}: SELECT`, 'ANALYZE');

      assert.strictEqual((await card(0).locator('.card-title').innerText()).trim(), 'Limit');
      assert.match((await statValue('Execution')) ?? '', /^[\d.,]+ ms$/);
      const server = (await plan.locator('.plan-header .server').innerText()).trim();
      assert.match(server, new RegExp(`^PostgreSQL 15\\.\\d+ · ${CONNECTION_NAME}$`));

      const productsScan = plan.locator('.card').filter({ has: plan.locator('.card-sub', { hasText: /^on products p$/ }) });
      assert.strictEqual(await productsScan.count(), 1, 'one card reads products');
      await productsScan.click();
      await plan.locator('.details-pane').waitFor({ state: 'visible' });
      assert.match((await plan.locator('.details-pane .details-title').innerText()).trim(), /Scan$/);
      assert.strictEqual(await detailsValue('Relation Name'), 'products');
      // The pool's numbers (in use/idle/waiting): the explain gave its connection back.
      await wb.page.locator('.part.statusbar .statusbar-item', { hasText: `${CONNECTION_NAME} 0/1/0` }).first().waitFor({ timeout: 10_000 });
      await wb.screenshot('plan-lens-select-plan');
    });

    it('Explain Query in an UPDATE asks first, runs it in a transaction that is rolled back: the rows are unchanged', async function () {
      const before = await shop.productsChecksum();
      assert.strictEqual(before.rows, PRODUCT_COUNT);
      await explainFromContextMenu('update', 'Explain Query', 1);
      const dialog = wb.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await dialog.innerText(), /This UPDATE changes data\./);
      await wb.screenshot('plan-lens-update-confirm');
      await dialog.locator('.monaco-button', { hasText: /^Run and Roll Back$/ }).click();

      plan = await waitForPlan(`${CONNECTION_NAME}: UPDATE`, 'ANALYZE');
      assert.strictEqual((await card(0).locator('.card-title').innerText()).trim(), 'Update');
      await card(0).click();
      assert.strictEqual(await detailsValue('Node Type'), 'ModifyTable');
      assert.strictEqual(await detailsValue('Operation'), 'Update');
      // The statement really ran: the scan below found the rows of category 3.
      await card(1).click();
      assert.strictEqual(await detailsValue('Actual Rows'), '150');
      assert.deepStrictEqual(await shop.productsChecksum(), before);
    });

    it('Explain Query in a statement with a syntax error: a notification, and the error in the Problems view and the editor', async function () {
      await explainFromContextMenu('broken', 'Explain Query');
      const message = await wb.waitForNotification(/syntax error/);
      const column = statementText('broken').indexOf(' AND ') + 2;
      assert.strictEqual(
        message,
        `Plan Lens: syntax error at or near "AND" (line ${lines.broken}, column ${column}). Fix the statement and explain again.`,
      );
      await wb.page.locator(`${ACTIVE_EDITOR} .squiggly-error`).first().waitFor({ state: 'attached', timeout: 10_000 });

      await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      const problems = wb.page.locator('.markers-panel .monaco-list-row');
      await problems.first().waitFor({ state: 'visible', timeout: 10_000 });
      const rows = await problems.allInnerTexts();
      assert.strictEqual(rows.length, 2, `file row and one problem: ${JSON.stringify(rows)}`);
      assert.match(rows[1], /syntax error at or near "AND"/);
      assert.match(rows[1], /Plan Lens/);
      await wb.screenshot('plan-lens-syntax-error');
    });

    it('Explain Query (Estimate Only) from the palette plans the SELECT without running it', async function () {
      await putCursorOn(lines.select + 1);
      await runCommand('Plan Lens: Explain Query (Estimate Only)');
      plan = await waitForPlan(`${CONNECTION_NAME}: SELECT`, 'ESTIMATE');
      assert.strictEqual(await statValue('Execution'), undefined);
      assert.match((await statValue('Total cost')) ?? '', /^[\d.,]+$/);
      assert.strictEqual((await card(0).locator('.card-title').innerText()).trim(), 'Limit');
      await wb.screenshot('plan-lens-estimate');
    });

    it('Developer: Reload Window brings the plan panel back with the same plan', async function () {
      const header = async (frame: Frame) => ({
        title: (await frame.locator('.plan-title').innerText()).trim(),
        mode: (await frame.locator('.mode-badge').innerText()).trim(),
        ranAt: await frame.locator('.plan-header time.ran-at').getAttribute('datetime'),
        statement: (await frame.locator('.plan-header .statement-text').innerText()).trim(),
        cards: await frame.locator('.card').count(),
      });
      const before = await header(plan);
      const reloaded = wb.page.waitForEvent('framenavigated', { predicate: (frame) => frame === wb.page.mainFrame(), timeout: 30_000 });
      await runCommand('Developer: Reload Window');
      await reloaded;
      await wb.waitForWorkbench();
      plan = await waitForPlan(before.title, 'ESTIMATE');
      assert.deepStrictEqual(await header(plan), before);
      await wb.screenshot('plan-lens-after-reload');

      // The extension has the plan back too: it opens the JSON PostgreSQL returned in an editor.
      await plan.locator('.toolbar .open-raw').click();
      const editorText = async () => (await wb.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');
      await until('the raw plan in an editor', async () => /"Node Type": "Limit"/.test(await editorText().catch(() => '')));
    });

    it('Developer: Show Running Extensions lists Plan Lens with its activation time', async function () {
      await runCommand('Developer: Show Running Extensions');
      const row = wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Plan Lens for PostgreSQL' });
      await row.first().waitFor({ timeout: 15_000 });
      const text = await row.first().innerText();
      const activation = /Activation: (\d+)ms/.exec(text);
      assert.ok(activation, `no activation time in ${JSON.stringify(text)}`);
      console.log(`    VS Code measured the activation (after the reload) at ${activation[1]} ms`);
    });
  });
});
