// Runs against DynamoDB Local started once per jest run by the local-aws harness.
module.exports = {
  ...require('../../libs/local-aws/jest.aws-preset.cjs'),
  displayName: 'ddb-repo',
};
