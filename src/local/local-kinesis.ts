import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_CREDENTIALS } from './local-dynamodb';

/** A kinesalite server on 127.0.0.1 and a Kinesis client pointed at it. */
export interface LocalKinesis {
  readonly endpoint: string;
  readonly client: KinesisClient;
  stop(): Promise<void>;
}

/**
 * Starts kinesalite in this process on 127.0.0.1 with an in-memory store.
 * kinesalite speaks HTTP/1.1 only, so the client gets a `NodeHttpHandler` (the SDK's default for
 * Kinesis is HTTP/2).
 */
export async function startLocalKinesis(port = 0): Promise<LocalKinesis> {
  const server: Server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  // Node's default of 5 seconds lets the server close a socket that a busy client is about to reuse.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  const { port: boundPort } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${boundPort}`;
  const client = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 2000,
      requestTimeout: 5000,
      throwOnRequestTimeout: true,
    }),
  });

  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
