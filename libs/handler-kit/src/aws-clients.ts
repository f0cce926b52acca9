/**
 * Timeouts and retry budgets for the AWS SDK clients of the handlers. The SDK's defaults never time
 * out a request: against a stalled dependency a call hangs until the function times out, which the
 * workflow or the event source mapping sees as a Lambda timeout instead of a retryable error. With
 * these, every call gives up (and throws a retryable `TimeoutError`) well inside the function
 * timeout: attempts x (connection + request timeout) + backoff stays under half of it.
 */
export interface SdkClientBudget {
  /** Milliseconds to establish a connection. */
  connectionTimeout: number;
  /** Milliseconds to wait for a response once the request is sent. */
  requestTimeout: number;
  /** Total attempts, the first included. */
  maxAttempts: number;
}

export const SDK_BUDGETS = {
  /**
   * DynamoDB answers in single-digit milliseconds when healthy; 2 s leaves room for a contended
   * transaction (DynamoDB Local under load takes over a second). Worst case ~6.2 s.
   */
  dynamodb: { connectionTimeout: 1000, requestTimeout: 2000, maxAttempts: 2 },
  /** StartExecution; api-handler has already stored the order when it calls it. Worst case ~5.2 s. */
  sfn: { connectionTimeout: 1000, requestTimeout: 1500, maxAttempts: 2 },
  sqs: { connectionTimeout: 1000, requestTimeout: 2000, maxAttempts: 2 },
  /** GetMetricData, read by the reconciler once a run at most. */
  cloudwatch: { connectionTimeout: 1000, requestTimeout: 2000, maxAttempts: 2 },
} as const satisfies Record<string, SdkClientBudget>;

/** The SDK client configuration (`new XClient(sdkClientConfig(SDK_BUDGETS.x))`) for a budget. */
export function sdkClientConfig(budget: SdkClientBudget) {
  return {
    maxAttempts: budget.maxAttempts,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: budget.connectionTimeout, requestTimeout: budget.requestTimeout, throwOnRequestTimeout: true },
  };
}

/** The longest a call can take within a budget (the SDK's retry backoff is capped at ~ 100 ms x 2^n here). */
export function worstCaseMs(budget: SdkClientBudget): number {
  let total = 0;
  for (let attempt = 1; attempt <= budget.maxAttempts; attempt += 1) {
    total += budget.connectionTimeout + budget.requestTimeout;
    if (attempt < budget.maxAttempts) total += 100 * 2 ** attempt;
  }
  return total;
}
