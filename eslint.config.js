// Lint rules, including the import boundaries that keep the architecture as ARCHITECTURE.md says.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeIo = [
  'fs',
  'fs/promises',
  'child_process',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'worker_threads',
  'cluster',
  'tls',
  'dns',
  'inspector',
  'vm',
].flatMap((m) => [`node:${m}`, m]);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'tools/**', '.tmp/**'] },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  {
    // Libraries: no environment, and nothing from deployables or test helpers.
    files: ['packages/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Packages take options; only apps read the environment.',
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@vigie/cli', '@vigie/testenv', '**/apps/**'],
              message: 'Packages never depend on apps or test helpers.',
            },
          ],
        },
      ],
    },
  },
  {
    // The config model, the plan and the detection logic are pure: no I/O of any kind.
    files: [
      'packages/config/src/**/*.ts',
      'packages/plan/src/**/*.ts',
      'packages/vision/src/**/*.ts',
      'packages/simulator/src/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Pure packages do no I/O.' },
        { name: 'process', message: 'Pure packages read no environment and start nothing.' },
        { name: 'require', message: 'Pure packages load nothing at run time.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: 'ImportExpression', message: 'Pure packages load nothing at run time.' },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeIo.map((name) => ({ name, message: 'Pure packages do no I/O.' })),
          patterns: [
            {
              group: ['@vigie/cli', '@vigie/testenv', '**/apps/**'],
              message: 'Packages never depend on apps or test helpers.',
            },
          ],
        },
      ],
    },
  },
  {
    // The console's API, shared with the review UI's browser bundle: no Node, no run-time
    // dependency. Its own files, and types from the config model, are all it may import.
    files: ['apps/console/src/api/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...[
          'process',
          'Buffer',
          'require',
          'global',
          '__dirname',
          '__filename',
          'setImmediate',
        ].map((name) => ({
          name,
          message: 'The console API is shared with the browser: no Node.',
        })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: 'ImportExpression', message: 'The console API loads nothing at run time.' },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@vigie/config',
              allowTypeImports: true,
              message: 'Only types from @vigie/config: the browser bundle cannot take its code.',
            },
          ],
          patterns: [
            {
              regex: '^(?!\\./[a-z0-9-]+\\.js$|@vigie/config$)',
              message:
                'The console API is shared with the browser: it imports only its own files and types from @vigie/config.',
            },
          ],
        },
      ],
    },
  },
  {
    // The review UI is a browser bundle: of the console's source it takes only the API.
    files: ['apps/console/ui/src/**/*.ts', 'apps/console/ui/src/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'The review UI runs in the browser: no Node.' },
            {
              regex: '/src/(?!api/index\\.js$)',
              message:
                "The review UI takes only the console's API (src/api/index.js) from its source.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
