#!/usr/bin/env node
// Bundles the CLI, the extension host and the webview with esbuild. Type checking is separate
// (`npm run typecheck`), so a build takes well under a second.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');

// Packages that load WASM or data files relative to their own location stay outside the bundle.
const runtimeExternals = ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'libpg-query', '@vscode/tree-sitter-wasm', 'pg-native'];

const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const builds = [
  build({
    ...nodeBundle,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    external: runtimeExternals,
  }),
];

if (existsSync(join(root, 'src/extension.ts'))) {
  builds.push(
    build({
      ...nodeBundle,
      entryPoints: ['src/extension.ts'],
      outfile: 'dist/extension.js',
      external: ['vscode', ...runtimeExternals],
    }),
  );
}

const webviewBuild = join(root, 'webview-ui/build.mjs');
if (existsSync(webviewBuild)) {
  const { buildWebview } = await import(pathToFileURL(webviewBuild).href);
  builds.push(buildWebview({ production }));
}

await Promise.all(builds);
