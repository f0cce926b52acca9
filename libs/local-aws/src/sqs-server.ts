import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOOPBACK_HOST } from './constants';
import { LocalServerStartError } from './errors';
import type { RunningServer } from './types';

export interface SqsServerOptions {
  /** Port to serve on. Default: any free port, chosen by the OS when listening (no race). */
  port?: number;
}

/**
 * Starts the `local-aws-sqs` server in this process on loopback. It keeps queues in memory only.
 * Known differences from SQS (measured): it ignores `MessageSystemAttributeNames`, so ask for
 * `AttributeNames: ['All']` to get `ApproximateReceiveCount`; `ApproximateNumberOfMessages`
 * includes in-flight messages; a message moves to the dead-letter queue when the visibility
 * timeout of its `maxReceiveCount`-th receive runs out rather than on the next receive.
 *
 * The HTTP server is created here (not by the package's `createSqsServer`) so a failed listen
 * rejects instead of crashing the process, and so `stop()` can close kept-alive connections.
 */
export function startSqsServer(opts: SqsServerOptions = {}): Promise<RunningServer> {
  const { service, requestHandler } = createRequestHandler({
    port: opts.port ?? 0,
    hostname: LOOPBACK_HOST,
    region: LOCAL_REGION,
    // Deleting and recreating a queue at once is routine in tests; real SQS makes you wait 60 s.
    emulateQueueCreationLifecycle: false,
    validateDlqDestination: true,
    accountId: LOCAL_ACCOUNT_ID,
  });
  const server = createServer((req, res) => {
    requestHandler(req, res).catch(() => {
      // The package answers every SQS error itself; this is only a last resort for a bug in it.
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new LocalServerStartError('SQS server', err.message, '', { cause: err })));
    server.listen(opts.port ?? 0, LOOPBACK_HOST, () => {
      const { port } = server.address() as AddressInfo;
      // Queue URLs are built from this, so it must be the port actually bound.
      service.PORT = port;
      let stopping: Promise<void> | undefined;
      resolve({
        endpoint: `http://${LOOPBACK_HOST}:${port}`,
        port,
        stop(): Promise<void> {
          stopping ??= new Promise<void>((done) => {
            server.close(() => done());
            // Long polls and the SDK's keep-alive sockets would otherwise hold close() open.
            server.closeAllConnections();
          });
          return stopping;
        },
      });
    });
  });
}
