// typescript-eslint's recommended rules, with type information for the promise rules: a promise
// nobody awaits hides its failure, so every fire-and-forget site is either awaited or marked
// `void` on purpose (with a comment saying why).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The dashboard's browser script is checked JavaScript with its own tsconfig.json (DOM library).
    files: ['**/*.ts', 'scripts/dashboard/browser/*.js'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // TypeScript resolves its names (document, fetch, …) against the DOM library.
  { files: ['scripts/dashboard/browser/*.js'], rules: { 'no-undef': 'off' } },
);
