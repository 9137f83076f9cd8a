import { FirehoseClient } from '@aws-sdk/client-firehose';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Decision } from '../../src/domain/types';
import { LOCAL_CREDENTIALS } from '../../src/local/local-dynamodb';
import { FirehoseDecisionPublisher, chunkForPutRecordBatch } from '../../src/validator/firehose-publisher';
import { DecisionPublishError } from '../../src/validator/ports';
import {
  startRecordingHttpServer,
  type RecordedRequest,
  type RecordingHttpServer,
} from './support/recording-http-server';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

function decision(index: number): Decision {
  return {
    decisionId: `ev-${index}#0`,
    eventId: `ev-${index}`,
    eventTime: '2025-03-01T10:00:00Z',
    decidedAt: '2025-03-01T10:00:05Z',
    principal: 'arn:aws:iam::111122223333:user/analyst',
    principalKey: 'arn:aws:iam::111122223333:user/analyst',
    identityType: 'IAMUser',
    eventName: 'GetObject',
    action: 'read',
    bucket: 'example-phi-records',
    key: `patients/${index}/chart.pdf`,
    decision: 'authorized',
    reason: 'Grant g-1 allows read on all of bucket example-phi-records for treatment.',
    grantId: 'g-1',
  };
}

function recordsOf(request: RecordedRequest): string[] {
  const records = request.body.Records as { Data: string }[];
  return records.map((record) => Buffer.from(record.Data, 'base64').toString('utf8'));
}

/** Builds a PutRecordBatch response in the shape of the Amazon Data Firehose API reference. */
function putRecordBatchResponse(total: number, failedIndexes: ReadonlySet<number>) {
  return {
    body: {
      FailedPutCount: failedIndexes.size,
      Encrypted: false,
      RequestResponses: Array.from({ length: total }, (_, index) =>
        failedIndexes.has(index)
          ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
          : { RecordId: `record-${index}` },
      ),
    },
  };
}

let server: RecordingHttpServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function publisherFor(endpoint: string): FirehoseDecisionPublisher {
  const client = new FirehoseClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
  });
  return new FirehoseDecisionPublisher({
    client,
    deliveryStreamName: 'phi-guard-decisions',
    retry: FAST_RETRY,
  });
}

describe('FirehoseDecisionPublisher', () => {
  it('sends newline-terminated JSON records', async () => {
    server = await startRecordingHttpServer((request) =>
      putRecordBatchResponse(recordsOf(request).length, new Set()),
    );
    const decisions = [decision(1), decision(2)];
    await publisherFor(server.endpoint).publish(decisions);

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].target).toBe('Firehose_20150804.PutRecordBatch');
    expect(server.requests[0].body.DeliveryStreamName).toBe('phi-guard-decisions');
    expect(recordsOf(server.requests[0])).toEqual(decisions.map((item) => `${JSON.stringify(item)}\n`));
  });

  it('retries records with an ErrorCode', async () => {
    // The first call rejects records 1 and 3; the retry accepts both.
    server = await startRecordingHttpServer((request, index) =>
      putRecordBatchResponse(recordsOf(request).length, index === 0 ? new Set([1, 3]) : new Set()),
    );
    const decisions = [0, 1, 2, 3].map(decision);
    await publisherFor(server.endpoint).publish(decisions);

    expect(server.requests).toHaveLength(2);
    expect(recordsOf(server.requests[1]).map((text) => (JSON.parse(text) as Decision).decisionId)).toEqual([
      'ev-1#0',
      'ev-3#0',
    ]);
  });

  it('fails after the last attempt', async () => {
    server = await startRecordingHttpServer((request) => {
      const count = recordsOf(request).length;
      // Record 0 of every call fails, so the first decision never gets through.
      return putRecordBatchResponse(count, new Set([0]));
    });
    const error = await publisherFor(server.endpoint)
      .publish([decision(7), decision(8)])
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DecisionPublishError);
    expect((error as DecisionPublishError).failedDecisionIds).toEqual(['ev-7#0']);
    expect((error as Error).message).toMatch(/ServiceUnavailableException/);
    expect(server.requests).toHaveLength(FAST_RETRY.maxAttempts);
  });

  it('call error fails its chunk', async () => {
    server = await startRecordingHttpServer(() => ({
      status: 400,
      body: { __type: 'ResourceNotFoundException', message: 'Firehose phi-guard-decisions not found.' },
    }));
    const error = await publisherFor(server.endpoint)
      .publish([decision(1)])
      .catch((caught: unknown) => caught);
    expect((error as DecisionPublishError).failedDecisionIds).toEqual(['ev-1#0']);
    expect((error as Error).message).toMatch(/not found/);
  });

  it('chunks by count and size', () => {
    const small = Array.from({ length: 1201 }, () => ({ data: new Uint8Array(10) }));
    expect(chunkForPutRecordBatch(small).map((chunk) => chunk.length)).toEqual([500, 500, 201]);

    const large = Array.from({ length: 9 }, () => ({ data: new Uint8Array(1000 * 1024) }));
    // 4 MiB fits four records of 1,000 KiB.
    expect(chunkForPutRecordBatch(large).map((chunk) => chunk.length)).toEqual([4, 4, 1]);
  });
});
