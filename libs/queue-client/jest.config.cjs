// Runs against the local SQS server started once per jest run by the local-aws harness.
module.exports = {
  ...require('../../libs/local-aws/jest.aws-preset.cjs'),
  displayName: 'queue-client',
  globals: { dofsLocalAws: { dynamodb: false } },
};
