/**
 * Builders of CloudTrail records in the shapes AWS writes them, beyond the single-object data event of the
 * validator fixtures: DeleteObjects, CopyObject, ListObjectsV2, other services and network activity.
 */
import { ACCOUNT_ID, PHI_BUCKET, iamUserIdentity, s3DataEvent } from '../../validator/support/fixtures';

type CloudTrailRecord = Record<string, unknown>;

let eventCounter = 0;

/** Returns a new event id in the UUID form CloudTrail uses. */
export function nextEventId(): string {
  eventCounter += 1;
  return `7d1e3a52-0c4b-4f6a-9e2d-${String(eventCounter).padStart(12, '0')}`;
}

/** Builds a GetObject by the IAM user `records-clerk`, who has a grant on the PHI bucket. */
export function clerkRead(overrides: CloudTrailRecord = {}, key?: string): CloudTrailRecord {
  return {
    ...s3DataEvent({ eventId: nextEventId(), identity: iamUserIdentity('records-clerk'), key }),
    ...overrides,
  };
}

/** Returns a copy of `record` without the named top-level fields. */
export function without(record: CloudTrailRecord, ...fields: string[]): CloudTrailRecord {
  return Object.fromEntries(Object.entries(record).filter(([field]) => !fields.includes(field)));
}

export function deleteObjectsEvent(keys: readonly string[]): CloudTrailRecord {
  const base = clerkRead({ eventName: 'DeleteObjects', readOnly: false });
  return {
    ...base,
    requestParameters: {
      bucketName: PHI_BUCKET,
      Host: `${PHI_BUCKET}.s3.us-east-1.amazonaws.com`,
      delete: { Quiet: 'true', Object: keys.map((key) => ({ Key: key })) },
    },
    resources: [{ accountId: ACCOUNT_ID, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${PHI_BUCKET}` }],
  };
}

export function copyObjectEvent(copySource: string, key = 'archive/copied.pdf'): CloudTrailRecord {
  const base = clerkRead({ eventName: 'CopyObject', readOnly: false }, key);
  return {
    ...base,
    requestParameters: {
      bucketName: PHI_BUCKET,
      key,
      'x-amz-copy-source': copySource,
      Host: `${PHI_BUCKET}.s3.us-east-1.amazonaws.com`,
    },
  };
}

export function listObjectsEvent(prefix?: string): CloudTrailRecord {
  const base = clerkRead({ eventName: 'ListObjectsV2' });
  const parameters: Record<string, unknown> = {
    bucketName: PHI_BUCKET,
    'list-type': '2',
    Host: `${PHI_BUCKET}.s3.us-east-1.amazonaws.com`,
  };
  if (prefix !== undefined) {
    parameters.prefix = prefix;
  }
  return {
    ...base,
    requestParameters: parameters,
    resources: [{ accountId: ACCOUNT_ID, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${PHI_BUCKET}` }],
  };
}

/** Builds a bucket-level S3 data event, which reads no object. */
export function bucketLevelEvent(eventName: string): CloudTrailRecord {
  const base = clerkRead({ eventName });
  return { ...base, requestParameters: { bucketName: PHI_BUCKET, acl: '' }, resources: base.resources };
}

export function kmsDecryptEvent(): CloudTrailRecord {
  return {
    eventVersion: '1.10',
    userIdentity: iamUserIdentity('records-clerk'),
    eventTime: '2025-03-01T10:00:00Z',
    eventSource: 'kms.amazonaws.com',
    eventName: 'Decrypt',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.24',
    requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    responseElements: null,
    requestID: 'EXAMPLEKMSREQUEST1',
    eventID: nextEventId(),
    readOnly: true,
    resources: [
      {
        accountId: ACCOUNT_ID,
        type: 'AWS::KMS::Key',
        ARN: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/example`,
      },
    ],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT_ID,
    eventCategory: 'Management',
  };
}

export function listBucketsEvent(): CloudTrailRecord {
  return {
    ...without(clerkRead(), 'resources'),
    eventName: 'ListBuckets',
    requestParameters: { Host: 's3.us-east-1.amazonaws.com' },
    managementEvent: true,
    eventCategory: 'Management',
  };
}

/** Builds a GetObject that a VPC endpoint policy rejected, recorded as a network activity event. */
export function networkActivityEvent(): CloudTrailRecord {
  return {
    ...without(clerkRead({ errorCode: 'VpceAccessDenied' }), 'resources'),
    errorMessage: 'The request was denied due to a VPC endpoint policy',
    eventType: 'AwsVpceEvent',
    vpcEndpointId: 'vpce-0a1b2c3d4e5f60001',
    vpcEndpointAccountId: ACCOUNT_ID,
    eventCategory: 'NetworkActivity',
  };
}

/** Wraps records in a CloudTrail log file object. */
export function logFile(records: readonly unknown[]): Record<string, unknown> {
  return { Records: records };
}
