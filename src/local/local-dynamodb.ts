import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A dynalite server on 127.0.0.1 and a DynamoDB client pointed at it. */
export interface LocalDynamoDb {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Stops accepting connections and closes open ones; the client then fails with a network error. */
  stop(): Promise<void>;
}

/** Fixed dummy credentials: dynalite checks that a signature is present, not what it signs. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'LOCALTESTKEY', secretAccessKey: 'local-test-secret' };

/**
 * Starts dynalite in this process on 127.0.0.1 with an in-memory store.
 * @param port 0 picks a free port.
 */
export async function startLocalDynamoDb(port = 0): Promise<LocalDynamoDb> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  const { port: boundPort } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${boundPort}`;
  const client = createLocalDynamoDbClient(endpoint);

  return {
    endpoint,
    client,
    stop: () => stopServer(server, client),
  };
}

/** Creates a DynamoDB client for a local endpoint, with no retries hidden from the caller's own retry logic. */
export function createLocalDynamoDbClient(endpoint: string, maxAttempts = 1): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 2000,
      requestTimeout: 5000,
      throwOnRequestTimeout: true,
    }),
  });
}

async function stopServer(server: Server, client: DynamoDBClient): Promise<void> {
  client.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
