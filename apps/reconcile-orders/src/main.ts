import { createHandler } from './handler';

/** Lambda entry point (`main.handler`), invoked by the EventBridge Scheduler schedule. */
export const handler = createHandler();
