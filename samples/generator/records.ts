/**
 * Builders of CloudTrail records in the shapes that CloudTrail writes for S3 data events and
 * management events. Every name, id and address is invented: the account ids are the ones AWS
 * documentation reserves for examples and the IP addresses come from the documentation ranges.
 */
import { Random } from './random';

export const HOSPITAL_ACCOUNT = '111122223333';
export const PARTNER_ACCOUNT = '444455556666';
export const REGION = 'us-east-1';

export type UserIdentity = Record<string, unknown>;

/** One S3 data event to build. `key` is the object key, `prefix` the listed prefix of a list request. */
export interface DataEventSpec {
  readonly time: Date;
  readonly identity: UserIdentity;
  readonly eventName: string;
  readonly bucket: string;
  readonly key?: string;
  readonly prefix?: string;
  /** Keys of a DeleteObjects request. */
  readonly deleteKeys?: readonly string[];
  /** `bucket/key` of the CopyObject source. */
  readonly copySource?: string;
  readonly errorCode?: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly vpcEndpointId?: string;
  readonly bytesOut?: number;
  readonly bytesIn?: number;
}

const READ_ONLY_EVENTS = new Set(['GetObject', 'HeadObject', 'ListObjects']);

/** Builds one S3 data event record (`eventCategory` Data) as it appears in a CloudTrail log file. */
export function dataEvent(random: Random, spec: DataEventSpec): Record<string, unknown> {
  const record: Record<string, unknown> = {
    eventVersion: '1.10',
    userIdentity: spec.identity,
    eventTime: isoSeconds(spec.time),
    eventSource: 's3.amazonaws.com',
    eventName: spec.eventName,
    awsRegion: REGION,
    sourceIPAddress: spec.sourceIp,
    userAgent: spec.userAgent,
    ...(spec.errorCode ? { errorCode: spec.errorCode, errorMessage: 'Access Denied' } : {}),
    requestParameters: requestParameters(spec),
    responseElements: responseElements(spec),
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: spec.bytesIn ?? 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': random.base64(56),
      bytesTransferredOut: spec.errorCode ? 243 : (spec.bytesOut ?? 0),
    },
    requestID: random.upperAlphanumeric(16),
    eventID: random.uuid(),
    readOnly: READ_ONLY_EVENTS.has(spec.eventName),
    resources: resources(spec),
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: HOSPITAL_ACCOUNT,
  };
  if (spec.vpcEndpointId) {
    record.vpcEndpointId = spec.vpcEndpointId;
    record.vpcEndpointAccountId = HOSPITAL_ACCOUNT;
  }
  record.eventCategory = 'Data';
  record.tlsDetails = {
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: `${spec.bucket}.s3.${REGION}.amazonaws.com`,
  };
  return record;
}

function requestParameters(spec: DataEventSpec): Record<string, unknown> {
  const host = `${spec.bucket}.s3.${REGION}.amazonaws.com`;
  if (spec.eventName === 'ListObjects') {
    const prefix = spec.prefix ?? '';
    return {
      'list-type': '2',
      bucketName: spec.bucket,
      'encoding-type': 'url',
      prefix,
      delimiter: '/',
      Host: host,
    };
  }
  if (spec.deleteKeys) {
    const objects = spec.deleteKeys.map((key) => ({ Key: key }));
    return { bucketName: spec.bucket, Host: host, delete: { Object: objects, Quiet: 'true' } };
  }
  if (spec.copySource) {
    return { bucketName: spec.bucket, Host: host, key: spec.key, 'x-amz-copy-source': spec.copySource };
  }
  return { bucketName: spec.bucket, Host: host, key: spec.key };
}

function responseElements(spec: DataEventSpec): Record<string, unknown> | null {
  if (spec.errorCode) {
    return null;
  }
  if (spec.eventName === 'PutObject') {
    return {
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-bucket-key-enabled': 'true',
    };
  }
  return null;
}

function resources(spec: DataEventSpec): Record<string, unknown>[] {
  const bucketResource = {
    accountId: HOSPITAL_ACCOUNT,
    type: 'AWS::S3::Bucket',
    ARN: `arn:aws:s3:::${spec.bucket}`,
  };
  if (spec.eventName === 'ListObjects') {
    return [
      { type: 'AWS::S3::Object', ARNPrefix: `arn:aws:s3:::${spec.bucket}/${spec.prefix ?? ''}` },
      bucketResource,
    ];
  }
  if (spec.deleteKeys) {
    return [bucketResource];
  }
  const objects = [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${spec.bucket}/${spec.key}` }];
  if (spec.copySource) {
    objects.push({ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${spec.copySource}` });
  }
  return [...objects, bucketResource];
}

/** Builds an STS AssumeRole management event, which log files hold next to the data events. */
export function assumeRoleEvent(
  random: Random,
  time: Date,
  caller: UserIdentity,
  roleArn: string,
  sessionName: string,
): Record<string, unknown> {
  const roleId = String(caller.principalId ?? 'AROAEXAMPLECALLER0001').split(':')[0];
  return {
    eventVersion: '1.08',
    userIdentity: caller,
    eventTime: isoSeconds(time),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    awsRegion: REGION,
    sourceIPAddress: '192.0.2.44',
    userAgent: 'aws-sdk-java/2.25.60 Linux/6.1 OpenJDK_64-Bit_Server_VM/21.0.3',
    requestParameters: { roleArn, roleSessionName: sessionName, durationSeconds: 3600 },
    responseElements: {
      credentials: {
        accessKeyId: `ASIA${random.upperAlphanumeric(16)}`,
        expiration: 'Mar 14, 2025, 11:59:59 PM',
      },
      assumedRoleUser: {
        assumedRoleId: `${roleId}:${sessionName}`,
        arn: roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + `/${sessionName}`,
      },
    },
    requestID: random.uuid(),
    eventID: random.uuid(),
    readOnly: true,
    resources: [{ accountId: HOSPITAL_ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: HOSPITAL_ACCOUNT,
    eventCategory: 'Management',
  };
}

/** Wraps a record in the envelope that EventBridge delivers for "AWS API Call via CloudTrail". */
export function eventBridgeEnvelope(
  random: Random,
  record: Record<string, unknown>,
): Record<string, unknown> {
  return {
    version: '0',
    id: random.uuid(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.s3',
    account: HOSPITAL_ACCOUNT,
    time: record.eventTime,
    region: REGION,
    resources: [],
    detail: record,
  };
}

/** Formats a time as CloudTrail does: ISO 8601 UTC without milliseconds. */
export function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
