/**
 * Parsing application code with the published tree-sitter grammars (the builds VS Code itself
 * ships in @vscode/tree-sitter-wasm). Pure: the WebAssembly bytes are passed in, so the same code
 * runs in the extension host, the CLI and tests; reading the .wasm files is the caller's business.
 */
import { Language, Parser, Query, type Node, type QueryMatch, type Tree } from '@vscode/tree-sitter-wasm';

export type { Node, QueryMatch, Tree };

export type CodeLanguage = 'python' | 'javascript' | 'typescript' | 'tsx';

export const CODE_LANGUAGES: readonly CodeLanguage[] = ['python', 'javascript', 'typescript', 'tsx'];

/** The runtime and one grammar per language, as the bytes of their .wasm files. */
export type GrammarBytes = Record<CodeLanguage | 'runtime', Uint8Array>;

const EXTENSIONS = new Map<string, CodeLanguage>([
  ['.py', 'python'],
  ['.js', 'javascript'],
  ['.mjs', 'javascript'],
  ['.cjs', 'javascript'],
  ['.jsx', 'javascript'],
  ['.ts', 'typescript'],
  ['.mts', 'typescript'],
  ['.cts', 'typescript'],
  ['.tsx', 'tsx'],
]);

export function languageOfPath(path: string): CodeLanguage | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSIONS.get(path.slice(dot).toLowerCase());
}

let runtimeReady: Promise<void> | undefined;

export class CodeParsers {
  private readonly parsers = new Map<CodeLanguage, Parser>();
  private readonly queries = new Map<string, Query>();

  private constructor(private readonly languages: Map<CodeLanguage, Language>) {}

  static async create(bytes: GrammarBytes): Promise<CodeParsers> {
    // Emscripten's module options accept the binary itself; the typings only name locateFile.
    runtimeReady ??= Parser.init({ wasmBinary: bytes.runtime } as unknown as Parameters<typeof Parser.init>[0]);
    await runtimeReady;
    const languages = new Map<CodeLanguage, Language>();
    for (const language of CODE_LANGUAGES) languages.set(language, await Language.load(bytes[language]));
    return new CodeParsers(languages);
  }

  /** The caller must `delete()` the tree: it lives in WebAssembly memory. */
  parse(language: CodeLanguage, text: string): Tree {
    let parser = this.parsers.get(language);
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(this.language(language));
      this.parsers.set(language, parser);
    }
    const tree = parser.parse(text);
    if (!tree) throw new Error(`the ${language} parser returned no tree`);
    return tree;
  }

  /** Compiled once per language and pattern text. */
  query(language: CodeLanguage, source: string): Query {
    const key = `${language}\u0000${source}`;
    let query = this.queries.get(key);
    if (!query) {
      query = new Query(this.language(language), source);
      this.queries.set(key, query);
    }
    return query;
  }

  private language(language: CodeLanguage): Language {
    const loaded = this.languages.get(language);
    if (!loaded) throw new Error(`no grammar loaded for ${language}`);
    return loaded;
  }
}
