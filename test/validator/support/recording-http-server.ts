import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export interface ScriptedResponse {
  readonly status?: number;
  readonly body: unknown;
}

/**
 * An HTTP server on 127.0.0.1 that records JSON-protocol AWS requests (X-Amz-Target and body) and returns
 * the next response from `respond` to each. It replaces Firehose and Step Functions, which have no local
 * server here. The responses follow the shapes in the AWS API references.
 */
export interface RecordingHttpServer {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  stop(): Promise<void>;
}

export async function startRecordingHttpServer(
  respond: (request: RecordedRequest, index: number) => ScriptedResponse,
): Promise<RecordingHttpServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: RecordedRequest = {
        target: String(incoming.headers['x-amz-target'] ?? ''),
        headers: incoming.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
      };
      requests.push(request);
      const response = respond(request, requests.length - 1);
      outgoing.writeHead(response.status ?? 200, { 'content-type': 'application/x-amz-json-1.1' });
      outgoing.end(JSON.stringify(response.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
