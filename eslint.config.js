// Flat config: typescript-eslint's recommended rules, plus the architecture rule that keeps
// drivers and transports out of domain/ (CONVENTIONS: dependencies point inward).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const DRIVERS = ['fastify', 'fastify-plugin', '@fastify/*', 'pg', 'kafkajs', 'onnxruntime-node', 'sharp', 'node-pg-migrate'];

module.exports = tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/gen/**', '.cache/**', '.vigil/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: DRIVERS, message: 'domain/ imports no drivers: declare a port in domain/ports.ts' }] }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
