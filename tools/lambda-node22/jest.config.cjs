// Invokes every Lambda bundle (dist/apps/<app>/main.js, what deploys) under Node 22, the major of
// the nodejs22.x runtime, against DynamoDB Local and the SQS server of the libs/local-aws harness.
module.exports = {
  ...require('../../libs/local-aws/jest.aws-preset.cjs'),
  displayName: 'lambda-node22',
  // The first run installs the `node@22` npm package into a temporary folder (~10 s).
  testTimeout: 120000,
};
