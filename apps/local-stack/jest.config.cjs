// The SDK's "Node 20 support ends" notice concerns this machine, not the code under test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'local-stack',
};
