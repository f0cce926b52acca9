// Shared jest settings for every project.
// @middy/* 7.x and typebox 1.x ship ESM only, so they are transformed to CommonJS with swc
// like our own TypeScript; everything else in node_modules is loaded as is.
const path = require('node:path');

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
  transformIgnorePatterns: ['/node_modules/(?!(@middy|typebox)/)'],
  moduleFileExtensions: ['ts', 'mts', 'js', 'mjs', 'cjs', 'json'],
  testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.test.ts'],
  moduleNameMapper: {
    '^@dofs/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
    '^@middy/([a-z-]+)$': path.join(__dirname, 'node_modules/@middy/$1/index.js'),
  },
  clearMocks: true,
};
