import { createHandler } from './handler';

/** Lambda entry point (`main.handler`). */
export const handler = createHandler();
