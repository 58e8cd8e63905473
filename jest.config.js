/** @type {import('jest').Config} */
// @kubernetes/client-node 1.x and some of its dependencies ship only ES modules. The compiled product loads them with
// Node 22's require(esm); Jest's CommonJS module runtime cannot, so Jest transpiles those packages (and only those:
// the project's own jose 5 is CommonJS) to CommonJS.
const ESM = '@kubernetes/client-node|openid-client|oauth4webapi|jsonpath-plus|rfc4648';
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/sim', '<rootDir>/bench'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `npm run build`; tests only transpile.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    [`/node_modules/(${ESM}|openid-client/node_modules/jose)/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true },
    ],
  },
  transformIgnorePatterns: [`^(?!.*/openid-client/node_modules/jose/).*/node_modules/(?!(${ESM})/)`],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 60000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
