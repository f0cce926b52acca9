import type { LoggerLike } from '@dofs/handler-kit';
import { evaluateBusinessRules, orderTotalCents, readExecutionState, validateCreateOrder, type OrderVerdict } from '@dofs/order-domain';

/**
 * ValidateOrder: the execution input's order, checked again with the same schema as the API (the
 * workflow may be started by other producers) and then against the business rules. Returns a
 * verdict, never throws for a bad order: a rejection is a business outcome that the workflow's
 * Choice state routes, so the function's Errors metric counts faults only.
 */
export function validateOrder(input: unknown, logger: LoggerLike): OrderVerdict {
  const execution = readExecutionState(input);
  const checked = validateCreateOrder(execution.order);
  if (!checked.ok) {
    logger.info('order rejected: it does not match the schema', { reasons: checked.errors.length });
    return { valid: false, reasons: checked.errors };
  }
  const reasons = evaluateBusinessRules(checked.value);
  if (reasons.length > 0) {
    logger.info('order rejected by the business rules', { reasons: reasons.length });
    return { valid: false, reasons };
  }
  const total_cents = orderTotalCents(checked.value.items);
  logger.info('order validated', { total_cents, items: checked.value.items.length });
  return { valid: true, order: checked.value, total_cents };
}
