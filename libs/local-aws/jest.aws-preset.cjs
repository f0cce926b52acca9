// Jest preset for projects whose tests talk to real local AWS servers. Global setup starts
// DynamoDB Local and the SQS server once per jest run and exports their endpoints, the table
// names and the queue URLs through process.env; global teardown stops them.
// Use: module.exports = { ...require('../../libs/local-aws/jest.aws-preset.cjs'), displayName: 'x' };
// A project that needs only SQS adds `globals: { dofsLocalAws: { dynamodb: false } }`.
const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.cjs'),
  globalSetup: path.join(__dirname, 'src/jest/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'src/jest/global-teardown.ts'),
  // The first request to a fresh DynamoDB Local JVM is slow; real-server tests get room for it.
  testTimeout: 30000,
};
