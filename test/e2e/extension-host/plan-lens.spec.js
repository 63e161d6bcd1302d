/**
 * Plan Lens inside a real extension host: activation, its commands, Explain Query against the
 * PostgreSQL server of the active connection (set in the user settings by the runner), and the plan
 * history those explains fill.
 *
 * When PLAN_LENS_E2E_METRICS names a file, the activation time is written there as JSON, for the
 * runner to print.
 */
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { SHOP_FILE } = require('./shop-fixture');

const EXTENSION_ID = 'plan-lens.plan-lens';
const PLAN_VIEW_TYPE = 'planLens.plan';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
async function until(what, probe, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(50);
  }
}

function planTabs() {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes(PLAN_VIEW_TYPE));
}

async function putCursorAt(document, text) {
  const offset = document.getText().indexOf(text);
  assert.ok(offset >= 0, `"${text}" is not in ${document.uri.fsPath}`);
  const editor = await vscode.window.showTextDocument(document);
  const position = document.positionAt(offset + 1);
  editor.selection = new vscode.Selection(position, position);
}

describe('Plan Lens in the extension host', () => {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  let document;

  it('activates when a .sql file is opened', async () => {
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    assert.strictEqual(extension.isActive, false, 'active before any SQL file was opened');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    const started = Date.now();
    document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, SHOP_FILE));
    assert.strictEqual(document.languageId, 'sql');
    await until('the extension activated', () => extension.isActive);
    const metricsFile = process.env.PLAN_LENS_E2E_METRICS;
    if (metricsFile) fs.writeFileSync(metricsFile, JSON.stringify({ openToActiveMs: Date.now() - started }));
  });

  it('registers every command it contributes', async () => {
    const contributed = extension.packageJSON.contributes.commands.map((c) => c.command).sort();
    assert.ok(contributed.includes('planLens.explainQuery') && contributed.includes('planLens.addConnection'), JSON.stringify(contributed));
    const registered = (await vscode.commands.getCommands(true)).filter((id) => id.startsWith('planLens.')).sort();
    assert.deepStrictEqual(registered, contributed);
  });

  it('Explain Query on the statement at the cursor opens one plan panel, reused by the next explain', async () => {
    assert.deepStrictEqual(planTabs(), [], 'a plan panel is open already');
    const connection = vscode.workspace.getConfiguration('planLens').get('activeConnection');
    assert.ok(connection, 'the runner set no planLens.activeConnection');
    await putCursorAt(document, 'JOIN');
    await vscode.commands.executeCommand('planLens.explainQuery');
    const tab = await until('a plan tab titled after the statement', () =>
      planTabs().find((t) => t.label === `Plan Lens: ${connection}: SELECT`),
    );
    assert.ok(tab.input.viewType.endsWith(PLAN_VIEW_TYPE), tab.input.viewType);

    await vscode.commands.executeCommand('planLens.explainQueryEstimate');
    assert.strictEqual(planTabs().length, 1, 'a second plan panel was opened');
  });

  it('Plan History keeps both explains of the statement; Compare Stored Plan with... shows them in the one plan panel', async () => {
    const compared = vscode.commands.executeCommand('planLens.planHistory.compare');
    let done = false;
    void compared.then(
      () => (done = true),
      () => (done = true),
    );
    // Two quick picks: the newest stored plan (the estimate) comes first, then the only other plan
    // of its statement. Accepting while no pick is open does nothing.
    await until('both quick picks accepted', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await sleep(200);
      return done;
    });
    await compared;
    await until('the plan tab of the later stored plan', () => planTabs().find((t) => t.label.startsWith('Plan Lens: history, ')));
    assert.strictEqual(planTabs().length, 1, 'a second plan panel was opened');
  });

  it('SQL selected in Python and TypeScript with :name, %(name)s, %s and ? placeholders is explained (generic plan)', async () => {
    const connection = vscode.workspace.getConfiguration('planLens').get('activeConnection');
    const schema = /(e2e_shop_\w+)\.products/.exec(document.getText())?.[1];
    assert.ok(schema, 'the shop file names its schema');
    const where = (a, b) => `SELECT * FROM ${schema}.products WHERE category_id = ${a} AND price > ${b}`;
    const cases = [
      ['python', `rows = session.execute(text("""${where(':category', ':price')}"""), params)\n`],
      ['python', `cursor.execute("${where('%(category)s', '%(price)s')}", params)\n`],
      ['python', `cursor.execute("${where('%s', '%s')}", (3, 10))\n`],
      ['typescript', `const rows = await db.query('${where('?', '?')}', [3, 10]);\n`],
    ];
    for (const [language, content] of cases) {
      await vscode.window.tabGroups.close(planTabs());
      const code = await vscode.workspace.openTextDocument({ language, content });
      const editor = await vscode.window.showTextDocument(code);
      const start = content.indexOf('SELECT');
      const end = start + content.slice(start).search(/["']/);
      const sql = content.slice(start, end);
      // The workbench reports the new editor's own cursor back after a while: select until the selection holds.
      await until('the SQL selected', async () => {
        editor.selection = new vscode.Selection(code.positionAt(start), code.positionAt(end));
        await sleep(300);
        const active = vscode.window.activeTextEditor;
        return active?.document === code && code.getText(active.selection) === sql;
      });
      const explaining = Promise.resolve(vscode.commands.executeCommand('planLens.explainQuery'));
      let settled = false;
      void explaining.finally(() => (settled = true));
      // The placeholder question is a quick pick whose second item is the generic plan.
      await sleep(4000);
      const tab = await until(`a generic plan of ${content.trim()}`, async () => {
        const shown = planTabs().find((t) => t.label === `Plan Lens: ${connection}: SELECT (generic plan)`);
        if (shown || settled) return shown ?? 'settled';
        await vscode.commands.executeCommand('quickInput.next');
        await sleep(300);
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        await sleep(3000);
        return undefined;
      });
      assert.notStrictEqual(
        tab,
        'settled',
        `the explain of ${JSON.stringify(code.getText(editor.selection))} (${code.languageId}) ended without a plan: ${JSON.stringify(vscode.languages.getDiagnostics(code.uri))}`,
      );
      await explaining;
      const errors = vscode.languages
        .getDiagnostics(code.uri)
        .filter((d) => d.source === 'Plan Lens' && d.severity === vscode.DiagnosticSeverity.Error);
      assert.deepStrictEqual(errors, []);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('a syntax error is underlined on the offending token, and cleared by an edit', async () => {
    await putCursorAt(document, 'WHERE AND');
    await vscode.commands.executeCommand('planLens.explainQuery');
    const diagnostics = vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'Plan Lens');
    assert.strictEqual(diagnostics.length, 1, JSON.stringify(diagnostics));
    const [diagnostic] = diagnostics;
    assert.strictEqual(diagnostic.message, 'syntax error at or near "AND"');
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(document.getText(diagnostic.range), 'AND');

    const editor = await vscode.window.showTextDocument(document);
    await editor.edit((edit) => edit.insert(diagnostic.range.start, ' '));
    await until('the diagnostic cleared after the edit', () =>
      vscode.languages.getDiagnostics(document.uri).every((d) => d.source !== 'Plan Lens'),
    );
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('Visualize Plan on an auto_explain log: the plan under the cursor, else a choice, slowest first', async () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'plans', 'auto-explain-log', 'server.log'), 'utf8');
    const entries = text
      .split('\n')
      .map((line, i) => ({ line: i + 1, duration: Number(/ duration: ([\d.]+) ms {2}plan:$/.exec(line)?.[1]) }))
      .filter((entry) => entry.duration >= 0);
    const slowest = entries.reduce((a, b) => (b.duration > a.duration ? b : a));
    const log = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(log);
    const titled = (line) => `Plan Lens: Plan: pasted plan (line ${line})`;

    // The cursor inside the second plan: that plan, without asking.
    const inside = new vscode.Position(entries[1].line + 2, 4);
    editor.selection = new vscode.Selection(inside, inside);
    await vscode.commands.executeCommand('planLens.visualizePlan');
    await until('the plan tab of the plan under the cursor', () => planTabs().find((t) => t.label === titled(entries[1].line)));

    // The cursor on a log line outside every plan: the list, whose first (selected) entry is the slowest plan.
    await vscode.window.showTextDocument(log);
    editor.selection = new vscode.Selection(new vscode.Position(0, 0), new vscode.Position(0, 0));
    const chosen = vscode.commands.executeCommand('planLens.visualizePlan');
    let done = false;
    void chosen.then(
      () => (done = true),
      () => (done = true),
    );
    await until('the pick accepted', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await sleep(200);
      return done;
    });
    await chosen;
    await until('the plan tab of the slowest plan', () => planTabs().find((t) => t.label === titled(slowest.line)));
  });
});
