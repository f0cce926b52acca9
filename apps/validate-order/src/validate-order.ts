import { readExecutionState, type LoggerLike, type ValidatedOrder } from '@dofs/handler-kit';
import { evaluateBusinessRules, orderTotalCents, validateCreateOrder } from '@dofs/order-domain';
import { OrderRejected } from './errors';

/**
 * ValidateOrder: the execution input's order, checked again with the same schema as the API (the
 * workflow may be started by other producers) and then against the business rules.
 * Returns the normalised order and its total, or throws OrderRejected with every reason.
 */
export function validateOrder(input: unknown, logger: LoggerLike): ValidatedOrder {
  const execution = readExecutionState(input);
  const checked = validateCreateOrder(execution.order);
  if (!checked.ok) throw new OrderRejected(checked.errors);
  const reasons = evaluateBusinessRules(checked.value);
  if (reasons.length > 0) throw new OrderRejected(reasons);
  const total_cents = orderTotalCents(checked.value.items);
  logger.info('order validated', { total_cents, items: checked.value.items.length });
  return { order: checked.value, total_cents };
}
