/**
 * Sizes of what ships: the production bundles (the extension host bundle excludes PGlite and
 * libpg-query, which stay in node_modules and load only when used), and the WebAssembly packages
 * the .vsix carries beside them. Target: extension host bundle under 1 MB.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { underTarget } from './targets';

const root = join(__dirname, '..');
const HOST_BUNDLE_TARGET_BYTES = 1024 * 1024;

function folderBytes(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + folderBytes(join(path, entry)), 0);
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

export async function run(): Promise<void> {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`production build failed: ${build.stderr}`);
  const rows: Array<[string, number, string]> = [
    ['dist/extension.js (host, minified)', statSync(join(root, 'dist/extension.js')).size, ''],
    ['dist/cli.js (minified)', statSync(join(root, 'dist/cli.js')).size, ''],
    ['dist/webview/main.js', statSync(join(root, 'dist/webview/main.js')).size, ''],
    ['dist/webview/main.css', statSync(join(root, 'dist/webview/main.css')).size, ''],
    ['node_modules/libpg-query/wasm', folderBytes(join(root, 'node_modules/libpg-query/wasm')), 'loaded on first explain'],
    [
      'node_modules/@electric-sql/pglite/dist',
      folderBytes(join(root, 'node_modules/@electric-sql/pglite/dist')),
      'loaded only for the demo',
    ],
  ];
  const hostBytes = rows[0][1];
  rows[0][2] = underTarget('dist/extension.js', hostBytes / 1024, HOST_BUNDLE_TARGET_BYTES / 1024, 'kB');
  console.log('what                                        size        note');
  for (const [what, bytes, note] of rows) console.log(`${what.padEnd(44)}${kb(bytes).padStart(10)}  ${note}`);
  // Leave the development build (with source maps) in place for tests and debugging.
  spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
}
