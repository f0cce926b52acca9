// The run's folder for the shared offline plan (test/support/offline/shared.ts): created before
// the workers start, so that they all see the same one, and deleted after the run.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  process.env.DOFS_OFFLINE_PLAN_DIR = mkdtempSync(join(tmpdir(), 'dofs-offline-run-'));
};
