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

/** Port, retry and timeout settings of a local DynamoDB and its client. */
export interface LocalDynamoDbOptions {
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /**
   * Attempts per request. Tests keep 1 so that no retry hides a failure they inject; the CLI allows
   * retries, because a busy machine can delay the in-process server.
   * @default 1
   */
  readonly maxAttempts?: number;
  /** Milliseconds after which a request fails. @default 5000 */
  readonly requestTimeoutMs?: number;
}

/**
 * Seconds an idle connection stays open. Node's default of 5 seconds lets the server close a socket that
 * the client is about to reuse when the CPU is busy, which the client sees as ECONNRESET.
 */
const KEEP_ALIVE_TIMEOUT_MS = 60_000;

/** Starts dynalite in this process on 127.0.0.1 with an in-memory store. */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  const { port: boundPort } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${boundPort}`;
  const client = createLocalDynamoDbClient(endpoint, options.maxAttempts, options.requestTimeoutMs);

  return {
    endpoint,
    client,
    stop: () => stopServer(server, client),
  };
}

/** Creates a DynamoDB client for a local endpoint; by default with no retries hidden from the caller's own retry logic. */
export function createLocalDynamoDbClient(
  endpoint: string,
  maxAttempts = 1,
  requestTimeoutMs = 5000,
): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 2000,
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}

async function stopServer(server: Server, client: DynamoDBClient): Promise<void> {
  client.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
