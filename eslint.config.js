// Lint rules that keep the architecture honest: no import cycles, dependencies one way between layers, no dead code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** What each layer of src/ may not import (DESIGN.md section 2: model <- runtime <- automation, server, cli). */
const LAYERS = {
  model: ['engine', 'store', 'runtime', 'automation', 'server', 'cli', 'checks', 'lineage', 'ingest', 'access'],
  engine: ['store', 'runtime', 'automation', 'server', 'cli'],
  store: ['engine', 'runtime', 'automation', 'server', 'cli'],
  // Shared PostgreSQL connection plumbing (pools, URL redaction) for the store, the warehouse and the queue.
  postgres: ['engine', 'store', 'runtime', 'automation', 'server', 'cli', 'checks', 'lineage', 'ingest'],
  lineage: ['runtime', 'automation', 'server', 'cli'],
  checks: ['runtime', 'automation', 'server', 'cli'],
  ingest: ['runtime', 'automation', 'server', 'cli', 'store'],
  runtime: ['automation', 'server', 'cli'],
  automation: ['server', 'cli'],
  server: ['cli'],
  // Identity, grants, policies, governed queries and audit: used by the server and the CLI, never the reverse.
  access: ['automation', 'server', 'cli'],
  // Read models and the SluiceClient (in-process and HTTP transports) that the server, the CLI and the UI share.
  api: ['cli'],
};

const restrict = (files, layer, forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((other) => ({
          group: [`**/${other}/*`, `**/${other}/**`],
          message: `src/${layer} may not depend on src/${other} (see DESIGN.md section 2); move the shared piece down a layer.`,
        })),
      },
    ],
  },
});

const layerRules = Object.entries(LAYERS).map(([layer, forbidden]) => restrict([`src/${layer}/**/*.ts`], layer, forbidden));

export default tseslint.config(
  { ignores: ['dist/**', 'ui/dist/**', 'node_modules/**', 'examples/*/data/**', 'bench/results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'ui/tsconfig.json'], noWarnOnMultipleProjects: true })],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports (DESIGN.md section 5).' }],
    },
  },
  ...layerRules,
  {
    files: ['bin/**/*.js', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
  {
    // Tool configuration files must default-export their config.
    files: ['eslint.config.js', 'ui/vite.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
