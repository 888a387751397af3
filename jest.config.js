/** Tests run in band against one real Kafka broker and one Postgres server (see scripts/test). */
// A few transitive dependencies (cookie@2 via light-my-request, content-disposition@3) ship
// ESM only; jest's CommonJS runtime cannot require them on Node 20, so swc compiles them too.
const ESM_ONLY = ['cookie', 'content-disposition'];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  setupFiles: ['<rootDir>/tests/support/jest-realm.ts'],
  testMatch: ['<rootDir>/services/*/test/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
};
