/**
 * Malformed and unusual Kinesis records for the validator, each with the outcome it must get. A `decided`
 * record yields at least one decision, and a `skipped` one is valid with nothing to decide. A `rejected`
 * record is logged as invalid and reported as a batch item failure, so it reaches the on-failure destination.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import {
  OTHER_BUCKET,
  assumedRoleIdentity,
  eventBridgeEnvelope,
  kinesisRecord,
  kinesisRecordWithData,
  managementEvent,
  s3DataEvent,
} from '../../validator/support/fixtures';
import {
  anonymousIdentity,
  crossAccountIdentity,
  federatedUserIdentity,
  identityCenterUserIdentity,
  roleSessionIdentity,
  rootIdentity,
  serviceLinkedRoleIdentity,
  unknownTypeIdentity,
} from './identities';
import type { RecordOutcome } from './validator-harness';
import {
  bucketLevelEvent,
  clerkRead,
  copyObjectEvent,
  deleteObjectsEvent,
  kmsDecryptEvent,
  listBucketsEvent,
  listObjectsEvent,
  logFile,
  networkActivityEvent,
  nextEventId,
  without,
} from './unusual-records';

export interface RecordCase {
  readonly name: string;
  readonly expected: RecordOutcome;
  /** Pattern of the logged reason of a rejected record. */
  readonly reason?: RegExp;
  /** Decisions the record yields. @default 1 when decided, else 0 */
  readonly decisions?: number;
  readonly build: () => KinesisStreamRecord;
}

const NOT_BASE64 = /kinesis\.data is not valid base64/;

const base64 = (bytes: Buffer): string => bytes.toString('base64');

/** Encodes a valid record in the URL-safe base64 alphabet, which Kinesis never uses. */
function urlSafeBase64(): string {
  const standard = base64(Buffer.from(JSON.stringify(clerkRead({}, 'patients/???>>>/a.pdf'))));
  if (!/[+/]/.test(standard)) {
    throw new Error('The record encodes without + or /, so its URL-safe form would be identical.');
  }
  return standard.replace(/\+/g, '-').replace(/\//g, '_');
}
const json = (value: unknown): KinesisStreamRecord => kinesisRecord(value);
const text = (value: string): KinesisStreamRecord => kinesisRecord(value);
const withIdentity = (identity: Record<string, unknown>): KinesisStreamRecord =>
  json(s3DataEvent({ eventId: nextEventId(), identity }));

/** A key of exactly 1,024 UTF-8 bytes, the longest key S3 accepts. */
const longAsciiKey = `patients/${'a'.repeat(1024 - 'patients/'.length)}`;
/** 339 three-byte characters after a 7-byte prefix: 1,024 bytes in UTF-8 but only 346 UTF-16 units. */
const longMultiByteKey = `images/${'\u20ac'.repeat(339)}`;

const transportCases: RecordCase[] = [
  {
    name: 'data that is not base64',
    expected: 'rejected',
    reason: NOT_BASE64,
    build: () => kinesisRecordWithData('%%% not base64 %%%'),
  },
  {
    name: 'base64 with broken padding',
    expected: 'rejected',
    reason: NOT_BASE64,
    build: () => kinesisRecordWithData('eyJh='),
  },
  {
    name: 'base64 with padding inside',
    expected: 'rejected',
    reason: NOT_BASE64,
    build: () => kinesisRecordWithData('eyJh==eyJh'),
  },
  {
    name: 'URL-safe base64',
    expected: 'rejected',
    reason: NOT_BASE64,
    build: () => kinesisRecordWithData(urlSafeBase64()),
  },
  {
    name: 'base64 with line breaks',
    expected: 'rejected',
    reason: NOT_BASE64,
    build: () =>
      kinesisRecordWithData(base64(Buffer.from(JSON.stringify(clerkRead()))).replace(/(.{76})/g, '$1\n')),
  },
  { name: 'empty data', expected: 'rejected', build: () => kinesisRecordWithData('') },
  {
    name: 'bytes that are not UTF-8',
    expected: 'rejected',
    build: () => kinesisRecordWithData(base64(Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28]))),
  },
  {
    name: 'gzipped CloudTrail log file',
    expected: 'rejected',
    build: () => kinesisRecordWithData(base64(gzipSync(JSON.stringify(logFile([clerkRead()]))))),
  },
  { name: 'plain text', expected: 'rejected', build: () => text('GetObject patients/0001/chart.pdf') },
  {
    name: 'truncated JSON',
    expected: 'rejected',
    build: () => text(JSON.stringify(clerkRead()).slice(0, 200)),
  },
  {
    name: 'JSON with a byte order mark',
    expected: 'decided',
    build: () => text(`\uFEFF${JSON.stringify(clerkRead())}`),
  },
  { name: 'JSON null', expected: 'rejected', build: () => text('null') },
  { name: 'JSON number', expected: 'rejected', build: () => text('42') },
  { name: 'JSON string', expected: 'rejected', build: () => text('"GetObject"') },
  { name: 'JSON boolean', expected: 'rejected', build: () => text('true') },
  { name: 'empty object', expected: 'rejected', build: () => json({}) },
  { name: 'empty array', expected: 'rejected', build: () => json([]) },
  { name: 'array nested in array', expected: 'rejected', build: () => json([[clerkRead()]]) },
  {
    name: 'arrays nested 100,000 deep',
    expected: 'rejected',
    build: () => text(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
  },
  {
    name: 'object that is not CloudTrail',
    expected: 'rejected',
    build: () => json({ hello: 'world', level: 'info' }),
  },
  {
    name: 'EventBridge event of S3 notification',
    expected: 'rejected',
    build: () => json({ ...eventBridgeEnvelope(clerkRead()), 'detail-type': 'Object Created' }),
  },
  {
    name: 'EventBridge event with string detail',
    expected: 'rejected',
    build: () => json({ ...eventBridgeEnvelope(clerkRead()), detail: JSON.stringify(clerkRead()) }),
  },
  {
    name: 'log file with Records not array',
    expected: 'rejected',
    build: () => json({ Records: { 0: clerkRead() } }),
  },
  { name: 'log file without records', expected: 'rejected', build: () => json(logFile([])) },
  {
    name: 'log file with one bad record',
    expected: 'rejected',
    // The valid record is decided and published; the Kinesis record is still retried for the invalid one.
    decisions: 1,
    build: () => json(logFile([clerkRead(), without(clerkRead(), 'userIdentity')])),
  },
];

const notS3Cases: RecordCase[] = [
  { name: 'KMS Decrypt management event', expected: 'skipped', build: () => json(kmsDecryptEvent()) },
  {
    name: 'record without eventSource',
    expected: 'skipped',
    build: () => json(without(clerkRead(), 'eventSource')),
  },
  {
    name: 'S3 GetBucketPolicy management event',
    expected: 'skipped',
    build: () => json(managementEvent(nextEventId())),
  },
  { name: 'S3 ListBuckets management event', expected: 'skipped', build: () => json(listBucketsEvent()) },
  { name: 'S3 network activity event', expected: 'skipped', build: () => json(networkActivityEvent()) },
  {
    name: 'bucket-level data event',
    expected: 'skipped',
    build: () => json(bucketLevelEvent('GetBucketAcl')),
  },
  {
    name: 'S3 Express CreateSession',
    expected: 'skipped',
    build: () => json(bucketLevelEvent('CreateSession')),
  },
  {
    name: 'unknown S3 event name',
    expected: 'skipped',
    build: () => json(clerkRead({ eventName: 'GetObjectSummary' })),
  },
];

const missingFieldCases: RecordCase[] = [
  {
    name: 'missing userIdentity',
    expected: 'rejected',
    build: () => json(without(clerkRead(), 'userIdentity')),
  },
  {
    name: 'userIdentity as a string',
    expected: 'rejected',
    build: () => json(clerkRead({ userIdentity: 'records-clerk' })),
  },
  { name: 'missing eventID', expected: 'rejected', build: () => json(without(clerkRead(), 'eventID')) },
  { name: 'missing eventName', expected: 'rejected', build: () => json(without(clerkRead(), 'eventName')) },
  { name: 'numeric eventName', expected: 'rejected', build: () => json(clerkRead({ eventName: 404 })) },
  { name: 'missing eventTime', expected: 'rejected', build: () => json(without(clerkRead(), 'eventTime')) },
  {
    name: 'eventTime not ISO 8601',
    expected: 'rejected',
    build: () => json(clerkRead({ eventTime: '03/01/2025 10:00' })),
  },
  {
    name: 'eventTime on February 30',
    expected: 'rejected',
    build: () => json(clerkRead({ eventTime: '2025-02-30T10:00:00Z' })),
  },
  {
    name: 'no bucket anywhere',
    expected: 'rejected',
    build: () => json(without(clerkRead({ requestParameters: { key: 'patients/1/a.pdf' } }), 'resources')),
  },
  {
    name: 'GetObject without a key',
    expected: 'rejected',
    build: () =>
      json(without(clerkRead({ requestParameters: { bucketName: 'example-phi-records' } }), 'resources')),
  },
  { name: 'DeleteObjects without keys', expected: 'rejected', build: () => json(deleteObjectsEvent([])) },
];

const identityCases: RecordCase[] = [
  {
    name: 'unknown identity type',
    expected: 'decided',
    build: () => withIdentity(unknownTypeIdentity('SAMLUser')),
  },
  {
    name: 'identity without type',
    expected: 'decided',
    build: () => withIdentity({ principalId: 'EXAMPLE0001' }),
  },
  { name: 'empty userIdentity object', expected: 'decided', build: () => withIdentity({}) },
  {
    name: 'role session without issuer',
    expected: 'decided',
    build: () => withIdentity({ type: 'AssumedRole', principalId: 'AROAEXAMPLE:dana', arn: 'not-an-arn' }),
  },
  {
    name: 'session name with quotes',
    expected: 'decided',
    build: () => withIdentity(roleSessionIdentity('clinician', `dana'; DROP TABLE grants;--`)),
  },
  { name: 'root user', expected: 'decided', build: () => withIdentity(rootIdentity()) },
  { name: 'anonymous request', expected: 'decided', build: () => withIdentity(anonymousIdentity()) },
  {
    name: 'AWS service',
    expected: 'decided',
    build: () => withIdentity({ type: 'AWSService', invokedBy: 'backup.amazonaws.com' }),
  },
  {
    name: 'service-linked role',
    expected: 'decided',
    build: () => withIdentity(serviceLinkedRoleIdentity()),
  },
  {
    name: 'Identity Center user',
    expected: 'decided',
    build: () => withIdentity(identityCenterUserIdentity('91a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8')),
  },
  {
    name: 'federated user',
    expected: 'decided',
    build: () => withIdentity(federatedUserIdentity('portal-user')),
  },
  { name: 'cross-account account', expected: 'decided', build: () => withIdentity(crossAccountIdentity()) },
  {
    name: 'IAM user without ARN',
    expected: 'decided',
    build: () => withIdentity({ type: 'IAMUser', accountId: '111122223333', userName: 'records-clerk' }),
  },
  {
    name: 'role session with non-ASCII name',
    expected: 'decided',
    build: () => withIdentity(assumedRoleIdentity('clinician', 'zoë@example.org')),
  },
];

const keyCases: RecordCase[] = [
  { name: 'key of 1,024 ASCII bytes', expected: 'decided', build: () => json(clerkRead({}, longAsciiKey)) },
  {
    name: 'key of 1,024 multi-byte bytes',
    expected: 'decided',
    build: () => json(clerkRead({}, longMultiByteKey)),
  },
  {
    name: 'non-ASCII key',
    expected: 'decided',
    build: () => json(clerkRead({}, 'patients/東京-0001/カルテ 📄.pdf')),
  },
  {
    name: 'URL-encoded key',
    expected: 'decided',
    build: () => json(clerkRead({}, 'patients/p%2F0001/chart%20v2.pdf')),
  },
  {
    name: 'key with control characters',
    expected: 'decided',
    build: () => json(clerkRead({}, 'patients/0001/a\nb\r\u0000\u001b[31m.pdf')),
  },
  {
    name: 'DeleteObjects with 1,000 keys',
    expected: 'decided',
    decisions: 1000,
    build: () =>
      json(deleteObjectsEvent(Array.from({ length: 1000 }, (_, index) => `patients/${index}/old.pdf`))),
  },
  {
    name: 'CopyObject with encoded non-ASCII source',
    expected: 'decided',
    decisions: 2,
    build: () =>
      json(copyObjectEvent('example-phi-records/patients/%E6%9D%B1%E4%BA%AC/a%20b.pdf?versionId=3')),
  },
  {
    name: 'CopyObject with malformed escape',
    expected: 'decided',
    decisions: 2,
    build: () => json(copyObjectEvent('example-phi-records/patients/100%.pdf')),
  },
  { name: 'ListObjectsV2 of whole bucket', expected: 'decided', build: () => json(listObjectsEvent()) },
  {
    name: 'ListObjectsV2 with prefix',
    expected: 'decided',
    build: () => json(listObjectsEvent('patients/0001/')),
  },
];

const sizeAndShapeCases: RecordCase[] = [
  {
    name: 'record over 256 KB',
    expected: 'decided',
    build: () => json(clerkRead({ additionalEventData: { padding: 'x'.repeat(300_000) } })),
  },
  {
    name: 'record near 1 MB',
    expected: 'decided',
    build: () => json(clerkRead({ additionalEventData: { padding: 'x'.repeat(1_000_000) } })),
  },
  { name: 'EventBridge envelope', expected: 'decided', build: () => json(eventBridgeEnvelope(clerkRead())) },
  {
    name: 'log file with three records',
    expected: 'decided',
    decisions: 3,
    build: () => json(logFile([clerkRead(), clerkRead(), clerkRead()])),
  },
  {
    name: 'array of records',
    expected: 'decided',
    decisions: 2,
    build: () => json([clerkRead(), eventBridgeEnvelope(clerkRead())]),
  },
  {
    name: 'JSON with __proto__ key',
    expected: 'decided',
    build: () => text(JSON.stringify(clerkRead()).replace('{', '{"__proto__":{"polluted":true},')),
  },
  {
    name: 'duplicate JSON keys',
    expected: 'decided',
    build: () => text(JSON.stringify(clerkRead()).replace('{', '{"eventName":"PutObject",')),
  },
  {
    name: 'eventTime with offset',
    expected: 'decided',
    build: () => json(clerkRead({ eventTime: '2025-03-01T11:00:00+01:00' })),
  },
  {
    name: 'eventTime in year 9999',
    expected: 'decided',
    build: () => json(clerkRead({ eventTime: '9999-12-31T23:59:59Z' })),
  },
  {
    name: 'AccessDenied request',
    expected: 'decided',
    build: () => json(clerkRead({ errorCode: 'AccessDenied' })),
  },
  {
    name: 'bucket not monitored',
    expected: 'decided',
    build: () =>
      json(s3DataEvent({ eventId: nextEventId(), identity: rootIdentity(), bucket: OTHER_BUCKET })),
  },
  {
    name: 'unexpected extra fields',
    expected: 'decided',
    build: () => json(clerkRead({ eventVersion: '9.99', futureField: { nested: [1, 2] } })),
  },
];

export const RECORD_CASES: readonly RecordCase[] = [
  ...transportCases,
  ...notS3Cases,
  ...missingFieldCases,
  ...identityCases,
  ...keyCases,
  ...sizeAndShapeCases,
];
