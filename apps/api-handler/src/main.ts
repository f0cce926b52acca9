import { createHandler } from './handler';

/** Lambda entry point (`main.handler`) for API Gateway REST (payload 1.0) and HTTP API (payload 2.0) proxy events. */
export const handler = createHandler();
