export * from './constants';
export * from './errors';
export * from './queue-client';
export * from './parse-record';
export * from './dispatcher';
