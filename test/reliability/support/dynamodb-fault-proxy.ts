/**
 * An HTTP proxy on 127.0.0.1 in front of dynalite that delays, throttles or drops DynamoDB requests.
 * dynalite itself cannot throttle or stall, so this proxy produces those DynamoDB behaviours. Error
 * responses use the DynamoDB JSON error shape (`__type` and `message`, HTTP 400), as the AWS SDK parses it.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with one request. */
export type FaultAction =
  | { readonly kind: 'forward' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'error'; readonly errorType: DynamoDbErrorType }
  /** Closes the connection without a response, as a stopped server does. */
  | { readonly kind: 'drop' };

export type DynamoDbErrorType = 'ProvisionedThroughputExceededException' | 'ThrottlingException';

/** One request that reached the proxy, and what happened to it. */
export interface ProxiedRequest {
  /** Operation from `X-Amz-Target`, such as `Query`. */
  readonly operation: string;
  /** `:pk` of a Query, which is the principal key for grant lookups. */
  readonly partitionKey?: string;
  readonly consistentRead: boolean;
  readonly action: FaultAction['kind'];
  /** HTTP status that the client received; undefined when the connection was dropped. */
  status?: number;
}

export interface DynamoDbFaultProxy {
  readonly endpoint: string;
  readonly requests: ProxiedRequest[];
  /** Returns the principal keys of Queries that got a 200 response, optionally of consistent reads only. */
  answeredKeys(consistentOnly?: boolean): Set<string>;
  stop(): Promise<void>;
}

/** Decides the action for each request; `index` counts requests from 0. */
export type FaultPlan = (request: ProxiedRequest, index: number) => FaultAction;

const THROTTLE_MESSAGES: Record<DynamoDbErrorType, string> = {
  ProvisionedThroughputExceededException:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  ThrottlingException: 'Rate of requests exceeds the allowed throughput.',
};

export async function startDynamoDbFaultProxy(target: string, plan: FaultPlan): Promise<DynamoDbFaultProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const proxied = describeRequest(incoming, body);
      const action = plan(proxied, requests.length);
      requests.push({ ...proxied, action: action.kind });
      const recorded = requests[requests.length - 1];
      void handle(action, { incoming, outgoing, body, target, recorded });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    answeredKeys: (consistentOnly = false) =>
      new Set(
        requests
          .filter((entry) => entry.status === 200 && (!consistentOnly || entry.consistentRead))
          .flatMap((entry) => (entry.partitionKey === undefined ? [] : [entry.partitionKey])),
      ),
    stop: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Exchange {
  readonly incoming: IncomingMessage;
  readonly outgoing: ServerResponse;
  readonly body: Buffer;
  readonly target: string;
  readonly recorded: ProxiedRequest;
}

async function handle(action: FaultAction, exchange: Exchange): Promise<void> {
  if (action.kind === 'drop') {
    exchange.incoming.socket.destroy();
    return;
  }
  if (action.kind === 'error') {
    exchange.recorded.status = 400;
    exchange.outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    exchange.outgoing.end(
      JSON.stringify({
        __type: `com.amazonaws.dynamodb.v20120810#${action.errorType}`,
        message: THROTTLE_MESSAGES[action.errorType],
      }),
    );
    return;
  }
  if (action.kind === 'delay') {
    await new Promise((resolve) => setTimeout(resolve, action.ms));
    if (exchange.outgoing.destroyed) {
      return;
    }
  }
  forward(exchange);
}

function forward({ incoming, outgoing, body, target, recorded }: Exchange): void {
  const upstream = httpRequest(
    `${target}${incoming.url ?? '/'}`,
    { method: incoming.method, headers: incoming.headers },
    (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        recorded.status = response.statusCode;
        if (!outgoing.destroyed) {
          outgoing.writeHead(response.statusCode ?? 500, response.headers);
          outgoing.end(Buffer.concat(chunks));
        }
      });
    },
  );
  upstream.on('error', () => incoming.socket.destroy());
  upstream.end(body);
}

function describeRequest(incoming: IncomingMessage, body: Buffer): ProxiedRequest {
  const operation =
    String(incoming.headers['x-amz-target'] ?? '')
      .split('.')
      .pop() ?? '';
  const parsed = JSON.parse(body.toString('utf8') || '{}') as {
    ExpressionAttributeValues?: Record<string, { S?: string }>;
    ConsistentRead?: boolean;
  };
  return {
    operation,
    partitionKey: parsed.ExpressionAttributeValues?.[':pk']?.S,
    consistentRead: parsed.ConsistentRead === true,
    action: 'forward',
  };
}
