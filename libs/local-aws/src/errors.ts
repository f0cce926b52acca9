import { MIN_JAVA_MAJOR_VERSION } from './constants';

/** `java` is not on PATH (or too old to run DynamoDB Local). The message is one line telling what to install. */
export class JavaNotFoundError extends Error {
  public override readonly name = 'JavaNotFoundError';

  public constructor(detail: string, options?: { cause?: unknown }) {
    super(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR_VERSION}+ on PATH (${detail}): install a Java ${MIN_JAVA_MAJOR_VERSION}+ runtime, e.g. "apt-get install openjdk-17-jre-headless" or "brew install openjdk@17".`, options);
  }
}

/** A local server did not come up. `output` is the tail of what it printed, which usually says why. */
export class LocalServerStartError extends Error {
  public override readonly name = 'LocalServerStartError';
  public readonly server: string;
  public readonly output: string;

  public constructor(server: string, reason: string, output = '', options?: { cause?: unknown }) {
    super(`${server} did not start: ${reason}${output ? `\n--- last output ---\n${output}` : ''}`, options);
    this.server = server;
    this.output = output;
  }
}
