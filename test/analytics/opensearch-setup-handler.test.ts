/**
 * Runs the opensearch-setup steps against a local HTTP server on 127.0.0.1 that records every request.
 * The server replaces an OpenSearch domain, because no OpenSearch can run here. It responds the way the
 * security, index template, ISM and Dashboards import APIs do.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { runSetup } from '../../src/opensearch-setup/run-setup';
import {
  buildIndexTemplate,
  buildIsmPolicy,
  SetupSettings,
} from '../../src/opensearch-setup/setup-documents';
import { Clock, OpenSearchRequestError, SignedClient } from '../../src/opensearch-setup/signed-client';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

type Responder = (request: RecordedRequest) => { status: number; body: unknown } | undefined;

const SETTINGS: SetupSettings = {
  writerRoleArn: 'arn:aws:iam::111122223333:role/phi-guard-decisions-delivery',
  analystRoleArn: 'arn:aws:iam::111122223333:role/phi-guard-analyst',
  retentionDays: 400,
};
const SIGNING_DATE = new Date('2025-03-04T05:06:07Z');

let server: http.Server;
let requests: RecordedRequest[];
let responders: Responder[];
let sleeps: number[];

beforeAll(async () => {
  server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const answer = responders.map((responder) => responder(request)).find((result) => result !== undefined);
      const { status, body } = answer ?? defaultAnswer(request);
      outgoing.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  responders = [];
  sleeps = [];
});

function defaultAnswer(request: RecordedRequest): { status: number; body: unknown } {
  if (request.method === 'GET' && request.url.startsWith('/_plugins/_ism/policies/')) {
    return { status: 404, body: { error: 'not found' } };
  }
  if (request.url.startsWith('/_dashboards/api/saved_objects/_import')) {
    return { status: 200, body: { success: true, successCount: 8 } };
  }
  return { status: 200, body: { acknowledged: true } };
}

function createClient(): SignedClient {
  const { port } = server.address() as AddressInfo;
  const signer = new SignatureV4({
    service: 'es',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret-key' },
    sha256: Sha256,
  });
  const clock: Clock = {
    now: () => SIGNING_DATE,
    sleep: async (milliseconds) => void sleeps.push(milliseconds),
  };
  return new SignedClient({ endpoint: new URL(`http://127.0.0.1:${port}`), signer, clock, baseDelayMs: 100 });
}

function requestLine(request: RecordedRequest): string {
  return `${request.method} ${request.url}`;
}

describe('opensearch-setup on Create', () => {
  beforeEach(async () => {
    await runSetup('Create', SETTINGS, createClient());
  });

  test('sends every step in order', () => {
    expect(requests.map(requestLine)).toEqual([
      'PUT /_plugins/_security/api/roles/phi_guard_writer',
      'PUT /_plugins/_security/api/roles/phi_guard_analyst',
      'PUT /_plugins/_security/api/rolesmapping/phi_guard_writer',
      'PUT /_plugins/_security/api/rolesmapping/phi_guard_analyst',
      'PUT /_plugins/_security/api/rolesmapping/opensearch_dashboards_read_only',
      'PUT /_index_template/phi-decisions',
      'GET /_plugins/_ism/policies/phi-decisions-retention',
      'PUT /_plugins/_ism/policies/phi-decisions-retention',
      'POST /_dashboards/api/saved_objects/_import?overwrite=true',
    ]);
  });

  test('signs every request with SigV4', () => {
    for (const request of requests) {
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20250304\/us-east-1\/es\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
      );
      expect(request.headers['x-amz-date']).toBe('20250304T050607Z');
      // The signed payload hash must match the bytes that arrived, or OpenSearch rejects the signature.
      expect(request.headers['x-amz-content-sha256']).toBe(
        createHash('sha256').update(request.body).digest('hex'),
      );
    }
  });

  test('maps roles to IAM role ARNs', () => {
    const mappings = requests.filter((request) => request.url.includes('/rolesmapping/'));
    const bodies = Object.fromEntries(
      mappings.map((request) => [request.url.split('/').pop(), JSON.parse(request.body)]),
    );
    expect(bodies).toEqual({
      phi_guard_writer: { backend_roles: [SETTINGS.writerRoleArn] },
      phi_guard_analyst: { backend_roles: [SETTINGS.analystRoleArn] },
      opensearch_dashboards_read_only: { backend_roles: [SETTINGS.analystRoleArn] },
    });
  });

  test('writer role limited to decision indices', () => {
    const writer = requests.find((request) => request.url.endsWith('/roles/phi_guard_writer'));
    const role = JSON.parse(writer?.body ?? '{}');
    expect(role.index_permissions).toEqual([
      {
        index_patterns: ['phi-decisions-*'],
        allowed_actions: ['crud', 'create_index', 'indices:admin/mappings/get', 'indices_monitor'],
      },
    ]);
    expect(role.cluster_permissions).not.toContain('cluster_all');
  });

  test('analyst role is read-only', () => {
    const analyst = requests.find((request) => request.url.endsWith('/roles/phi_guard_analyst'));
    const role = JSON.parse(analyst?.body ?? '{}');
    const actions: string[] = role.index_permissions.flatMap(
      (permission: { allowed_actions: string[] }) => permission.allowed_actions,
    );
    expect(actions).toEqual(['read', 'indices:admin/mappings/get']);
    expect(role.cluster_permissions).toEqual(['cluster_composite_ops_ro']);
  });

  test('sends index template and ISM policy', () => {
    const template = requests.find((request) => request.url === '/_index_template/phi-decisions');
    expect(JSON.parse(template?.body ?? '{}')).toEqual(buildIndexTemplate());

    const policy = requests.find(
      (request) => request.method === 'PUT' && request.url.startsWith('/_plugins/_ism'),
    );
    expect(JSON.parse(policy?.body ?? '{}')).toEqual(buildIsmPolicy(400));
    expect(JSON.parse(policy?.body ?? '{}').policy.states[0].transitions[0].conditions.min_index_age).toBe(
      '400d',
    );
  });

  test('imports saved objects as multipart', () => {
    const importRequest = requests.find((request) => request.url.startsWith('/_dashboards/'));
    expect(importRequest?.headers['osd-xsrf']).toBe('true');
    expect(importRequest?.headers.securitytenant).toBe('global');
    expect(importRequest?.headers['content-type']).toBe(
      'multipart/form-data; boundary=phi-guard-saved-objects-boundary',
    );

    const body = importRequest?.body ?? '';
    expect(body).toContain('Content-Disposition: form-data; name="file"; filename="phi-guard.ndjson"');
    const ndjson = body.split('\r\n\r\n')[1].split('\r\n--phi-guard-saved-objects-boundary--')[0];
    const types = ndjson
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).type);
    expect(types).toEqual(['index-pattern', ...Array(6).fill('visualization'), 'dashboard']);
  });
});

describe('opensearch-setup retries and errors', () => {
  test('retries 5xx and throttling', async () => {
    let failures = 0;
    responders.push((request) => {
      if (request.url.endsWith('/roles/phi_guard_writer') && failures < 2) {
        failures++;
        return failures === 1 ? { status: 503, body: { error: 'unavailable' } } : { status: 429, body: {} };
      }
      return undefined;
    });

    await runSetup('Create', SETTINGS, createClient());

    const writerAttempts = requests.filter((request) => request.url.endsWith('/roles/phi_guard_writer'));
    expect(writerAttempts).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  test('gives up after max attempts', async () => {
    responders.push((request) =>
      request.url.endsWith('/roles/phi_guard_writer') ? { status: 500, body: { error: 'boom' } } : undefined,
    );

    await expect(runSetup('Create', SETTINGS, createClient())).rejects.toThrow(
      'PUT /_plugins/_security/api/roles/phi_guard_writer failed with HTTP 500',
    );
    expect(requests).toHaveLength(6);
    expect(sleeps).toEqual([100, 200, 400, 800, 1600]);
  });

  test('rejects client errors without retry', async () => {
    responders.push((request) =>
      request.url === '/_index_template/phi-decisions'
        ? { status: 400, body: { error: 'bad mapping' } }
        : undefined,
    );

    const outcome = runSetup('Create', SETTINGS, createClient());

    await expect(outcome).rejects.toBeInstanceOf(OpenSearchRequestError);
    await expect(outcome).rejects.toThrow('bad mapping');
    expect(requests.filter((request) => request.url === '/_index_template/phi-decisions')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test('import failure reported', async () => {
    responders.push((request) =>
      request.url.startsWith('/_dashboards/')
        ? {
            status: 200,
            body: { success: false, errors: [{ id: 'phi-guard-overview', error: { type: 'conflict' } }] },
          }
        : undefined,
    );

    await expect(runSetup('Create', SETTINGS, createClient())).rejects.toThrow('phi-guard-overview');
  });
});

describe('opensearch-setup on Update and Delete', () => {
  test('Update replaces ISM policy', async () => {
    responders.push((request) =>
      request.method === 'GET' && request.url.startsWith('/_plugins/_ism/')
        ? { status: 200, body: { _id: 'phi-decisions-retention', _seq_no: 7, _primary_term: 2, policy: {} } }
        : undefined,
    );

    await runSetup('Update', { ...SETTINGS, retentionDays: 30 }, createClient());

    const put = requests.find(
      (request) => request.method === 'PUT' && request.url.startsWith('/_plugins/_ism/'),
    );
    expect(put?.url).toBe('/_plugins/_ism/policies/phi-decisions-retention?if_seq_no=7&if_primary_term=2');
    expect(JSON.parse(put?.body ?? '{}').policy.states[0].transitions[0].conditions.min_index_age).toBe(
      '30d',
    );
  });

  test('Delete sends no request', async () => {
    await runSetup('Delete', SETTINGS, createClient());

    expect(requests).toEqual([]);
  });

  test('no step deletes data', async () => {
    await runSetup('Create', SETTINGS, createClient());
    await runSetup('Update', SETTINGS, createClient());
    await runSetup('Delete', SETTINGS, createClient());

    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((request) => request.method === 'DELETE')).toEqual([]);
  });
});
