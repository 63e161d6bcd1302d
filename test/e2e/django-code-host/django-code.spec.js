/**
 * Django code inside a real extension host: loops in the views get their N+1 diagnostics from the
 * models of shop/models.py (indexed in the background), the quick fixes add select_related and
 * prefetch_related and the diagnostics go away; a relation field explains itself on hover.
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

const nPlusOne = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Plan Lens' && d.code === 'django-n-plus-one');

async function open(name) {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, name));
  await vscode.window.showTextDocument(document);
  return document;
}

async function applyFix(document, diagnostic, title) {
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', document.uri, diagnostic.range);
  const fix = actions.find((action) => action.title === title);
  assert.ok(fix, `quick fixes offered: ${actions.map((a) => a.title).join(', ')}`);
  assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applied');
}

describe('Plan Lens on Django code in the extension host', () => {
  it('flags product.category in the loop and fixes it with select_related', async () => {
    const document = await open('category_report.py');
    const [diagnostic] = await until('the N+1 diagnostic', () => {
      const found = nPlusOne(document.uri);
      return found.length > 0 ? found : undefined;
    });
    assert.strictEqual(document.getText(diagnostic.range), 'product.category');
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diagnostic.message, /runs one more query for each Product to read its Category/);
    await applyFix(document, diagnostic, "Load category with select_related('category')");
    assert.match(document.getText(), /Product\.objects\.order_by\("id"\)\.select_related\("category"\):/);
    await until('the N+1 diagnostic gone', () => nPlusOne(document.uri).length === 0);
  });

  it('flags the loop over each order’s items and fixes both reads with prefetch_related("items__product")', async () => {
    const document = await open('item_report.py');
    const found = await until('two N+1 diagnostics', () => {
      const diagnostics = nPlusOne(document.uri);
      return diagnostics.length === 2 ? diagnostics : undefined;
    });
    assert.deepStrictEqual(
      found.map((d) => document.getText(d.range)),
      ['order.items', 'item.product'],
    );
    await applyFix(document, found[1], "Load items__product with prefetch_related('items__product')");
    assert.match(document.getText(), /Order\.objects\.order_by\("number"\)\.prefetch_related\("items__product"\):/);
    await until('both diagnostics gone', () => nPlusOne(document.uri).length === 0);
  });

  it('explains a foreign key on hover: its column, the cost of reading it, the reverse accessor', async () => {
    const document = await open('shop/models.py');
    const position = document.positionAt(document.getText().indexOf('category = models.ForeignKey') + 2);
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, position);
    const text = hovers.flatMap((hover) => hover.contents.map((content) => content.value ?? String(content))).join('\n');
    assert.match(text, /\*\*Product\.category\*\*: ForeignKey Product\.category to Category/);
    assert.match(text, /Column `category_id` of table `shop_product`/);
    assert.match(text, /From Category: `category\.products\.all\(\)`/);
  });
});
