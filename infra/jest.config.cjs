module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'infra',
  // hcl2json starts a Go WebAssembly runtime on first use; parsing every .tf takes a few seconds.
  testTimeout: 30000,
};
