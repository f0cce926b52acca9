// asl-validator 4 ships without type declarations.
declare module 'asl-validator' {
  interface AslValidatorError {
    'Error code': string;
    Message: string;
    path?: string;
  }
  interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions,
  ): { isValid: boolean; errors: AslValidatorError[]; errorsText(separator?: string): string };
  export = aslValidator;
}
