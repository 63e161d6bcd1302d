/**
 * Application code inside a real extension host: a Python file with an N+1 loop gets its
 * diagnostic (with the relationship declared in another file of the workspace), the quick fix
 * eager-loads it and the diagnostic goes away; a pool setting explains itself on hover.
 */
'use strict';

const assert = require('assert');
const vscode = require('vscode');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, probe, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(100);
  }
}

const planLensDiagnostics = (uri, code) =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Plan Lens' && (code === undefined || d.code === code));

async function open(name) {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, name));
  await vscode.window.showTextDocument(document);
  return document;
}

describe('Plan Lens on application code in the extension host', () => {
  it('shows the N+1 diagnostic on the relationship read and fixes it with joinedload', async () => {
    const document = await open('category_report.py');
    const [diagnostic] = await until('the N+1 diagnostic', () => {
      const found = planLensDiagnostics(document.uri, 'sqlalchemy-n-plus-one');
      return found.length > 0 ? found : undefined;
    });
    assert.strictEqual(document.getText(diagnostic.range), 'product.category');
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diagnostic.message, /loads Category lazily/);

    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', document.uri, diagnostic.range);
    const fix = actions.find((action) => action.title === 'Eager-load Product.category with joinedload');
    assert.ok(fix, `quick fixes offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applied');
    assert.match(document.getText(), /from sqlalchemy\.orm import Session, joinedload\n/);
    assert.match(document.getText(), /select\(Product\)\.options\(joinedload\(Product\.category\)\)\.order_by/);
    await until('the N+1 diagnostic gone', () => planLensDiagnostics(document.uri, 'sqlalchemy-n-plus-one').length === 0);
  });

  it('keeps the last good diagnostics while the file does not parse', async () => {
    const document = await open('database.py');
    await until('the pool diagnostics', () => planLensDiagnostics(document.uri, 'sqlalchemy-pool-pre-ping').length === 1);
    const editor = vscode.window.activeTextEditor;
    const end = document.positionAt(document.getText().length);
    await editor.edit((edit) => edit.insert(end, '\ndef broken(:\n'));
    await sleep(1500);
    assert.strictEqual(planLensDiagnostics(document.uri, 'sqlalchemy-pool-pre-ping').length, 1, 'kept while mid-edit');
    assert.strictEqual(planLensDiagnostics(document.uri).length, 3);
  });

  it('explains a pool setting and its default on hover', async () => {
    const document = await open('tuned_engine.py');
    const position = document.positionAt(document.getText().indexOf('pool_recycle') + 2);
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, position);
    const text = hovers.flatMap((hover) => hover.contents.map((content) => content.value ?? String(content))).join('\n');
    assert.match(text, /\*\*pool_recycle\*\* \(SQLAlchemy engine\)/);
    assert.match(text, /Default: `-1 \(never\)`/);
  });
});
