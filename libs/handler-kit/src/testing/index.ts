// Test helpers (event factories, log capture, sample orders): `@dofs/handler-kit/testing`, an entry
// point of its own, so the runtime entry exports nothing a handler must not use (a test checks it).
export * from './events';
export * from './logs';
export * from './orders';
