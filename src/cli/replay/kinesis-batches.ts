/**
 * Turns CloudTrail records into Kinesis batches shaped as Lambda receives them from the ingestion
 * stream, so that `replay` runs the validator on the same input as the deployed function.
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { CLOUDTRAIL_DETAIL_TYPE } from '../../domain/cloudtrail-input';
import type { SourceRecord } from './input-files';

/** A Kinesis event and the source of each record in it, by sequence number. */
export interface ReplayBatch {
  readonly event: KinesisStreamEvent;
  readonly sources: ReadonlyMap<string, SourceRecord>;
}

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/phi-guard-replay';
const SHARD_ID = 'shardId-000000000000';
/** Kinesis sequence numbers are decimal strings of up to 128 digits that grow within a shard. */
const FIRST_SEQUENCE_NUMBER = 49_660_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
/** Kinesis rejects partition keys longer than 256 Unicode characters. */
const MAX_PARTITION_KEY_LENGTH = 256;

/** Collects records into batches of at most `batchSize` Kinesis records, numbering them in order. */
export class KinesisBatchBuilder {
  private records: KinesisStreamRecord[] = [];
  private sources = new Map<string, SourceRecord>();
  private nextSequenceNumber = FIRST_SEQUENCE_NUMBER;

  constructor(private readonly batchSize: number) {}

  /** Adds a record and returns a full batch when this record filled one. */
  add(source: SourceRecord): ReplayBatch | undefined {
    const sequenceNumber = String(this.nextSequenceNumber);
    this.nextSequenceNumber += 1n;
    this.records.push(toKinesisRecord(source.record, sequenceNumber));
    this.sources.set(sequenceNumber, source);
    return this.records.length >= this.batchSize ? this.flush() : undefined;
  }

  /** Returns the records collected so far as a batch, or undefined when there are none. */
  flush(): ReplayBatch | undefined {
    if (this.records.length === 0) {
      return undefined;
    }
    const batch = { event: { Records: this.records }, sources: this.sources };
    this.records = [];
    this.sources = new Map();
    return batch;
  }
}

/**
 * Builds the Kinesis record that the EventBridge rule's target would write: the EventBridge event
 * (with the CloudTrail record as `detail`) as data, and the principal ARN as partition key.
 */
export function toKinesisRecord(record: unknown, sequenceNumber: string): KinesisStreamRecord {
  const event = toEventBridgeEvent(record);
  return {
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${SHARD_ID}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSourceARN: STREAM_ARN,
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/phi-guard-replay',
    awsRegion: 'us-east-1',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: partitionKeyOf(record),
      sequenceNumber,
      data: Buffer.from(JSON.stringify(event), 'utf8').toString('base64'),
      approximateArrivalTimestamp: arrivalTimeOf(record),
    },
  };
}

function toEventBridgeEvent(record: unknown): Record<string, unknown> {
  const fields = asObject(record);
  const eventSource = typeof fields.eventSource === 'string' ? fields.eventSource : 's3.amazonaws.com';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': CLOUDTRAIL_DETAIL_TYPE,
    source: `aws.${eventSource.split('.')[0]}`,
    account: fields.recipientAccountId ?? '000000000000',
    time: fields.eventTime ?? new Date().toISOString(),
    region: fields.awsRegion ?? 'us-east-1',
    resources: [],
    detail: record,
  };
}

/** Returns the principal ARN, as the rule's target sets it, or the account or principal id where CloudTrail gives no ARN. */
function partitionKeyOf(record: unknown): string {
  const identity = asObject(asObject(record).userIdentity);
  const candidates = [identity.arn, identity.accountId, identity.principalId, identity.invokedBy];
  const key = candidates.find((value): value is string => typeof value === 'string' && value.length > 0);
  return (key ?? 'unknown-principal').slice(0, MAX_PARTITION_KEY_LENGTH);
}

/** Returns seconds since the epoch, as Lambda gives `approximateArrivalTimestamp`. The event time is used in its place. */
function arrivalTimeOf(record: unknown): number {
  const eventTime = asObject(record).eventTime;
  const milliseconds = typeof eventTime === 'string' ? Date.parse(eventTime) : NaN;
  return (Number.isNaN(milliseconds) ? Date.now() : milliseconds) / 1000;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
