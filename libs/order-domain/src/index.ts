export * from './constants';
export * from './status';
export * from './schemas';
export * from './money';
export * from './order-id';
export * from './validate';
export * from './json-schema';
export * from './workflow';
