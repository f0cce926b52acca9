export * from './errors';
export * from './document-client';
export * from './orders-repository';
export * from './failed-orders-repository';
export { isRetryableDynamoError } from './retryable';
export { UNPARSEABLE_KEY_PREFIX } from './constants';
export * from './order-intake';
export * from './open-orders';
export { statusWrite, updateExpression, type StatusWriteParts } from './status-write';
