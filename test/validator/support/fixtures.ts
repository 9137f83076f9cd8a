/**
 * Invented CloudTrail, Kinesis and grant fixtures in the shapes AWS writes them. Account ids, names and
 * addresses are reserved example values.
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { Grant } from '../../../src/domain/types';
import { ACCOUNT_ID, bucketResource, buildS3DataEvent, s3Host } from '../../support/cloudtrail-records';

export { ACCOUNT_ID };
export const OTHER_ACCOUNT_ID = '444455556666';
export const PHI_BUCKET = 'example-phi-records';
export const OTHER_BUCKET = 'example-build-artifacts';
export const STREAM_ARN = `arn:aws:kinesis:us-east-1:${ACCOUNT_ID}:stream/phi-guard-events`;

export const CLINICIAN_ROLE_KEY = `arn:aws:iam::${ACCOUNT_ID}:role/clinician`;
export const ANALYST_USER_KEY = `arn:aws:iam::${ACCOUNT_ID}:user/analyst`;

export function assumedRoleIdentity(roleName: string, sessionName: string): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLEID0001:${sessionName}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/${sessionName}`,
    accountId: ACCOUNT_ID,
    accessKeyId: 'ASIAEXAMPLEKEYID0001',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLEID0001',
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`,
        accountId: ACCOUNT_ID,
        userName: roleName,
      },
      attributes: { creationDate: '2025-03-01T08:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

export function iamUserIdentity(userName: string): Record<string, unknown> {
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEUSERID0001',
    arn: `arn:aws:iam::${ACCOUNT_ID}:user/${userName}`,
    accountId: ACCOUNT_ID,
    accessKeyId: 'AKIAEXAMPLEKEYID0001',
    userName,
  };
}

export function awsServiceIdentity(service: string): Record<string, unknown> {
  return { type: 'AWSService', invokedBy: service };
}

export interface DataEventOptions {
  readonly eventId: string;
  readonly identity: Record<string, unknown>;
  readonly eventName?: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly eventTime?: string;
  readonly errorCode?: string;
}

/** Builds a CloudTrail S3 data event for one object, in the shape CloudTrail records GetObject and PutObject. */
export function s3DataEvent(options: DataEventOptions): Record<string, unknown> {
  return buildS3DataEvent({
    ...options,
    bucket: options.bucket ?? PHI_BUCKET,
    key: options.key ?? 'patients/0001/chart.pdf',
    eventTime: options.eventTime ?? '2025-03-01T10:00:00Z',
    sourceIPAddress: '198.51.100.24',
    userAgent: '[aws-sdk-js/3.700.0]',
    requestId: 'EXAMPLEREQUEST01',
  });
}

/** Builds an S3 management event (GetBucketPolicy), which the validator skips. */
export function managementEvent(eventId: string): Record<string, unknown> {
  const base = s3DataEvent({
    eventId,
    identity: iamUserIdentity('analyst'),
    eventName: 'GetBucketPolicy',
    eventTime: '2025-03-01T09:59:00Z',
  });
  return {
    ...base,
    eventVersion: '1.09',
    requestParameters: { bucketName: PHI_BUCKET, policy: '', Host: s3Host(PHI_BUCKET) },
    resources: [bucketResource(PHI_BUCKET)],
    managementEvent: true,
    eventCategory: 'Management',
  };
}

/** Wraps a CloudTrail record in the event that an EventBridge rule puts on the Kinesis stream. */
export function eventBridgeEnvelope(record: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: `eb-${String(record.eventID)}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.s3',
    account: ACCOUNT_ID,
    time: record.eventTime,
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

let sequenceCounter = 0;

/** Returns a new Kinesis sequence number; numbers grow within a test file, as they do within a shard. */
export function nextSequenceNumber(): string {
  sequenceCounter += 1;
  return `4959033827149025660855969253836157109592157598913${String(sequenceCounter).padStart(7, '0')}`;
}

/** Builds a Kinesis record as Lambda delivers it. `payload` is JSON-encoded unless it is already a string. */
export function kinesisRecord(payload: unknown, sequenceNumber = nextSequenceNumber()): KinesisStreamRecord {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return kinesisRecordWithData(Buffer.from(text, 'utf8').toString('base64'), sequenceNumber);
}

export function kinesisRecordWithData(
  data: string,
  sequenceNumber = nextSequenceNumber(),
): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'partition-0001',
      sequenceNumber,
      data,
      approximateArrivalTimestamp: 1740823201.123,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${ACCOUNT_ID}:role/phi-guard-validator`,
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
  };
}

export function kinesisEvent(records: readonly KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: [...records] };
}

/** Builds a grant of read and list on the whole PHI bucket for all of 2025, with optional changes. */
export function makeGrant(overrides: Partial<Grant> & Pick<Grant, 'grantId' | 'principalKey'>): Grant {
  return {
    principal: overrides.principalKey,
    bucket: PHI_BUCKET,
    prefix: '*',
    actions: ['read', 'list'],
    notBefore: '2025-01-01T00:00:00Z',
    expiresAt: '2026-01-01T00:00:00Z',
    purpose: 'treatment',
    breakGlass: false,
    ...overrides,
  };
}
