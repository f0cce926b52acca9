import { createServer, type Server } from 'node:net';

/** A port that is taken (EADDRINUSE) or not ours to use (EACCES). */
export class PortUnavailableError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly code: string,
  ) {
    super(code === 'EACCES' ? `port ${port} on ${host} needs privileges` : `port ${port} on ${host} is already in use`);
    this.name = 'PortUnavailableError';
  }
}

/** Listens and resolves the bound port; a taken port rejects with PortUnavailableError. */
export function listen(server: Pick<Server, 'listen' | 'once' | 'off' | 'address'>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') reject(new PortUnavailableError(port, host, error.code));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** True when nothing listens on host:port (checked by binding it for a moment). */
export async function isPortFree(port: number, host: string): Promise<boolean> {
  const probe = createServer();
  try {
    await listen(probe, port, host);
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((resolve) => (probe.listening ? probe.close(() => resolve()) : resolve()));
  }
}
