import { resolve } from 'node:path';
import { createOrderApiGatewayModel } from '@dofs/order-domain';

/** Where Terraform reads the POST /order request model (infra/envs/<env>/main.tf). */
export const CREATE_ORDER_MODEL_FILE = resolve(__dirname, '..', 'generated', 'create-order.model.json');

/**
 * The API Gateway request model of POST /order, rendered from order-domain's typebox schema.
 * The committed file must equal this text byte for byte; an infra test fails otherwise.
 */
export function renderCreateOrderModel(): string {
  return `${JSON.stringify(createOrderApiGatewayModel(), null, 2)}\n`;
}
