/**
 * Writes infra/generated/create-order.model.json from createOrderApiGatewayModel() of
 * @dofs/order-domain. Run it through Nx (`npx nx run infra:generate`), which executes:
 *
 *   SWC_NODE_PROJECT=infra/tsconfig.json node -r @swc-node/register infra/scripts/generate-api-model.ts
 *
 * With --check it writes nothing and exits 1 when the committed file is stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { CREATE_ORDER_MODEL_FILE, renderCreateOrderModel } from './api-model';

const expected = renderCreateOrderModel();
const current = existsSync(CREATE_ORDER_MODEL_FILE) ? readFileSync(CREATE_ORDER_MODEL_FILE, 'utf8') : undefined;
const shown = relative(process.cwd(), CREATE_ORDER_MODEL_FILE);

if (process.argv.includes('--check')) {
  if (current !== expected) {
    console.error(`${shown} is stale: run npx nx run infra:generate`);
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else if (current === expected) {
  console.log(`${shown} unchanged`);
} else {
  mkdirSync(dirname(CREATE_ORDER_MODEL_FILE), { recursive: true });
  writeFileSync(CREATE_ORDER_MODEL_FILE, expected);
  console.log(`wrote ${shown}`);
}
