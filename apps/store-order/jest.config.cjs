// store-order tests run against DynamoDB Local from the libs/local-aws harness (no SQS needed).
module.exports = {
  ...require('../../libs/local-aws/jest.aws-preset.cjs'),
  displayName: 'store-order',
  globals: { dofsLocalAws: { sqs: false } },
};
