/** An invocation error as the Lambda runtime reports it (and as Step Functions sees it in a task's error). */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}
