/**
 * Plan Lens in a real VS Code (code-server 1.100.3) against the PostgreSQL server of the run:
 *
 * - mode A: the extension-host suite in test/e2e/extension-host/ (activation, commands, Explain
 *   Query through the API), loaded from the repository's build (dist/);
 * - mode B: the .vsix that `npm run package` makes, installed and driven in Chromium like a user:
 *   add a connection through the palette, explain from the editor's context menu, confirm a
 *   data-changing statement, see a syntax error, reload the window; then the advice on a
 *   statement an index speeds up: badges and findings, a suggestion verified with HypoPG, the
 *   editor's problem and its quick fix, Insert into editor, Create index now and the plan before
 *   and after.
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
import { Client } from 'pg';
import type { Frame, Locator } from 'playwright-core';
import { scenarioNamed } from '../../bench/advice-scenarios/scenarios';
import { e2eUnavailableReason, openWorkbench, REPO_ROOT, runExtensionTests, type Workbench } from './harness';
import { postgresConfigured } from '../support/postgres-configured';
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
const EXTENSION_HOST_TESTS = 7;
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
      e2eUnavailableReason() ?? (postgresConfigured() ? undefined : 'no PostgreSQL server configured (PGHOST or DATABASE_URL)');
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
      const metrics = fs.existsSync(metricsFile)
        ? (JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as { openToActiveMs: number })
        : undefined;
      console.log(
        `    workbench shown after ${result.startupMs} ms; activation ${metrics?.openToActiveMs ?? '?'} ms after opening the .sql file`,
      );
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
      return wb.page
        .locator(`${QUICK_INPUT} .monaco-list-row`)
        .filter({ has: wb.page.locator('.label-name', { hasText: exact }) })
        .first();
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
      await until(
        `the quick input (${key}) offering "${label}"`,
        async () => {
          await wb.page.keyboard.press(key);
          if (
            !(await input.waitFor({ state: 'visible', timeout: 3_000 }).then(
              () => true,
              () => false,
            ))
          )
            return false;
          await wb.page.keyboard.type(text);
          if (
            await row.waitFor({ state: 'visible', timeout: 5_000 }).then(
              () => true,
              () => false,
            )
          )
            return true;
          await wb.page.keyboard.press('Escape');
          return false;
        },
        40_000,
      );
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

    /** Brings a file's editor back to the front, as a click on its tab does. */
    async function focusSqlEditor(file = SHOP_FILE): Promise<void> {
      await wb.page.locator('.tabs-container .tab', { hasText: file }).first().click();
      await wb.page.locator(ACTIVE_EDITOR).first().waitFor({ state: 'visible', timeout: 10_000 });
    }

    /** The text the active editor shows (all of it, for a file as short as these). */
    const editorText = async (): Promise<string> =>
      (await wb.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');

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

    it("Explain Query from the context menu in a SELECT: the plan tree, then a node's details", async function () {
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
      await wb.page
        .locator('.part.statusbar .statusbar-item', { hasText: `${CONNECTION_NAME} 0/1/0` })
        .first()
        .waitFor({ timeout: 10_000 });
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

    describe('advice on a statement an index speeds up', function () {
      const ADVICE_FILE = 'orders.sql';
      const STATEMENT_LINE = 2;
      const RULE = 'seq-scan-large-table';
      const scenario = scenarioNamed('single-column');
      let admin: Client;
      let statement: string;
      let fileText: string;
      let index: { name: string; ddl: string } | undefined;

      before(async function () {
        this.timeout(60_000);
        admin = new Client(process.env.DATABASE_URL ? { connectionString: process.env.DATABASE_URL } : {});
        await admin.connect();
        const started = Date.now();
        await admin.query(scenario.setup(shop.schema));
        await admin.query(`VACUUM (ANALYZE) ${shop.schema}.orders`);
        // The role becomes what a developer on their own database is: HypoPG is not a trusted
        // extension, so only a superuser may create it (the advisor does, in the transaction it
        // rolls back), and creating an index takes the table's owner.
        await admin.query(`ALTER ROLE ${shop.role} SUPERUSER`);
        console.log(`      ${shop.schema}.orders: 200,000 rows built in ${Date.now() - started} ms`);
        statement = scenario.query(shop.schema);
        fileText = `-- One customer's orders: an equality on a column no index covers\n${statement};\n`;
        fs.writeFileSync(path.join(wb.workspace, ADVICE_FILE), fileText);
      });

      after(async function () {
        if (!admin) return;
        try {
          if (index) await admin.query(`DROP INDEX IF EXISTS ${shop.schema}.${index.name}`);
          await admin.query(`DROP TABLE IF EXISTS ${shop.schema}.orders`);
          await admin.query(`ALTER ROLE ${shop.role} NOSUPERUSER`);
        } finally {
          await admin.end();
        }
      });

      const scanCard = (): Locator => plan.locator('.card').filter({ has: plan.locator('.card-sub', { hasText: /^on orders$/ }) });
      const suggestionCard = (): Locator => plan.locator('.details-pane .suggestion');
      const savedText = (): string => fs.readFileSync(path.join(wb.workspace, ADVICE_FILE), 'utf8');
      /** The file with the CREATE INDEX on its own lines right below the statement. */
      const withDdlBelow = (): string => fileText.replace(`${statement};\n`, `${statement};\n\n${suggested().ddl}\n`);
      /** The suggestion the first test found, which the others act on. */
      const suggested = (): { name: string; ddl: string } => {
        if (!index) throw new Error('no index suggestion: the explain before found none');
        return index;
      };

      /** Explains the statement from the editor's context menu; resolves with the plan of this run. */
      async function explainOrders(): Promise<Frame> {
        const ranAt = (frame: Frame) =>
          frame
            .locator('.plan-header time.ran-at')
            .getAttribute('datetime', { timeout: 5_000 })
            .catch(() => null);
        const before = plan ? await ranAt(plan) : null;
        await focusSqlEditor(ADVICE_FILE);
        await wb.rightClickEditorAndChoose('Explain Query', { line: STATEMENT_LINE });
        const frame = await waitForPlan(`${CONNECTION_NAME}: SELECT`, 'ANALYZE');
        await frame.locator('.plan-header .statement-text', { hasText: statement }).waitFor({ timeout: 30_000 });
        await until('the plan of this run', async () => (await ranAt(frame)) !== before, 30_000);
        return frame;
      }

      /** Hides the panel below the editors (Problems and the like), leaving the plan more height. */
      async function hidePanel(): Promise<void> {
        if (await wb.page.locator('.part.panel').isVisible()) await runCommand('View: Hide Panel');
        await wb.page.locator('.part.panel').waitFor({ state: 'hidden', timeout: 5_000 });
      }

      /** Saves the editor and waits until the file on disk reads `text`. */
      async function saveAndExpect(text: string): Promise<void> {
        await wb.page.keyboard.press('Control+S');
        await until(`${ADVICE_FILE} saved as expected`, () => savedText() === text, 10_000).catch((error: Error) => {
          throw new Error(`${error.message}; it reads:\n${savedText()}`);
        });
      }

      it('Explain Query with the plan panel out of sight: the panel comes back with the plan, a critical badge on the Seq Scan card and in the findings bar, then an index suggestion verified with HypoPG', async function () {
        await hidePanel();
        // Another editor in front of the plan in its group, as after working there for a while.
        const planTab = wb.page.locator('.tabs-container .tab', { hasText: 'Plan Lens:' });
        await planTab.click();
        await runCommand('File: New Untitled Text File');
        await until('the plan panel behind another editor', async () => (await planTab.getAttribute('aria-selected')) === 'false');
        await focusSqlEditor(SHOP_FILE);
        await openFile(ADVICE_FILE);
        plan = await explainOrders();
        assert.strictEqual(await planTab.getAttribute('aria-selected'), 'true', 'the plan is in front again');
        const shownAt = Date.now();

        const scan = scanCard();
        assert.strictEqual(await scan.count(), 1, 'one card reads orders');
        assert.strictEqual((await scan.locator('.card-title').innerText()).trim(), 'Seq Scan');
        const nodeId = await scan.getAttribute('data-node-id');
        const badge = scan.locator('.finding-badge');
        await badge.waitFor({ state: 'visible', timeout: 10_000 });
        assert.strictEqual(await badge.getAttribute('data-severity'), 'critical');
        // The other cards are fine: the scan is the one problem.
        assert.strictEqual(await plan.locator('.card .finding-badge').count(), 1);

        const bar = plan.locator('.findings-bar');
        await bar.waitFor({ state: 'visible', timeout: 10_000 });
        const entry = bar.locator(`.finding-entry[data-node-id="${nodeId}"][data-severity="critical"]`);
        assert.ok((await entry.count()) >= 1, `a critical finding on node #${nodeId} in the bar: ${await bar.innerText()}`);
        assert.match(await entry.first().innerText(), /Seq Scan on orders reads 200,000 rows to keep \d+ \(<?[\d.]+%\)/);

        // The index advisor runs after the plan is shown; its suggestion joins the findings when verified.
        const link = bar.locator('.suggestions-link');
        await until('the index advice', () => link.isVisible(), 60_000);
        const adviceMs = Date.now() - shownAt;
        assert.strictEqual((await link.innerText()).trim(), '1 index suggestion');
        // VS Code keeps a progress notification up for at least 800 ms; the explain's goes then.
        await until(
          "the explain's progress notification closed",
          async () => !(await wb.notifications()).some((text) => text.includes('EXPLAIN ANALYZE on')),
          10_000,
        );
        await wb.screenshot('plan-lens-advice-badges');

        await scan.click();
        const details = plan.locator('.details-pane');
        await details.waitFor({ state: 'visible' });
        await details.locator(`article.finding[data-rule-id="${RULE}"]`).waitFor({ state: 'visible', timeout: 10_000 });
        const suggestion = suggestionCard();
        await suggestion.waitFor({ state: 'visible', timeout: 10_000 });
        assert.strictEqual(await suggestion.count(), 1);
        index = {
          name: (await suggestion.locator('.suggestion-name').innerText()).trim(),
          ddl: (await suggestion.locator('.suggestion-ddl').innerText()).trim(),
        };
        assert.strictEqual(index.name, 'idx_orders_customer_id');
        assert.strictEqual(index.ddl, `CREATE INDEX CONCURRENTLY ${index.name} ON ${shop.schema}.orders (customer_id);`);
        const verification = (await suggestion.locator('.suggestion-verification').innerText()).trim();
        assert.match(verification, /^Verified with HypoPG: cost [\d,.]+ → [\d,.]+ \(−\d+(\.\d)?%\), planner uses it$/);
        assert.strictEqual(await suggestion.locator('.suggestion-verification.verified').count(), 1);
        // The card at the top of the pane (scrollIntoView would scroll the page with it).
        await suggestion.evaluate((card) => {
          const body = card.closest('.details-body') as HTMLElement;
          body.scrollTop += card.getBoundingClientRect().top - body.getBoundingClientRect().top;
        });
        await wb.screenshot('plan-lens-advice-suggestion');
        console.log(`      the verified suggestion arrived ${adviceMs} ms after the plan; ${verification}`);
      });

      it('the editor: a Plan Lens problem on the statement, whose quick fix inserts the CREATE INDEX below it', async function () {
        const { name, ddl } = suggested();
        await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
        const problem = wb.page.locator('.markers-panel .monaco-list-row', { hasText: RULE });
        await problem.first().waitFor({ state: 'visible', timeout: 10_000 });
        const problemText = await problem.first().innerText();
        assert.match(problemText, /Seq Scan on orders reads 200,000 rows/);
        // Shown as "Plan Lens(seq-scan-large-table)": the source, then the code in its own element.
        assert.match(problemText, new RegExp(`Plan Lens\\W*${RULE}`));
        // On the condition the finding is about, not on the whole statement.
        const conditionColumn = statement.indexOf('customer_id = ') + 1;
        assert.ok(conditionColumn > 1, statement);
        assert.match(problemText, new RegExp(`\\[Ln ${STATEMENT_LINE}, Col ${conditionColumn}\\]`));
        // What to fix first covers the statement, so its quick fix is at hand anywhere in it.
        const fixFirst = wb.page.locator('.markers-panel .monaco-list-row', { hasText: 'Fix first:' });
        assert.match(await fixFirst.first().innerText(), new RegExp(`\\[Ln ${STATEMENT_LINE}, Col 1\\]`));

        await focusSqlEditor(ADVICE_FILE);
        await wb.rightClickEditor({ line: STATEMENT_LINE });
        await wb.page.keyboard.press('Escape');
        await wb.page.keyboard.press('Control+.');
        const fixes = wb.page.locator('.action-widget .monaco-list-row.action');
        await fixes.first().waitFor({ state: 'visible', timeout: 10_000 });
        const label = `Create index ${name} on orders (customer_id)`;
        const offered = (await fixes.allInnerTexts()).map((text) => text.trim());
        assert.ok(offered.includes(label), `the quick fixes offered: ${JSON.stringify(offered)}`);
        await wb.screenshot('plan-lens-advice-quick-fix');
        // Until the mouse moves, a layer over the window keeps the pointer from the menu (as for context menus).
        const fix = fixes.filter({ hasText: label });
        const box = (await fix.boundingBox())!;
        await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await fix.click();
        await wb.page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 5_000 });

        await until('the CREATE INDEX in the editor', async () => (await editorText()).includes(ddl));
        await saveAndExpect(withDdlBelow());
        // The problems described the statement as explained: an edit makes them stale.
        await problem.first().waitFor({ state: 'detached', timeout: 10_000 });

        await focusSqlEditor(ADVICE_FILE);
        await wb.page.keyboard.press('Control+Z');
        await saveAndExpect(fileText);
        await hidePanel();
      });

      it('"Insert into editor" on the suggestion card puts the same CREATE INDEX below the statement', async function () {
        // The edit and its undo left the document at a newer version than the plan: explain again.
        const { ddl } = suggested();
        plan = await explainOrders();
        await scanCard().click();
        const suggestion = suggestionCard();
        await suggestion.waitFor({ state: 'visible', timeout: 60_000 });
        // Working in the panel can make its editor group the active one; a click on its tab always does.
        const planTab = wb.page.locator('.tabs-container .tab', { hasText: 'Plan Lens:' });
        await planTab.click();
        await wb.page.locator('.editor-group-container.active .tab.active', { hasText: 'Plan Lens:' }).waitFor({ timeout: 10_000 });
        await suggestion.locator('.insert-ddl').click();
        await plan.locator('.toolbar .toast', { hasText: 'CREATE INDEX inserted into the editor' }).waitFor({ timeout: 10_000 });
        // The statement's own editor takes the DDL; the plan stays in view beside it.
        await wb.page.locator('.editor-group-container.active .tab.active', { hasText: ADVICE_FILE }).waitFor({ timeout: 10_000 });
        assert.strictEqual(
          await wb.page.locator('.tabs-container .tab', { hasText: ADVICE_FILE }).count(),
          1,
          `${ADVICE_FILE} is open once`,
        );
        assert.strictEqual(await planTab.getAttribute('aria-selected'), 'true', 'the plan is still the front tab of its group');
        assert.strictEqual(await plan.locator('.plan-title').count(), 1, 'the plan is still shown');
        await until('the CREATE INDEX in the editor', async () => (await editorText()).includes(ddl));
        await saveAndExpect(withDdlBelow());
      });

      it('"Create index now": a confirmation, the build\'s progress, then the plan before and after; the index is on the server and in the plan', async function () {
        const { name, ddl } = suggested();
        const suggestion = suggestionCard();
        // The card's progress line changes as the host reports; record every state it shows.
        await plan.evaluate(() => {
          const seen: string[] = [];
          Object.assign(window, { planLensCreationSeen: seen });
          new MutationObserver(() => {
            for (const message of document.querySelectorAll('.suggestion .creation-message')) {
              const state = (message.closest('.suggestion') as HTMLElement).dataset.creation;
              const entry = `${state}: ${message.textContent ?? ''}`;
              if (seen[seen.length - 1] !== entry) seen.push(entry);
            }
          }).observe(document.body, { subtree: true, childList: true, characterData: true });
        });
        await suggestion.locator('.create-index').click();

        const dialog = wb.page.locator('.monaco-dialog-box');
        await dialog.waitFor({ state: 'visible', timeout: 10_000 });
        const question = await dialog.innerText();
        assert.match(question, new RegExp(`Create index ${name} on orders\\?`));
        assert.ok(question.includes(ddl), `the dialog shows the DDL: ${question}`);
        await wb.screenshot('plan-lens-advice-confirm');
        await dialog.locator('.monaco-button', { hasText: /^Create Index$/ }).click();

        const comparison = plan.locator('.comparison');
        await comparison.waitFor({ state: 'visible', timeout: 60_000 });
        const seen = await plan.evaluate(() => (window as unknown as { planLensCreationSeen: string[] }).planLensCreationSeen);
        assert.match(seen[0] ?? '', new RegExp(`^running: Creating ${name} \\(CONCURRENTLY\\)…$`), JSON.stringify(seen));
        const done = seen.find((entry) => entry.startsWith('done: '));
        assert.match(done ?? '', new RegExp(`^done: Created ${name} in [\\d.,]+ (ms|s)`), JSON.stringify(seen));

        assert.strictEqual((await comparison.locator('.comparison-title').innerText()).trim(), `Before and after ${name}`);
        const time = comparison.locator('.summary-tile.time');
        assert.strictEqual(await time.count(), 1);
        assert.match((await time.getAttribute('class')) ?? '', /\bfaster\b/);
        const speedUp = (await time.locator('.tile-note').innerText()).trim();
        const times = (await time.locator('.tile-value').innerText()).trim();
        assert.match(speedUp, /^[\d,.]+× faster$/);
        const replaced = (await comparison.locator('.node-change.replaced').allInnerTexts()).map((text) => text.trim());
        assert.strictEqual(replaced.length, 1, JSON.stringify(replaced));
        assert.match(replaced[0], new RegExp(`^Seq Scan on orders → (Index Scan|Bitmap Heap Scan)`));
        const usesIndex = comparison.locator('.comparison-side.after .outline-row', { hasText: `using ${name}` });
        assert.strictEqual(await usesIndex.count(), 1, 'the plan after reads the new index');
        assert.match(await usesIndex.locator('.outline-label').innerText(), /^(Index Scan|Index Only Scan|Bitmap Index Scan)$/);
        await wb.screenshot('plan-lens-advice-comparison');

        const { rows } = await admin.query<{ indexdef: string; valid: boolean }>(
          `SELECT i.indexdef, x.indisvalid AS valid FROM pg_indexes i JOIN pg_index x ON x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
            WHERE i.schemaname = $1 AND i.indexname = $2`,
          [shop.schema, name],
        );
        assert.strictEqual(rows.length, 1, `${name} exists on the server`);
        assert.strictEqual(rows[0].indexdef, `CREATE INDEX ${name} ON ${shop.schema}.orders USING btree (customer_id)`);
        assert.strictEqual(rows[0].valid, true);

        // Behind the comparison, the plan after is the main view: its scan uses the index, and nothing is left to suggest.
        await comparison.locator('.comparison-back').click();
        await comparison.waitFor({ state: 'hidden', timeout: 5_000 });
        const indexCard = plan.locator('.card').filter({ has: plan.locator('.card-sub', { hasText: `using ${name}` }) });
        assert.strictEqual(await indexCard.count(), 1);
        assert.strictEqual(await plan.locator('.card .card-title', { hasText: /^Seq Scan$/ }).count(), 0, 'no Seq Scan after the index');
        // The first planning after CREATE INDEX loads the new index's catalog entries and can take longer than this
        // sub-millisecond execution: that one plan-wide, info-level finding may remain, but no index is left to suggest.
        const findings = (await plan.locator('.findings-bar .findings-count').innerText()).trim();
        assert.ok(findings === 'No findings' || findings === '1 finding', `findings after the index: ${findings}`);
        assert.strictEqual(await plan.locator('.findings-bar .suggestions-link').isHidden(), true, 'no index left to suggest');
        console.log(`      "${done!.slice('done: '.length)}"; the comparison shows ${times}, ${speedUp}`);
      });
    });
  });
});
