// api-handler tests run against DynamoDB Local from the libs/local-aws harness; Step Functions is
// faked at the client boundary (startFakeSfnServer from @dofs/local-aws, through test/helpers/sfn.ts). SQS is not used.
module.exports = {
  ...require('../../libs/local-aws/jest.aws-preset.cjs'),
  displayName: 'api-handler',
  globals: { dofsLocalAws: { sqs: false } },
};
