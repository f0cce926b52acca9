// handler-kit is pure Node: no AWS servers needed.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'handler-kit',
};
