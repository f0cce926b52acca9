// The CLI's commands run against DynamoDB Local and the SQS server of the libs/local-aws harness,
// configured through the SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS).
module.exports = {
  ...require('../../libs/local-aws/jest.aws-preset.cjs'),
  displayName: 'dofs-cli',
};
