/**
 * Invented CloudTrail records for reconciliation tests, in the shapes CloudTrail writes them. Account ids,
 * names and addresses are reserved example values.
 */
import { ACCOUNT_ID, bucketResource, buildS3DataEvent, objectResource } from '../support/cloudtrail-records';

export { ACCOUNT_ID };
export const PHI_BUCKET = 'example-phi-records';
export const OTHER_BUCKET = 'example-build-artifacts';
export const CLINICIAN_SESSION_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/clinician/alice@example.org`;
export const CLINICIAN_ROLE_KEY = `arn:aws:iam::${ACCOUNT_ID}:role/clinician`;

export interface RecordOptions {
  readonly eventId: string;
  readonly eventName?: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly eventCategory?: string;
  readonly eventSource?: string;
  /** Principal ARN; `null` writes an identity without ARN (an AWS service). */
  readonly principalArn?: string | null;
  readonly eventTime?: string;
}

/** Builds one S3 data event record for an object in a bucket. */
export function dataEvent(options: RecordOptions): Record<string, unknown> {
  const { principalArn = CLINICIAN_SESSION_ARN, ...fields } = options;
  return buildS3DataEvent({
    ...fields,
    identity: identity(principalArn),
    bucket: fields.bucket ?? PHI_BUCKET,
    key: fields.key ?? 'patients/0001/chart.pdf',
    eventTime: fields.eventTime ?? '2025-03-01T09:15:27Z',
    sourceIPAddress: '192.0.2.10',
    userAgent: '[aws-sdk-js/3.600.0]',
    requestId: `REQ${fields.eventId.slice(0, 8).toUpperCase()}`,
  });
}

/** Builds a DeleteObjects record that deletes several keys: one event with several accesses. */
export function deleteObjectsEvent(eventId: string, keys: readonly string[]): Record<string, unknown> {
  const base = dataEvent({ eventId, eventName: 'DeleteObjects', key: keys[0] });
  return {
    ...base,
    readOnly: false,
    requestParameters: {
      bucketName: PHI_BUCKET,
      delete: { Object: keys.map((key) => ({ Key: key })), Quiet: 'true' },
    },
    resources: [...keys.map((key) => objectResource(PHI_BUCKET, key)), bucketResource(PHI_BUCKET)],
  };
}

/** Builds a CopyObject record from a PHI object into another bucket, whose request names the other bucket. */
export function copyOutEvent(eventId: string): Record<string, unknown> {
  const base = dataEvent({
    eventId,
    eventName: 'CopyObject',
    bucket: OTHER_BUCKET,
    key: 'exports/chart.pdf',
  });
  return {
    ...base,
    requestParameters: {
      bucketName: OTHER_BUCKET,
      key: 'exports/chart.pdf',
      'x-amz-copy-source': `${PHI_BUCKET}/patients/0001/chart.pdf`,
    },
    resources: [
      objectResource(OTHER_BUCKET, 'exports/chart.pdf'),
      objectResource(PHI_BUCKET, 'patients/0001/chart.pdf'),
    ],
  };
}

function identity(arn: string | null): Record<string, unknown> {
  if (arn === null) {
    return { type: 'AWSService', invokedBy: 'backup.amazonaws.com' };
  }
  return {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEROLEID0001:alice@example.org',
    arn,
    accountId: ACCOUNT_ID,
    accessKeyId: 'ASIAEXAMPLEKEYID0001',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLEID0001',
        arn: CLINICIAN_ROLE_KEY,
        accountId: ACCOUNT_ID,
        userName: 'clinician',
      },
      attributes: { creationDate: '2025-03-01T08:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

/** Event ids in UUID form, distinct per number. */
export function eventId(number: number): string {
  return `${String(number).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

/**
 * Seven records of which only the first is valid: two have an eventTime that is not ISO 8601, one has no
 * eventID and three are not JSON objects, as positions 1 to 7 in this order.
 */
export function recordsWithInvalidOnes(validEventId: string): unknown[] {
  const withoutEventId = dataEvent({ eventId: eventId(98) });
  delete withoutEventId.eventID;
  return [
    dataEvent({ eventId: validEventId }),
    dataEvent({ eventId: eventId(96), eventTime: 'yesterday' }),
    42,
    dataEvent({ eventId: eventId(97), eventTime: '2025-03-01 09:15' }),
    withoutEventId,
    null,
    'GetObject',
  ];
}

/** The reason that replay and reconcile give for each invalid record of `recordsWithInvalidOnes`, by position. */
export const INVALID_RECORD_REASONS: ReadonlyMap<number, string> = new Map([
  [2, `Record ${eventId(96)} has eventTime "yesterday", which is not an ISO 8601 time.`],
  [3, 'The CloudTrail record is number 42, not a JSON object.'],
  [4, `Record ${eventId(97)} has eventTime "2025-03-01 09:15", which is not an ISO 8601 time.`],
  [5, 'GetObject record is missing the required field eventID.'],
  [6, 'The CloudTrail record is null, not a JSON object.'],
  [7, 'The CloudTrail record is "GetObject", not a JSON object.'],
]);

/**
 * Returns a CloudTrail log file with `records` as `JSON.stringify(value, null, 2)` prints it over many
 * lines, cut off after the first `characters` characters of line `lastLine`.
 */
export function truncatedLogFile(records: readonly unknown[], lastLine: number, characters: number): string {
  const lines = JSON.stringify({ Records: records }, null, 2).split('\n');
  return [...lines.slice(0, lastLine - 1), lines[lastLine - 1].slice(0, characters)].join('\n');
}

/** Four valid records of the PHI bucket, with event ids 1 to 4, for the reading tests of replay and reconcile. */
export function fourRecords(): Record<string, unknown>[] {
  return [1, 2, 3, 4].map((number) => dataEvent({ eventId: eventId(number) }));
}

/** The reason that replay and reconcile give for `truncatedLogFile(fourRecords(), 96, 30)`. */
export const TRUNCATED_LOG_FILE_REASON =
  'CloudTrail content is not valid JSON: Unterminated string at line 96, column 31.';
