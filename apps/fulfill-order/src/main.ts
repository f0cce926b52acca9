import { createHandler } from './handler';

/** Lambda entry point (`main.handler`) for the order_queue event source mapping (ReportBatchItemFailures). */
export const handler = createHandler();
