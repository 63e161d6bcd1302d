/**
 * The end-to-end sample extension:
 * - `planLensSample.hello` shows an information message naming the active file and line, and
 *   writes the same text to `sample-output/hello.txt` in the first workspace folder (or the
 *   system temporary folder). It returns the path of that file.
 * - `planLensSample.showPanel` opens a webview panel whose page holds `#sample-webview`.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('planLensSample.hello', () => {
      const editor = vscode.window.activeTextEditor;
      const where = editor ? `${path.basename(editor.document.fileName)} line ${editor.selection.active.line + 1}` : 'no editor';
      const text = `Hello from the Plan Lens sample in VS Code ${vscode.version}: ${where}`;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir();
      const file = path.join(folder, 'sample-output', 'hello.txt');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${text}\n`);
      vscode.window.showInformationMessage(text);
      return file;
    }),
    vscode.commands.registerCommand('planLensSample.showPanel', () => {
      const panel = vscode.window.createWebviewPanel('planLensSample', 'Sample Panel', vscode.ViewColumn.Beside, {
        enableScripts: false,
      });
      panel.webview.html = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${panel.webview.cspSource} 'unsafe-inline';">
  <title>Sample Panel</title>
</head>
<body>
  <h1 id="sample-webview">Sample webview in VS Code ${vscode.version}</h1>
</body>
</html>`;
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
