import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { StreamRecord } from '../envelope';

/** PutRecords accepts at most 500 records per call. */
const PUT_RECORDS_LIMIT = 500;

export interface KinesisReinjectorOptions {
  readonly client: KinesisClient;
  /** Name of the ingestion stream. */
  readonly streamName: string;
  /** Calls per chunk before the records that keep failing are reported. @default 5 */
  readonly maxAttempts?: number;
  /** First retry delay; it doubles with each retry. @default 200 */
  readonly baseDelayMs?: number;
}

/** Some records were still rejected after every attempt; their event ids are listed. */
export class ReinjectionError extends Error {
  constructor(readonly failedEventIds: readonly string[]) {
    super(`Kinesis rejected ${failedEventIds.length} re-injected records after every retry.`);
    this.name = 'ReinjectionError';
  }
}

/**
 * Puts records into the stream with PutRecords, 500 per call, and retries the entries that Kinesis
 * rejected (throttling, internal failures) with exponential backoff.
 */
export class KinesisReinjector {
  constructor(private readonly options: KinesisReinjectorOptions) {}

  async put(records: readonly StreamRecord[]): Promise<void> {
    const failed: string[] = [];
    for (let start = 0; start < records.length; start += PUT_RECORDS_LIMIT) {
      failed.push(...(await this.putChunk(records.slice(start, start + PUT_RECORDS_LIMIT))));
    }
    if (failed.length > 0) {
      throw new ReinjectionError(failed);
    }
  }

  /** Returns the event ids that were still rejected after the last attempt. */
  private async putChunk(chunk: readonly StreamRecord[]): Promise<string[]> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    let pending = [...chunk];
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) {
        await new Promise((resolve) =>
          setTimeout(resolve, (this.options.baseDelayMs ?? 200) * 2 ** (attempt - 2)),
        );
      }
      const output = await this.options.client.send(
        new PutRecordsCommand({ StreamName: this.options.streamName, Records: pending.map(toEntry) }),
      );
      const results = output.Records ?? [];
      pending = pending.filter((_record, index) => results[index]?.ErrorCode !== undefined);
    }
    return pending.map((record) => record.eventId);
  }
}

function toEntry(record: StreamRecord): PutRecordsRequestEntry {
  return { PartitionKey: record.partitionKey, Data: Buffer.from(record.data, 'utf8') };
}
