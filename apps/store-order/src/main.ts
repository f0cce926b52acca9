import { createHandler } from './handler';

/** Lambda entry point (`main.handler`) for the StoreOrder, StoreRejectedOrder and MarkOrderFailed states. */
export const handler = createHandler();
