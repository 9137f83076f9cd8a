/**
 * Builds the EventBridge event that the ingestion rules would have put into the stream for a CloudTrail
 * record, and its partition key. Pure: no AWS imports.
 */
import { createHash } from 'node:crypto';
import { CLOUDTRAIL_DETAIL_TYPE } from '../domain/cloudtrail-input';
import { readObject, readString, type JsonObject } from '../domain/json-value';

/** An EventBridge event that carries one CloudTrail record in `detail`. */
export interface CloudTrailEventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': typeof CLOUDTRAIL_DETAIL_TYPE;
  readonly source: 'aws.s3';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: JsonObject;
}

/** A record for Kinesis PutRecords: the serialized event and the key the rule would have partitioned by. */
export interface StreamRecord {
  readonly eventId: string;
  readonly partitionKey: string;
  readonly data: string;
}

/**
 * Wraps a CloudTrail record in the EventBridge envelope. The envelope id is derived from the CloudTrail
 * event id, so re-injecting one event twice yields the same id. EventBridge writes `time` without
 * fractional seconds, and so does this function.
 */
export function toEventBridgeEvent(record: JsonObject): CloudTrailEventBridgeEvent {
  const eventId = readString(record, 'eventID') ?? '';
  const eventTime = readString(record, 'eventTime') ?? '';
  return {
    version: '0',
    id: uuidFromText(`phi-guard-reconcile:${eventId}`),
    'detail-type': CLOUDTRAIL_DETAIL_TYPE,
    source: 'aws.s3',
    account: readString(record, 'recipientAccountId') ?? '',
    time: eventTime.replace(/\.\d+Z$/, 'Z'),
    region: readString(record, 'awsRegion') ?? '',
    resources: [],
    detail: record,
  };
}

/**
 * Builds the stream record of one CloudTrail record. The partition key is the principal ARN, as the
 * principal rule sets it. An event without one (anonymous requests, AWS services) is keyed by its
 * envelope id, as the other rule does.
 */
export function toStreamRecord(eventId: string, record: JsonObject): StreamRecord {
  const event = toEventBridgeEvent(record);
  const principalArn = readString(readObject(record, 'userIdentity'), 'arn');
  return { eventId, partitionKey: principalArn ?? event.id, data: JSON.stringify(event) };
}

/** Formats the first 16 bytes of the SHA-256 of `text` as a version 4 style UUID. */
function uuidFromText(text: string): string {
  const bytes = createHash('sha256').update(text).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
