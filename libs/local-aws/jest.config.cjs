// local-aws tests start their own servers (they test the starters), so no global setup here.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'local-aws',
  // Several tests boot a DynamoDB Local JVM (3-10 s each).
  testTimeout: 60000,
};
