// ESLint enforces the boundaries of the folder tree (see ../shared/STYLE.md §1):
// the renderer never reaches into electron/, shared/ never imports Node or Electron, and only
// the Electron entry files import `electron`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'stream', 'url', 'util', 'events', 'buffer', 'worker_threads'];
const electronEntryFiles = ['electron/main/index.ts', 'electron/preload/index.ts'];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'e2e/artifacts/**', 'bench/results/**', 'lab/state/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['electron/**/*.ts', 'lab/**/*.ts', 'bench/**/*.{ts,mjs,js}', 'e2e/**/*.ts', '*.config.{ts,js}', '.ci/**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: electronEntryFiles,
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only electron/main/index.ts and electron/preload/index.ts may import electron: the engine must run under plain Node and behind the browser bridge.' }] }],
    },
  },
  {
    // Layers inside electron/ (STYLE.md §9): servers/ (SSH, Docker transport) <- inventory/ <- migrations/, never backwards.
    files: ['electron/servers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only electron/main/index.ts and electron/preload/index.ts may import electron: the engine must run under plain Node and behind the browser bridge.' }],
          patterns: [{ group: ['**/inventory/**', '**/migrations/**', '**/databases/**'], message: 'electron/servers/ is the lowest layer: it imports nothing from inventory/, migrations/ or databases/.' }],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'shared/ is used by both sides and imports no Electron module.' }, ...nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'shared/ imports no Node module.' }))],
          patterns: [{ group: ['node:*'], message: 'shared/ imports no Node module.' }, { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ depends on nothing outside shared/.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the main side only through renderer/src/lib/api.ts.' }, ...nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'The renderer runs in a sandbox without Node.' }))],
          patterns: [{ group: ['**/electron/**'], message: 'The renderer never imports from electron/: use renderer/src/lib/api.ts.' }, { group: ['node:*'], message: 'The renderer runs in a sandbox without Node.' }],
        },
      ],
    },
  },
);
