// ESLint (flat config): `npm run lint`, one step of `npm run check` (scripts/check.sh).
// typescript-eslint's recommended rules without type information keep the lint at a
// few seconds; the typed checks are tsc's (`npm run typecheck`).
import js from '@eslint/js';
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Build outputs, dependencies and generated files.
    ignores: ['node_modules/', '.next/', 'dist/', 'dist-*/', 'next-env.d.ts', 'test-results/', 'bench/results/'],
  },
  {
    // A disable comment that no longer suppresses anything fails the lint.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.{ts,tsx,mjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      // For the .mjs scripts: in TypeScript files tsc checks the names (typescript-eslint turns no-undef off there).
      globals: globals.node,
    },
    rules: {
      // `const { omitted, ...rest } = x` is how a field is dropped from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // The family's terminal command: plain CommonJS that Node runs as it is.
    files: ['system/bin/jupyterhub-members'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['app/**/*.{ts,tsx}', 'lib/**/*.{ts,tsx}'],
    extends: [nextPlugin.configs.recommended, nextPlugin.configs['core-web-vitals'], reactHooks.configs.flat.recommended],
    rules: {
      // Sign-out, a lost session and the family page's notices load the page in full on purpose: the router's cache of signed-in pages must go.
      '@next/next/no-location-assign-relative-destination': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read the panel's JSON answers as `any` on purpose: their assertions check the shape.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
