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
// defineHandler loads @middy/core (ESM only) at run time: it has its own entry point,
// `@dofs/handler-kit/handler`, so that tools which only need the rest (the dofs CLI) never load it.
export type { ConfigSpec, HandlerDefinition, HandlerKit, HandlerOverrides, HttpHandlerDefinition, RecordProcessor, SqsHandlerDefinition } from './define-handler';
