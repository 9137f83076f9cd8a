/**
 * The canary handler against a small HTTP server on 127.0.0.1 that replaces S3, because no local S3
 * server is installed. The stand-in records each request and returns the object or an S3 error.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context } from 'aws-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CANARY_OBJECT_CONTENT } from '../../src/canary/canary-grant';
import { createCanaryHandler, readCanarySettings, type CanaryRole } from '../../src/canary/read-canary';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const BUCKET = 'example-phi-records';
const KEY = 'phi-guard-canary/synthetic-object.txt';
const ACCESS_KEYS: Record<CanaryRole, string> = {
  granted: 'ASIAGRANTEDCANARY001',
  ungranted: 'ASIAUNGRANTEDCANARY1',
};

interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string;
}

let server: Server;
let endpoint: string;
const requests: RecordedRequest[] = [];
/** Response of the stand-in: the object, an access denial, or other content. */
let answer: 'object' | 'denied' | 'other-content' = 'object';

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization ?? '',
    });
    if (answer === 'denied') {
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(answer === 'object' ? CANARY_OBJECT_CONTENT : 'changed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
  answer = 'object';
});

function s3For(role: CanaryRole): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: {
      accessKeyId: ACCESS_KEYS[role],
      secretAccessKey: 'local-test-secret',
      sessionToken: 'local-token',
    },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
  });
}

/** Runs the handler once and returns its result and the EMF documents it printed. */
async function runCanary(role: CanaryRole) {
  const printed: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(chunk.toString());
    return true;
  });
  try {
    const handler = createCanaryHandler({
      s3: s3For(role),
      settings: readCanarySettings({ CANARY_BUCKET: BUCKET, CANARY_KEY: KEY, CANARY_ROLE: role }),
      logger: new Logger({ serviceName: 'phi-guard-canary', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'PhiGuard', serviceName: 'phi-guard-canary' }),
    });
    const result = await handler({}, { functionName: 'canary', awsRequestId: 'request-1' } as Context);
    const metrics = printed
      .flatMap((text) => text.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { result, metrics };
  } finally {
    write.mockRestore();
  }
}

describe('canary read', () => {
  test.each(['granted', 'ungranted'] as const)('%s role reads the object', async (role) => {
    const { result, metrics } = await runCanary(role);

    expect(result).toEqual({ role, status: 'read', bytes: Buffer.byteLength(CANARY_OBJECT_CONTENT) });
    expect(requests).toHaveLength(1);
    expect(requests[0].method).toBe('GET');
    expect(requests[0].url.split('?')[0]).toBe(`/${BUCKET}/${KEY}`);
    expect(requests[0].authorization).toContain(`Credential=${ACCESS_KEYS[role]}/`);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ CanaryRole: role, CanaryReads: 1, CanaryReadFailures: 0 });
  });

  test.each([
    ['access denied', 'denied', /AccessDenied/],
    ['changed content', 'other-content', /unexpected content of 7 characters/],
  ] as const)('reports %s', async (_name, serverAnswer, error) => {
    answer = serverAnswer;
    const { result, metrics } = await runCanary('granted');

    expect(result.status).toBe('failed');
    expect(result.status === 'failed' ? result.error : '').toMatch(error);
    expect(metrics[0]).toMatchObject({ CanaryRole: 'granted', CanaryReadFailures: 1 });
  });

  test('settings reject an unknown role', () => {
    expect(() =>
      readCanarySettings({ CANARY_BUCKET: BUCKET, CANARY_KEY: KEY, CANARY_ROLE: 'admin' }),
    ).toThrow(/CANARY_ROLE must be granted or ungranted, got "admin"/);
  });
});
