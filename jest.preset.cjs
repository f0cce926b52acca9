// Shared jest settings for every project.
// @middy/* 7.x, typebox 1.x and jose 6.x ship ESM only, so they are transformed to CommonJS with swc
// like our own TypeScript; everything else in node_modules is loaded as is.
const path = require('node:path');

// The SDK's notice that its 2027 releases need Node 22 concerns this machine, not the Lambda runtime
// (nodejs22.x); the SDK is pinned to releases that support Node 20 (docs/design.md).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|mts|js|mjs|cjs)$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|typebox|jose)/)'],
  moduleFileExtensions: ['ts', 'mts', 'js', 'mjs', 'cjs', 'json'],
  testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.test.ts'],
  moduleNameMapper: {
    '^@dofs/handler-kit/handler$': path.join(__dirname, 'libs/handler-kit/src/define-handler.ts'),
    '^@dofs/handler-kit/testing$': path.join(__dirname, 'libs/handler-kit/src/testing/index.ts'),
    '^@dofs/local-aws/auth$': path.join(__dirname, 'libs/local-aws/src/auth/index.ts'),
    '^@dofs/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
    '^@middy/([a-z-]+)$': path.join(__dirname, 'node_modules/@middy/$1/index.js'),
  },
  clearMocks: true,
};
