// Lint keeps the layers honest (see README "Layout"): each layer imports only the layers below it.
// Formatting is Prettier's job (npm run lint runs both); eslint-config-prettier turns off the
// stylistic rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const nodeIo = ['fs', 'fs/promises', 'net', 'tls', 'http', 'https', 'child_process', 'worker_threads', 'dgram', 'dns', 'os'].flatMap(
  (name) => [name, `node:${name}`],
);

/** `no-restricted-imports` options forbidding the given module names and path patterns. */
function forbid({ names = [], patterns = [], why }) {
  return [
    'error',
    {
      paths: names.map((name) => ({ name, message: why })),
      patterns: patterns.map((group) => ({ group: [group], message: why })),
    },
  ];
}

const hostLayers = ['**/editor/**', '**/editor', '**/panel/**', '**/extension', '**/cli/**'];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'out/', '.tools/', '.cache/', 'test-results/', 'test/e2e/**/*.js', '**/*.d.mts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Messages name the cause in words; the error objects stay in logs, not in chains users read.
      'preserve-caught-error': 'off',
      // Plan Lens reads and cleans text with control characters on purpose (terminal escapes, NUL, bidi).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests and benchmarks load modules afresh or by file name.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid({
        names: ['vscode', 'pg', 'pg-protocol', 'pg-connection-string', ...nodeIo],
        patterns: ['**/db/**', '**/db', '**/explain/**', '**/recorder/**', ...hostLayers],
        why: 'src/core is pure TypeScript: no vscode, no pg, no I/O, no imports from the layers above it.',
      }),
    },
  },
  {
    files: ['src/db/**/*.ts', 'src/recorder/**/*.ts', 'src/explain/**/*.ts', 'src/history/**/*.ts', 'src/host/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid({
        names: ['vscode'],
        patterns: hostLayers,
        why: 'src/db, src/recorder, src/explain, src/history and src/host run outside VS Code too: no vscode, no editor, panel or CLI code.',
      }),
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid({
        names: ['vscode'],
        patterns: ['**/editor/**', '**/panel/**'],
        why: 'The CLI runs without VS Code.',
      }),
    },
  },
  {
    files: ['webview-ui/src/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid({
        names: ['vscode', 'pg', ...nodeIo],
        patterns: [
          '**/src/db/**',
          '**/src/editor/**',
          '**/src/panel/**',
          '**/src/cli/**',
          '**/src/explain/**',
          '**/src/recorder/**',
          '**/src/extension',
        ],
        why: 'The webview is browser code: it imports only src/protocol.ts, pure core helpers and browser libraries.',
      }),
    },
  },
  prettier,
);
