import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import type { Decision } from '../domain/types';
import { DEFAULT_RETRY, backoffDelayMs, sleep, type RetryOptions } from '../grants/retry';
import { DecisionPublishError, type DecisionPublisher } from './ports';

/** PutRecordBatch limits (Amazon Data Firehose API reference): 500 records and 4 MiB per call, 1,000 KiB per record. */
export const FIREHOSE_LIMITS = {
  maxRecords: 500,
  maxBatchBytes: 4 * 1024 * 1024,
  maxRecordBytes: 1000 * 1024,
};

export interface FirehoseDecisionPublisherOptions {
  readonly client: FirehoseClient;
  readonly deliveryStreamName: string;
  /** Retries of records that PutRecordBatch reports with an ErrorCode. */
  readonly retry?: RetryOptions;
}

interface EncodedDecision {
  readonly decisionId: string;
  readonly data: Uint8Array;
}

/** Failure of one record after the last attempt. */
interface RecordFailure {
  readonly decisionId: string;
  readonly reason: string;
}

/**
 * Publishes decisions to a Firehose delivery stream as newline-terminated JSON documents, one per record.
 * Records that PutRecordBatch rejects (ErrorCode in RequestResponses) are retried with backoff; errors of
 * the call itself are left to the SDK's retry strategy.
 */
export class FirehoseDecisionPublisher implements DecisionPublisher {
  private readonly retry: Required<RetryOptions>;

  constructor(private readonly options: FirehoseDecisionPublisherOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** @throws DecisionPublishError naming every decision that was not accepted. */
  async publish(decisions: readonly Decision[]): Promise<void> {
    const failures: RecordFailure[] = [];
    const encoded: EncodedDecision[] = [];
    for (const decision of decisions) {
      const data = Buffer.from(`${JSON.stringify(decision)}\n`, 'utf8');
      if (data.length > FIREHOSE_LIMITS.maxRecordBytes) {
        failures.push({
          decisionId: decision.decisionId,
          reason: `record of ${data.length} bytes exceeds 1,000 KiB`,
        });
      } else {
        encoded.push({ decisionId: decision.decisionId, data });
      }
    }

    for (const chunk of chunkForPutRecordBatch(encoded)) {
      failures.push(...(await this.putChunk(chunk)));
    }
    if (failures.length > 0) {
      throw publishError(this.options.deliveryStreamName, decisions.length, failures);
    }
  }

  private async putChunk(chunk: readonly EncodedDecision[]): Promise<RecordFailure[]> {
    let pending = chunk;
    let failures: RecordFailure[] = [];
    for (let attempt = 1; attempt <= this.retry.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) {
        await sleep(backoffDelayMs(attempt - 1, this.retry));
      }
      try {
        failures = await this.putOnce(pending);
      } catch (error) {
        return pending.map((record) => ({ decisionId: record.decisionId, reason: (error as Error).message }));
      }
      const failedIds = new Set(failures.map((failure) => failure.decisionId));
      pending = pending.filter((record) => failedIds.has(record.decisionId));
    }
    return failures;
  }

  /** Sends one PutRecordBatch call and returns the records reported with an ErrorCode. */
  private async putOnce(records: readonly EncodedDecision[]): Promise<RecordFailure[]> {
    const output = await this.options.client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: this.options.deliveryStreamName,
        Records: records.map((record) => ({ Data: record.data })),
      }),
    );
    const responses = output.RequestResponses ?? [];
    if (responses.length !== records.length) {
      throw new Error(`PutRecordBatch returned ${responses.length} responses for ${records.length} records.`);
    }
    return records.flatMap((record, index) => {
      const response = responses[index];
      return response.ErrorCode === undefined
        ? []
        : [
            {
              decisionId: record.decisionId,
              reason: `${response.ErrorCode}: ${response.ErrorMessage ?? ''}`,
            },
          ];
    });
  }
}

/** Splits records into PutRecordBatch calls of at most 500 records and 4 MiB. */
export function chunkForPutRecordBatch<T extends { readonly data: Uint8Array }>(
  records: readonly T[],
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const record of records) {
    const full =
      current.length === FIREHOSE_LIMITS.maxRecords ||
      currentBytes + record.data.length > FIREHOSE_LIMITS.maxBatchBytes;
    if (full && current.length > 0) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(record);
    currentBytes += record.data.length;
  }
  if (current.length > 0) {
    chunks.push(current);
  }
  return chunks;
}

function publishError(
  streamName: string,
  total: number,
  failures: readonly RecordFailure[],
): DecisionPublishError {
  const firstReason = failures[0].reason;
  return new DecisionPublishError(
    `Failed to publish ${failures.length} of ${total} decisions to delivery stream ${streamName} ` +
      `(first failure: ${firstReason}).`,
    failures.map((failure) => failure.decisionId),
  );
}
