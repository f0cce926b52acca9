import { createServer } from 'node:net';
import { LOOPBACK_HOST } from './constants';

/**
 * A TCP port that is free on loopback right now. Another process may still take it before the
 * caller binds it; servers that can listen on port 0 should do that instead.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/**
 * Resolves true when nothing listens on `port` on any interface. Servers that bind every interface
 * (DynamoDB Local) are checked this way before they start, so a readiness probe cannot mistake an
 * older server on the same port for the new one.
 */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
