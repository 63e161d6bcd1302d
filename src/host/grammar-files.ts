/**
 * Reads the tree-sitter runtime and grammars (.wasm) shipped in @vscode/tree-sitter-wasm, for the
 * pure parsers in src/core/code. The package stays outside the bundles (like libpg-query), so the
 * files are found beside it in node_modules, in the repository and in the packaged extension.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CODE_LANGUAGES, CodeParsers, type GrammarBytes } from '../core/code/syntax';

let parsers: Promise<CodeParsers> | undefined;

export function loadCodeParsers(): Promise<CodeParsers> {
  parsers ??= (async () => {
    const dir = join(dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm');
    const read = async (name: string) => new Uint8Array(await readFile(join(dir, name)));
    const bytes = { runtime: await read('tree-sitter.wasm') } as GrammarBytes;
    for (const language of CODE_LANGUAGES) bytes[language] = await read(`tree-sitter-${language}.wasm`);
    return CodeParsers.create(bytes);
  })();
  return parsers;
}
