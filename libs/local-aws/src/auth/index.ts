// The local stand-in for the API's token issuer (Cognito in a deployment) and for API Gateway's JWT
// authorizer: `@dofs/local-aws/auth`, an entry point of its own so that only its users load jose.
// Used by the local stack's gateway, the dofs CLI (`dofs token`) and their tests.
export * from './issuer';
export * from './authorizer';
