export * from './constants';
export * from './logger';
export * from './metrics';
export * from './config';
export * from './errors';
export * from './correlation';
export * from './aws-clients';
export * from './http/event';
export * from './http/response';
export * from './middleware/inject-lambda-context';
export * from './middleware/http-error-handler';
export * from './sqs/batch';
export * from './define-handler';
// Test helpers (event factories, log capture): tree-shaken out of every bundle.
export * from './testing/events';
export * from './testing/logs';
export * from './testing/orders';
