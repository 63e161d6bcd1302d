// Bundles the plan webview: webview-ui/src/main.ts and its stylesheet into dist/webview/main.js
// and main.css. scripts/build.mjs imports `buildWebview`; `node webview-ui/build.mjs [--production]`
// runs it alone. Types: build.d.mts.
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function webviewBuildOptions({ production = false } = {}) {
  return {
    absWorkingDir: root,
    entryPoints: [
      { in: 'webview-ui/src/main.ts', out: 'main' },
      { in: 'webview-ui/src/styles/main.css', out: 'main' },
    ],
    outdir: 'dist/webview',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // VS Code 1.100 runs webviews in Electron 34 (Chromium 132).
    target: ['chrome120'],
    minify: production,
    sourcemap: production ? false : 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  };
}

export function buildWebview(settings) {
  return esbuild.build(webviewBuildOptions(settings));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildWebview({ production: process.argv.includes('--production') });
}
