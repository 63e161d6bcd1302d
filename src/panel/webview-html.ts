/**
 * The HTML of the plan webview. Pure, so the panel and the standalone page (webview-ui/standalone.html,
 * checked against this function by a test) serve the very same document.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlOptions {
  /** URL of dist/webview/main.js as the webview can load it (`webview.asWebviewUri`). */
  scriptUri: string;
  /** URL of dist/webview/main.css. */
  styleUri: string;
  /** `webview.cspSource`: the origin local resources are served from. */
  cspSource: string;
  /** Fresh for every document; only the script carrying it may run. */
  nonce: string;
}

/** A CSP nonce: 144 random bits, base64 (no padding, so it drops into the policy as is). */
export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The policy starts from nothing and allows only our own script (by nonce) and stylesheet. No
 * 'unsafe-inline' for styles either: the page sets positions through the CSSOM, which the policy
 * does not govern, and never writes a style attribute.
 */
export function contentSecurityPolicy({ cspSource, nonce }: Pick<WebviewHtmlOptions, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  const csp = escapeAttribute(contentSecurityPolicy(options));
  const style = escapeAttribute(options.styleUri);
  const script = escapeAttribute(options.scriptUri);
  const nonce = escapeAttribute(options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Plan Lens</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>
`;
}
