// ESLint flat config: typescript-eslint's type-aware rules plus the import table of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The globals of Node that the scripts use (the `globals` package is only a transitive dependency).
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'performance',
    'fetch',
    'AbortController',
    'TextDecoder',
    'TextEncoder',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.vscode-test/**',
      '.demo/**',
      'bench/.work/**',
      'test/fixtures/**',
      // scripts/*.mjs are linted (below); other JavaScript is not yet.
      'bench/**/*.mjs',
      'demo/**/*.mjs',
      'eslint.config.mjs',
      '**/*.cjs',
      '**/*.js',
      '**/*.py',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.webview.json', './tsconfig.webviewTest.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      // Relative imports name the file as it is emitted (`./x.js`), as Node's ESM resolution and
      // the bundles expect; one spelling everywhere.
      'no-restricted-syntax': [
        'error',
        ...['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration'].map((node) => ({
          selector: `${node}[source.value=/^\\.{1,2}\\/(?!.*\\.(js|mjs|cjs|css|json)$)/]`,
          message: "A relative import names its file with '.js' (./module.js).",
        })),
      ],
    },
  },
  {
    // The build and test scripts: plain Node ESM, type-checked through tsconfig.scripts.json
    // (checkJs, strict but for implicit any, so values from untyped JSON stay any).
    files: ['scripts/**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: nodeGlobals,
      parserOptions: { project: ['./tsconfig.scripts.json'] },
    },
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'core never imports vscode' },
      {
        group: ['**/cli/**', '**/extension/**', '**/protocol/**', '**/webview-ui/**'],
        message: 'core imports only core',
      },
    ]),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'the CLI never imports vscode' },
      {
        group: ['**/extension/**', '**/protocol/**', '**/webview-ui/**'],
        message: 'the CLI imports core and cli only',
      },
    ]),
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: restrict([
      {
        group: ['**/cli/**', '**/webview-ui/**'],
        message: 'the extension imports core, protocol and vscode',
      },
    ]),
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'protocol is shared with the browser' },
      {
        group: ['**/cli/**', '**/extension/**', '**/webview-ui/**'],
        message: 'protocol imports protocol (and core types only)',
      },
    ]),
  },
  {
    files: ['webview-ui/**/*.ts'],
    rules: restrict([
      { group: ['vscode'], message: 'webviews run in the browser' },
      {
        group: ['**/src/core/**', '**/cli/**', '**/extension/**'],
        message: 'webview-ui imports protocol only',
      },
    ]),
  },
  {
    files: ['src/cli/printer.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
