'use strict';

const assert = require('assert');
const fs = require('fs');
const vscode = require('vscode');

const EXTENSION_ID = 'plan-lens.plan-lens-e2e-sample';

describe('Sample extension in a real VS Code', () => {
  it('runs in VS Code 1.100.3', () => {
    assert.strictEqual(vscode.version, '1.100.3');
  });

  it('is loaded from source and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} not found`);
    await extension.activate();
    assert.ok(extension.isActive);
  });

  it('runs planLensSample.hello, which writes its file', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('planLensSample.hello'), 'command not registered');
    const file = await vscode.commands.executeCommand('planLensSample.hello');
    assert.ok(typeof file === 'string' && fs.existsSync(file), `no file written: ${file}`);
    assert.match(fs.readFileSync(file, 'utf8'), /^Hello from the Plan Lens sample in VS Code 1\.100\.3/);
  });
});
