module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'infra',
  // hcl2json starts a Go WebAssembly runtime on first use; parsing every .tf takes a few seconds.
  testTimeout: 30000,
  // One offline terraform validate + plan per run, shared by the spec files (test/support/offline).
  globalSetup: '<rootDir>/test/support/offline/global-setup.cjs',
  globalTeardown: '<rootDir>/test/support/offline/global-teardown.cjs',
};
