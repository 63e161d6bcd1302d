/**
 * The recorder and the code's diagnostics meeting inside a real extension host: Record Queries
 * starts the recorder in front of the configured connection, the sample program's N+1 runs
 * through it, the N+1 diagnostic of that file then says what the recording saw, and Go to Code on
 * the recorded N+1 opens the loop's attribute read.
 */
'use strict';

const assert = require('assert');
const { execFile } = require('child_process');
const { promisify } = require('util');
const vscode = require('vscode');

const run = promisify(execFile);
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

const nPlusOne = (uri) =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Plan Lens' && d.code === 'sqlalchemy-n-plus-one');

describe('recorded N+1 and the code in the extension host', () => {
  const folder = () => vscode.workspace.workspaceFolders[0].uri;

  after(async () => {
    await vscode.commands.executeCommand('planLens.stopRecording');
  });

  it('the N+1 diagnostic says what the recording saw, and Go to Code opens the loop', async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder(), 'category_report.py'));
    await vscode.window.showTextDocument(document);
    const [before] = await until('the N+1 diagnostic', () => nPlusOne(document.uri)[0] && nPlusOne(document.uri));
    assert.doesNotMatch(before.message, /Seen at run time/);

    // Record Queries asks for the port, offering planLens.recorder.listenPort: accept it.
    let started = false;
    const recording = Promise.resolve(vscode.commands.executeCommand('planLens.recordQueries')).then(() => (started = true));
    while (!started) {
      await sleep(300);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    await recording;

    await run(process.env.PLAN_LENS_E2E_PYTHON, ['category_report.py'], {
      cwd: folder().fsPath,
      env: { ...process.env, DATABASE_URL: process.env.PLAN_LENS_E2E_RECORDER_URL },
      timeout: 60000,
    });
    const [linked] = await until('the diagnostic naming the recording', () =>
      nPlusOne(document.uri).find((d) => d.message.includes('Seen at run time')) ? nPlusOne(document.uri) : undefined,
    );
    assert.match(
      linked.message,
      /Seen at run time: 10 queries of `SELECT … FROM categories WHERE categories\.id = \$1` in [\d.]+ m?s \(recording at \d\d:\d\d\)\.$/,
    );
    assert.strictEqual(document.getText(linked.range), 'product.category');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The finding as the Recording view holds it: its statement is what Go to Code matches on.
    const finding = {
      id: 'n-plus-one',
      severity: 'warning',
      fingerprint: 'e2e',
      query: 'SELECT categories.id AS categories_id, categories.name AS categories_name FROM categories WHERE categories.id = $1',
      calls: 10,
      totalMs: 1,
      message: '',
      fix: '',
    };
    await vscode.commands.executeCommand('planLens.recording.goToCode', { kind: 'finding', finding });
    const editor = await until('the loop opened', () => vscode.window.activeTextEditor);
    assert.strictEqual(editor.document.uri.toString(), document.uri.toString());
    assert.strictEqual(editor.document.getText(editor.selection), 'product.category');
  });
});
