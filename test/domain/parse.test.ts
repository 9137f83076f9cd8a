import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { extractRecords } from '../../src/domain/cloudtrail-input';
import { InvalidRecordError } from '../../src/domain/errors';
import { parseRecord } from '../../src/domain/parse';
import type { ParsedRecord } from '../../src/domain/types';
import { loadFixture, repoRoot } from './fixture-loader';

const base = loadFixture('getobject-iamuser.json');

function withFields(fields: Record<string, unknown>): Record<string, unknown> {
  return { ...base, ...fields };
}

function without(field: string): Record<string, unknown> {
  const copy = { ...base };
  delete copy[field];
  return copy;
}

describe('parseRecord skips', () => {
  it.each([
    [
      'an event of another service',
      withFields({ eventSource: 'dynamodb.amazonaws.com', eventName: 'GetItem' }),
      'not-s3',
    ],
    ['a record without eventSource', without('eventSource'), 'not-s3'],
    ['a network activity event', withFields({ eventCategory: 'NetworkActivity' }), 'network-activity-event'],
    [
      'a VPC endpoint event type',
      withFields({ eventType: 'AwsVpceEvent', eventCategory: undefined }),
      'network-activity-event',
    ],
    [
      'a management event flag',
      withFields({ managementEvent: true, eventName: 'PutBucketPolicy' }),
      'management-event',
    ],
    ['a Management category', withFields({ eventCategory: 'Management' }), 'management-event'],
    ['a bucket-level data event', withFields({ eventName: 'HeadBucket' }), 'no-object-access'],
    [
      'ListBuckets without category',
      withFields({ eventName: 'ListBuckets', eventCategory: undefined, managementEvent: undefined }),
      'no-object-access',
    ],
    ['a CORS preflight', withFields({ eventName: 'PreflightRequest' }), 'no-object-access'],
    ['the IAM action name ListBucket', withFields({ eventName: 'ListBucket' }), 'unsupported-event-name'],
    ['an unknown event name', withFields({ eventName: 'WriteGetObjectResponse' }), 'unsupported-event-name'],
  ])('%s', (_name, record, reason) => {
    const parsed = parseRecord(record);

    expect(parsed.status).toBe('skipped');
    if (parsed.status !== 'skipped') return;
    expect(parsed.reason).toBe(reason);
    expect(parsed.eventId).toBe(base.eventID);
    expect(parsed.detail).toMatch(/^\S.*\.$/);
  });

  it('skips without eventID', () => {
    const parsed = parseRecord({
      ...without('eventID'),
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
    });

    expect(parsed).toEqual({
      status: 'skipped',
      eventName: 'AssumeRole',
      reason: 'not-s3',
      detail: 'AssumeRole comes from sts.amazonaws.com, not from S3.',
    });
  });
});

describe('parseRecord invalid records', () => {
  it.each([
    [
      'missing eventName',
      without('eventName'),
      'Record 0b6f8e2a-1c3d-4e5f-8a9b-000000000001 is missing the required field eventName.',
    ],
    ['missing eventID', without('eventID'), 'GetObject record is missing the required field eventID.'],
    [
      'missing eventTime',
      without('eventTime'),
      'GetObject record 0b6f8e2a-1c3d-4e5f-8a9b-000000000001 is missing the required field eventTime.',
    ],
    ['missing userIdentity', without('userIdentity'), 'is missing the required field userIdentity.'],
    [
      'text userIdentity',
      withFields({ userIdentity: 'dana' }),
      'is missing the required field userIdentity.',
    ],
    [
      'unparsable eventTime',
      withFields({ eventTime: 'yesterday' }),
      'has eventTime "yesterday", which is not an ISO 8601 time.',
    ],
    ['number eventName', withFields({ eventName: 7 }), 'is missing the required field eventName.'],
  ])('%s is invalid', (_name, record, message) => {
    expect(() => parseRecord(record)).toThrow(InvalidRecordError);
    expect(() => parseRecord(record)).toThrow(message);
  });

  it('carries the eventId', () => {
    try {
      parseRecord(without('eventTime'));
      throw new Error('parseRecord accepted a record without eventTime');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRecordError);
      expect((error as InvalidRecordError).eventId).toBe(base.eventID);
    }
  });

  it.each([
    null,
    undefined,
    0,
    'text',
    true,
    [],
    [base],
    { eventName: {} },
    { eventName: 'GetObject', eventSource: 's3.amazonaws.com' },
  ])('JSON value %p is invalid', (value) => {
    expect(() => parseRecord(value)).toThrow(InvalidRecordError);
  });

  it.each([
    [null, 'The CloudTrail record is null, not a JSON object.'],
    [42, 'The CloudTrail record is number 42, not a JSON object.'],
    ['text', 'The CloudTrail record is "text", not a JSON object.'],
    [[base, base], 'The CloudTrail record is an array of 2 items, not a JSON object.'],
  ])('non-object %p names its type', (value, message) => {
    expect(() => parseRecord(value)).toThrow(message);
  });

  it('survives every field set to odd values', () => {
    const oddValues: unknown[] = [null, 0, '', [], {}, 'x', true];
    for (const field of Object.keys(base)) {
      for (const value of oddValues) {
        const outcome = parseOrError({ ...base, [field]: value });
        expect({ field, value, outcome: outcome === 'other-error' ? outcome : 'ok' }).toEqual({
          field,
          value,
          outcome: 'ok',
        });
      }
    }
  });
});

/** Returns the parse result, the InvalidRecordError message, or 'other-error' for any other exception. */
function parseOrError(record: unknown): ParsedRecord | string {
  try {
    return parseRecord(record);
  } catch (error) {
    return error instanceof InvalidRecordError && error.message !== '' ? error.message : 'other-error';
  }
}

describe('parseRecord accesses', () => {
  it('copies the request context', () => {
    const parsed = parseRecord(base);

    expect(parsed.status).toBe('accesses');
    if (parsed.status !== 'accesses') return;
    expect(parsed.accesses[0]).toMatchObject({
      eventId: base.eventID,
      index: 0,
      eventTime: '2025-03-04T14:02:11Z',
      sourceIp: '198.51.100.24',
      vpcEndpointId: 'vpce-0a1b2c3d4e5f60001',
      awsRegion: 'us-east-1',
      recipientAccountId: '111122223333',
      requestId: base.requestID,
    });
    expect(parsed.accesses[0].errorCode).toBeUndefined();
  });
});

const samplesDir = path.join(repoRoot, '..', 'shared', 'cloudtrail-samples');
const sampleFiles = existsSync(samplesDir) ? listJsonFiles(samplesDir) : [];

function listJsonFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) return listJsonFiles(full);
    return name.endsWith('.json') ? [full] : [];
  });
}

// The shared samples exist only in the development workspace; elsewhere this table is empty.
const describeSamples = sampleFiles.length > 0 ? describe : describe.skip;

describeSamples('shared CloudTrail samples', () => {
  it.each(sampleFiles.map((file) => [path.relative(samplesDir, file), file]))('%s', (_name, file) => {
    const records = extractRecords(JSON.parse(readFileSync(file, 'utf8')));

    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      const outcome = parseOrError(record);
      expect(outcome).not.toBe('other-error');
      if (typeof outcome === 'string') continue;
      if (outcome.status === 'skipped') expect(outcome.detail).toMatch(/\.$/);
      else expect(outcome.accesses.length).toBeGreaterThan(0);
    }
  });
});
