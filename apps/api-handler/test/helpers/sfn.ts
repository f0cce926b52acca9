import { SFNClient } from '@aws-sdk/client-sfn';
import { startFakeSfnServer, type FakeSfnServer } from '@dofs/local-aws';

export interface FakeSfn {
  /** The fake Step Functions server: its recorded calls, failNext, delayNext. */
  readonly server: FakeSfnServer;
  /** A client for it that does not retry (maxAttempts: 1). */
  readonly client: SFNClient;
}

/** Starts a fake Step Functions server and a client for it before this file's tests (stopped after them), clearing the server's recorded calls before each test. */
export function useFakeSfn(): FakeSfn {
  let server: FakeSfnServer | undefined;
  let client: SFNClient | undefined;

  beforeAll(async () => {
    server = await startFakeSfnServer();
    client = new SFNClient({ endpoint: server.endpoint, maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  beforeEach(() => {
    if (server) server.calls.length = 0;
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useFakeSfn(): the fake Step Functions server is used before its beforeAll ran');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get client() {
      return started(client);
    },
  };
}
