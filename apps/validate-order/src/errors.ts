import { ORDER_REJECTED_ERROR } from '@dofs/handler-kit';
import type { FieldError } from '@dofs/order-domain';

/**
 * The order breaks the request schema or a business rule. Its name is the error type Step Functions
 * matches (`Catch: ["OrderRejected"]` -> StoreRejectedOrder); its message is `{"reasons":[...]}`,
 * which store-order reads back from the caught `Cause`.
 */
export class OrderRejected extends Error {
  override readonly name = ORDER_REJECTED_ERROR;
  constructor(readonly reasons: FieldError[]) {
    super(JSON.stringify({ reasons }));
  }
}
