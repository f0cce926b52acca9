import { createHandler } from './handler';

/** Lambda entry point (`main.handler`) for the order_dlq event source mapping (ReportBatchItemFailures). */
export const handler = createHandler();
