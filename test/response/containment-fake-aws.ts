/**
 * A stand-in for IAM and S3 on 127.0.0.1 for the containment tests. No local IAM or S3 exists here, so
 * this server speaks just enough of the IAM query API (inline user and role policies) and the S3
 * bucket policy API to keep state and record every request. It checks what the real services check
 * that matters to containment: JSON documents, and bucket policies with at least one statement.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_CREDENTIALS } from '../../src/local/local-dynamodb';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

export interface RecordedRequest {
  readonly service: 'iam' | 's3';
  /** IAM action, or the S3 operation (`GetBucketPolicy`, `PutBucketPolicy`, `DeleteBucketPolicy`). */
  readonly action: string;
  /** User, role or bucket name. */
  readonly target: string;
}

export interface FakeAws {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Inline policy documents (JSON text) by `user/NAME` or `role/NAME`, then by policy name. */
  readonly inlinePolicies: Map<string, Map<string, string>>;
  /** Bucket policies by bucket name, as JSON text. */
  readonly bucketPolicies: Map<string, string>;
  createClients(): { iam: IAMClient; s3: S3Client };
  stop(): Promise<void>;
}

export async function startFakeAws(): Promise<FakeAws> {
  const requests: RecordedRequest[] = [];
  const inlinePolicies = new Map<string, Map<string, string>>();
  const bucketPolicies = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        if (url.pathname === '/' && request.method === 'POST') {
          handleIam(new URLSearchParams(body), inlinePolicies, requests, response);
        } else {
          handleS3(request.method ?? 'GET', url, body, bucketPolicies, requests, response);
        }
      })
      .catch((error: unknown) => send(response, 500, `<Error><Message>${String(error)}</Message></Error>`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    requests,
    inlinePolicies,
    bucketPolicies,
    createClients: () => createClients(endpoint),
    stop: () => stopServer(server),
  };
}

function createClients(endpoint: string): { iam: IAMClient; s3: S3Client } {
  const common = { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
  return { iam: new IAMClient(common), s3: new S3Client({ ...common, forcePathStyle: true }) };
}

async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: string, type = 'text/xml'): void {
  response.writeHead(status, { 'content-type': type, 'x-amzn-requestid': 'fake-request-id' });
  response.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function iamResponse(action: string, result = ''): string {
  const resultElement = result ? `<${action}Result>${result}</${action}Result>` : '';
  return (
    `<${action}Response xmlns="${IAM_NAMESPACE}">${resultElement}` +
    `<ResponseMetadata><RequestId>fake-request-id</RequestId></ResponseMetadata></${action}Response>`
  );
}

function iamError(response: ServerResponse, status: number, code: string, message: string): void {
  const error = `<Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
  send(
    response,
    status,
    `<ErrorResponse xmlns="${IAM_NAMESPACE}">${error}<RequestId>fake-request-id</RequestId></ErrorResponse>`,
  );
}

function handleIam(
  params: URLSearchParams,
  policies: Map<string, Map<string, string>>,
  requests: RecordedRequest[],
  response: ServerResponse,
): void {
  const action = params.get('Action') ?? '';
  const entity = action.includes('User') ? 'user' : 'role';
  const name = params.get(entity === 'user' ? 'UserName' : 'RoleName') ?? '';
  const policyName = params.get('PolicyName') ?? '';
  const entityPolicies = policies.get(`${entity}/${name}`) ?? new Map<string, string>();
  requests.push({ service: 'iam', action, target: name });

  if (action.startsWith('Put')) {
    const document = params.get('PolicyDocument') ?? '';
    if (!isJson(document))
      return iamError(response, 400, 'MalformedPolicyDocument', 'Syntax errors in policy.');
    policies.set(`${entity}/${name}`, entityPolicies.set(policyName, document));
    return send(response, 200, iamResponse(action));
  }
  const document = entityPolicies.get(policyName);
  if (document === undefined) {
    return iamError(
      response,
      404,
      'NoSuchEntity',
      `The ${entity} policy with name ${policyName} cannot be found.`,
    );
  }
  if (action.startsWith('Delete')) {
    entityPolicies.delete(policyName);
    return send(response, 200, iamResponse(action));
  }
  const nameElement = entity === 'user' ? `<UserName>${name}</UserName>` : `<RoleName>${name}</RoleName>`;
  const result = `${nameElement}<PolicyName>${policyName}</PolicyName><PolicyDocument>${encodeURIComponent(document)}</PolicyDocument>`;
  send(response, 200, iamResponse(action, result));
}

function handleS3(
  method: string,
  url: URL,
  body: string,
  policies: Map<string, string>,
  requests: RecordedRequest[],
  response: ServerResponse,
): void {
  const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  if (!url.searchParams.has('policy')) {
    return send(response, 501, '<Error><Code>NotImplemented</Code></Error>');
  }
  const action =
    { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' }[method] ?? method;
  requests.push({ service: 's3', action, target: bucket });

  if (method === 'PUT') {
    if (!hasStatements(body))
      return s3Error(response, 400, 'MalformedPolicy', 'Policies must have statements.', bucket);
    policies.set(bucket, body);
    return send(response, 204, '');
  }
  if (method === 'DELETE') {
    policies.delete(bucket);
    return send(response, 204, '');
  }
  const policy = policies.get(bucket);
  if (policy === undefined)
    return s3Error(response, 404, 'NoSuchBucketPolicy', 'The bucket policy does not exist', bucket);
  send(response, 200, policy, 'application/json');
}

function s3Error(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  bucket: string,
): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><BucketName>${bucket}</BucketName><RequestId>fake-request-id</RequestId></Error>`;
  send(response, status, body, 'application/xml');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function hasStatements(text: string): boolean {
  if (!isJson(text)) return false;
  const statement = (JSON.parse(text) as { Statement?: unknown }).Statement;
  return Array.isArray(statement)
    ? statement.length > 0
    : typeof statement === 'object' && statement !== null;
}
