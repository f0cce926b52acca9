/** A local server this process started. */
export interface RunningServer {
  /** Base URL to give the AWS SDK, e.g. `http://127.0.0.1:45123`. */
  endpoint: string;
  port: number;
  /** Stops the server; safe to call more than once. */
  stop(): Promise<void>;
}
