// validate-order is pure computation: no AWS servers needed.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'validate-order',
};
