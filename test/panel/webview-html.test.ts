import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentSecurityPolicy, createNonce, renderWebviewHtml } from '../../src/panel/webview-html';

const options = {
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.css',
  cspSource: 'https://*.vscode-cdn.net',
  nonce: 'r4nd0mN0nce+/Ab',
};

describe('webview HTML and its content security policy', () => {
  it('allows nothing by default, scripts by nonce only, styles and fonts from the extension only', () => {
    assert.equal(
      contentSecurityPolicy(options),
      "default-src 'none'; img-src https://*.vscode-cdn.net data:; style-src https://*.vscode-cdn.net; " +
        "script-src 'nonce-r4nd0mN0nce+/Ab'; font-src https://*.vscode-cdn.net",
    );
    assert.doesNotMatch(contentSecurityPolicy(options), /unsafe-inline|unsafe-eval/);
  });

  it('puts the policy in a meta tag before anything loads, and the nonce on the one script', () => {
    const html = renderWebviewHtml(options);
    const meta = html.indexOf('http-equiv="Content-Security-Policy"');
    assert.ok(meta > 0 && meta < html.indexOf('<link') && meta < html.indexOf('<script'));
    assert.ok(html.includes(`content="${contentSecurityPolicy(options)}"`));
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes(`<script nonce="${options.nonce}" src="${options.scriptUri}"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${options.styleUri}">`));
    assert.doesNotMatch(html, /style=/);
  });

  it('escapes what it puts into attributes', () => {
    const html = renderWebviewHtml({ ...options, scriptUri: 'x"><script>alert(1)</script>' });
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes('src="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
  });

  it('makes a fresh, unguessable nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    assert.equal(nonces.size, 100);
    for (const nonce of nonces) {
      assert.match(nonce, /^[A-Za-z0-9+/]{24}$/);
    }
  });

  it('is exactly what the standalone page serves, so tests and benchmarks run the panel document', () => {
    const standalone = readFileSync(join(__dirname, '..', '..', 'webview-ui', 'standalone.html'), 'utf8');
    assert.equal(
      standalone,
      renderWebviewHtml({
        scriptUri: '../dist/webview/main.js',
        styleUri: '../dist/webview/main.css',
        cspSource: "'self'",
        nonce: 'standalone',
      }),
    );
  });
});
