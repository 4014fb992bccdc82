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
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
