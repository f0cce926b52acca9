// reconcile-orders tests run against DynamoDB Local and the local SQS server from the libs/local-aws harness.
module.exports = {
  ...require('../../libs/local-aws/jest.aws-preset.cjs'),
  displayName: 'reconcile-orders',
};
