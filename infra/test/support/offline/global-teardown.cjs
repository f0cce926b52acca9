const { rmSync } = require('node:fs');

module.exports = async () => {
  if (process.env.DOFS_OFFLINE_PLAN_DIR) rmSync(process.env.DOFS_OFFLINE_PLAN_DIR, { recursive: true, force: true });
};
