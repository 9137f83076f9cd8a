/**
 * A small HTTP client that signs every request with SigV4 (service `es`) and retries throttling and server
 * errors with exponential backoff. It uses Node's `http`/`https` modules so that tests can point it at a
 * plain-HTTP server on 127.0.0.1.
 */
import * as http from 'node:http';
import * as https from 'node:https';

/** The request shape that `@smithy/signature-v4` signs. */
export interface SignableRequest {
  readonly method: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  readonly query?: Record<string, string | string[] | null>;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Adds SigV4 headers to a request; `SignatureV4` from `@smithy/signature-v4` fits. */
export interface RequestSigner {
  sign(request: SignableRequest, options?: { signingDate?: Date }): Promise<SignableRequest>;
}

/** Time source and delay, injected so that tests neither wait nor depend on the wall clock. */
export interface Clock {
  now(): Date;
  sleep(milliseconds: number): Promise<void>;
}

export interface SignedClientOptions {
  /** Base URL of the domain, such as `https://search-x.us-east-1.es.amazonaws.com`. */
  readonly endpoint: URL;
  readonly signer: RequestSigner;
  readonly clock: Clock;
  /** Attempts per request, including the first. */
  readonly maxAttempts?: number;
  /** Delay before the first retry, in milliseconds; it doubles on each further retry. */
  readonly baseDelayMs?: number;
}

export interface ClientRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'PATCH';
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface ClientResponse {
  readonly statusCode: number;
  readonly body: string;
}

/** Raised when the domain returns a status that retrying cannot fix, or when the retries run out. */
export class OpenSearchRequestError extends Error {
  constructor(
    readonly request: ClientRequest,
    readonly statusCode: number,
    readonly responseBody: string,
  ) {
    super(`${request.method} ${request.path} failed with HTTP ${statusCode}: ${responseBody.slice(0, 500)}`);
    this.name = 'OpenSearchRequestError';
  }
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Sends SigV4-signed requests to one OpenSearch domain. */
export class SignedClient {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(private readonly options: SignedClientOptions) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
  }

  /**
   * Sends the request and returns the response, including 4xx responses that the caller may expect
   * (such as 404). Throttling (429), 5xx responses and connection errors are retried with backoff;
   * when the attempts run out, the last failure is thrown.
   */
  async send(request: ClientRequest): Promise<ClientResponse> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.sendOnce(request).catch((error: unknown) => error as Error);
      const retryable = outcome instanceof Error || RETRYABLE_STATUS.has(outcome.statusCode);
      if (!retryable) {
        return outcome;
      }

      if (attempt >= this.maxAttempts) {
        throw outcome instanceof Error
          ? outcome
          : new OpenSearchRequestError(request, outcome.statusCode, outcome.body);
      }

      await this.options.clock.sleep(this.baseDelayMs * 2 ** (attempt - 1));
    }
  }

  /** Sends the request and throws `OpenSearchRequestError` unless the status is 2xx. */
  async sendExpectingSuccess(request: ClientRequest): Promise<ClientResponse> {
    const response = await this.send(request);
    if (response.statusCode < 200 || response.statusCode > 299) {
      throw new OpenSearchRequestError(request, response.statusCode, response.body);
    }
    return response;
  }

  private async sendOnce(request: ClientRequest): Promise<ClientResponse> {
    const signed = await this.options.signer.sign(this.toSignable(request), {
      signingDate: this.options.clock.now(),
    });
    return transmit(signed);
  }

  private toSignable(request: ClientRequest): SignableRequest {
    const { endpoint } = this.options;
    const port = endpoint.port === '' ? undefined : Number(endpoint.port);
    const body = request.body ?? '';

    return {
      method: request.method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port,
      path: request.path,
      query: request.query,
      headers: {
        host: endpoint.host,
        'content-type': 'application/json',
        ...request.headers,
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    };
  }
}

function transmit(request: SignableRequest): Promise<ClientResponse> {
  const search = new URLSearchParams(request.query as Record<string, string> | undefined).toString();
  const transport = request.protocol === 'http:' ? http : https;

  return new Promise((resolve, reject) => {
    const outgoing = transport.request(
      {
        method: request.method,
        hostname: request.hostname,
        port: request.port,
        path: search === '' ? request.path : `${request.path}?${search}`,
        headers: request.headers,
        timeout: 30_000,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({ statusCode: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`Request to ${request.hostname} timed out.`)));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
