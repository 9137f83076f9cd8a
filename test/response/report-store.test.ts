import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCAL_CREDENTIALS } from '../../src/local/local-dynamodb';
import {
  FileSystemReportStore,
  S3ReportStore,
  parseObjectLockMode,
  retentionRecordKey,
  sha256Base64,
  type ReportFiles,
} from '../../src/response/report-store';

const FILES: ReportFiles = {
  jsonKey: 'reports/2025/03/01/inc-20250301T100000Z-0123456789abcdef01234567.json',
  markdownKey: 'reports/2025/03/01/inc-20250301T100000Z-0123456789abcdef01234567.md',
  json: '{"incident":{"incidentId":"inc-20250301T100000Z-0123456789abcdef01234567"},"schemaVersion":1}',
  markdown: '# Incident report inc-20250301T100000Z-0123456789abcdef01234567\n\nSeverity: médium\n',
  retainUntil: new Date('2031-02-28T10:06:00.000Z'),
};

interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Records requests and answers each with 200. No local S3 with Object Lock runs here, so this server
 * checks the request the SDK sends instead of S3's response to it.
 */
async function startRecordingServer(): Promise<{
  server: Server;
  endpoint: string;
  requests: RecordedRequest[];
}> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(200, { ETag: '"0123456789abcdef"' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}`, requests };
}

describe('S3ReportStore', () => {
  it('sends checksum and Object Lock headers', async () => {
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const { server, endpoint, requests } = await startRecordingServer();
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
    });

    try {
      await new S3ReportStore(client, 'example-evidence', 'COMPLIANCE').write(FILES);
    } finally {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }

    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `PUT /example-evidence/${FILES.jsonKey}?x-id=PutObject`,
      `PUT /example-evidence/${FILES.markdownKey}?x-id=PutObject`,
    ]);
    const bodies = [FILES.json, FILES.markdown];
    requests.forEach((request, index) => {
      expect(request.body).toBe(bodies[index]);
      expect(request.headers['x-amz-checksum-sha256']).toBe(sha256Base64(bodies[index]));
      expect(request.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE');
      expect(request.headers['x-amz-object-lock-retain-until-date']).toBe('2031-02-28T10:06:00Z');
    });
    expect(requests[0].headers['content-type']).toBe('application/json');
    expect(requests[1].headers['content-type']).toBe('text/markdown; charset=utf-8');
  });
});

describe('FileSystemReportStore', () => {
  it('writes both files and retention', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'phi-guard-reports-'));
    try {
      await new FileSystemReportStore(directory, 'GOVERNANCE').write(FILES);

      expect(await readFile(path.join(directory, FILES.jsonKey), 'utf8')).toBe(FILES.json);
      expect(await readFile(path.join(directory, FILES.markdownKey), 'utf8')).toBe(FILES.markdown);
      const retention = JSON.parse(
        await readFile(path.join(directory, retentionRecordKey(FILES.jsonKey)), 'utf8'),
      );
      expect(retention).toEqual({
        objectLockMode: 'GOVERNANCE',
        retainUntil: '2031-02-28T10:06:00.000Z',
        checksumSha256: {
          [FILES.jsonKey]: sha256Base64(FILES.json),
          [FILES.markdownKey]: sha256Base64(FILES.markdown),
        },
      });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('parseObjectLockMode', () => {
  it.each([
    ['COMPLIANCE', 'COMPLIANCE'],
    ['governance', 'GOVERNANCE'],
  ])('accepts %s', (text, mode) => {
    expect(parseObjectLockMode(text)).toBe(mode);
  });

  it.each([undefined, '', 'LEGAL_HOLD'])('rejects %j', (text) => {
    expect(() => parseObjectLockMode(text)).toThrow(/expected COMPLIANCE or GOVERNANCE/);
  });
});
