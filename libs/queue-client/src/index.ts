export * from './constants';
export * from './errors';
export * from './queue-client';
export * from './parse-record';
export * from './workflow-starter';
export * from './order-enqueuer';
export * from './dispatcher';
