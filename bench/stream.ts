/**
 * A generated stream of CloudTrail records as EventBridge puts them on the Kinesis stream: S3 data events
 * of every object event kind, some AccessDenied responses, management and network activity events, and a
 * bucket that is not monitored. Keys follow a Zipf distribution under `patients/<id>/...`, `claims/` and
 * `research/` prefixes.
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { S3_OBJECT_EVENTS } from '../src/domain/s3-events';
import { bucketResource, buildS3DataEvent, s3Host } from '../test/support/cloudtrail-records';
import { ACCOUNT_ID, OTHER_BUCKET, PHI_BUCKETS, type BenchPrincipal, type Population } from './population';
import { ZipfSampler, pick, pickIndex, type Random } from './random';

/** Share of records made by principals without grants (root, anonymous and unresolved ones included). */
const ROGUE_SHARE = 0.02;

interface EventKind {
  readonly name: string;
  readonly weight: number;
}

/** Mix of data events, weighted like a busy PHI store: mostly reads. */
const EVENT_KINDS: readonly EventKind[] = [
  { name: 'GetObject', weight: 48 },
  { name: 'HeadObject', weight: 18 },
  { name: 'PutObject', weight: 10 },
  { name: 'ListObjectsV2', weight: 5 },
  { name: 'GetObjectTagging', weight: 2 },
  { name: 'CopyObject', weight: 2 },
  { name: 'CreateMultipartUpload', weight: 1 },
  { name: 'UploadPart', weight: 3 },
  { name: 'CompleteMultipartUpload', weight: 1 },
  { name: 'DeleteObject', weight: 2 },
  { name: 'DeleteObjects', weight: 1 },
  { name: 'GetBucketPolicy', weight: 2 },
  { name: 'NetworkActivity', weight: 1 },
];

const TOTAL_WEIGHT = EVENT_KINDS.reduce((sum, kind) => sum + kind.weight, 0);
const USER_AGENT = '[aws-sdk-java/2.25.60 Linux/6.1.90 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS]';

/** The `additionalEventData` of every record. Records share this one object because nothing changes it. */
const ADDITIONAL_EVENT_DATA = {
  SignatureVersion: 'SigV4',
  CipherSuite: 'TLS_AES_128_GCM_SHA256',
  bytesTransferredIn: 0,
  AuthenticationMethod: 'AuthHeader',
  'x-amz-id-2': 'EXAMPLEid2h8Yq0v1cGz7mQ4pT9sK3bX6wN2dF5jL8rA1uE4yH7kM0oS3vZ6cB9x=',
  bytesTransferredOut: 1024,
};

const DOCUMENTS = [
  'visits/2025-01-14.json',
  'labs/panel.pdf',
  'imaging/ct-0001.dcm',
  'notes/discharge.txt',
  'consent.pdf',
];

/** Generates CloudTrail records for one population; the same seed gives the same stream. */
export class StreamGenerator {
  private readonly principals: ZipfSampler;
  private readonly patients: ZipfSampler;
  private sequence = 0;

  constructor(
    private readonly random: Random,
    private readonly population: Population,
  ) {
    this.principals = new ZipfSampler(random, population.regular.length, 0.9);
    this.patients = new ZipfSampler(random, 50_000, 1.05);
  }

  /** Returns the next record as a Kinesis record whose data is the EventBridge event. */
  next(): KinesisStreamRecord {
    this.sequence += 1;
    const detail = this.buildRecord();
    const envelope = {
      version: '0',
      id: `bench-${this.sequence}`,
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.s3',
      account: ACCOUNT_ID,
      time: detail.eventTime,
      region: 'us-east-1',
      resources: [],
      detail,
    };
    const sequenceNumber = `49590338271490256608559692538361571095921575989136${String(this.sequence).padStart(8, '0')}`;
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: String(pickIndex(this.random, 1000)),
        sequenceNumber,
        data: Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64'),
        approximateArrivalTimestamp: 1740823200 + this.sequence / 150,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${ACCOUNT_ID}:role/phi-guard-validator`,
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:${ACCOUNT_ID}:stream/phi-guard-events`,
    };
  }

  private pickPrincipal(): BenchPrincipal {
    if (this.random() < ROGUE_SHARE) {
      return pick(this.random, this.population.rogue);
    }
    return this.population.regular[this.principals.next()];
  }

  /** Picks an event kind that the principal's grants allow, except for sloppy and rogue principals. */
  private pickKindFor(principal: BenchPrincipal): string {
    for (let attempt = 0; attempt < 20; attempt++) {
      const kind = this.pickKind();
      const action = S3_OBJECT_EVENTS[kind]?.action;
      if (principal.rogue || principal.sloppy || action === undefined || principal.allowed.includes(action)) {
        return kind;
      }
    }
    return 'GetObject';
  }

  private pickKind(): string {
    let target = this.random() * TOTAL_WEIGHT;
    for (const kind of EVENT_KINDS) {
      target -= kind.weight;
      if (target < 0) {
        return kind.name;
      }
    }
    return EVENT_KINDS[0].name;
  }

  private pickKey(prefix = '*'): string {
    const draw = prefix === 'patients/' ? 0 : this.random();
    if (draw < 0.85) {
      return `patients/p-${String(this.patients.next()).padStart(6, '0')}/${pick(this.random, DOCUMENTS)}`;
    }
    if (draw < 0.95) {
      return `claims/2025/${String(this.patients.next()).padStart(6, '0')}.csv`;
    }
    return `research/cohort-${pickIndex(this.random, 40)}/extract-${pickIndex(this.random, 500)}.parquet`;
  }

  private pickBucket(): string {
    return this.random() < 0.03 ? OTHER_BUCKET : pick(this.random, PHI_BUCKETS);
  }

  private buildRecord(): Record<string, unknown> {
    const principal = this.pickPrincipal();
    const eventName = this.pickKindFor(principal);
    const bucket = this.pickBucket();
    const key = this.pickKey(principal.sloppy ? '*' : principal.prefix);
    const denied = this.random() < 0.015;
    const record = baseRecord(this.sequence, principal.identity, eventName, bucket, key, denied);
    return shapeRecord(record, eventName, bucket, key, () =>
      this.pickKey(principal.sloppy ? '*' : principal.prefix),
    );
  }
}

function baseRecord(
  sequence: number,
  identity: Record<string, unknown>,
  eventName: string,
  bucket: string,
  key: string,
  denied: boolean,
): Record<string, unknown> {
  return buildS3DataEvent({
    eventId: `b7d2c1e0-4a5f-4c3b-9e8d-${String(sequence).padStart(12, '0')}`,
    identity,
    eventName,
    bucket,
    key,
    eventTime: new Date(Date.UTC(2025, 2, 1, 10) + sequence * 7).toISOString().replace('.000Z', 'Z'),
    sourceIPAddress: `198.51.100.${sequence % 250}`,
    userAgent: USER_AGENT,
    requestId: `EXAMPLE${sequence.toString(16).toUpperCase().padStart(9, '0')}`,
    errorCode: denied ? 'AccessDenied' : undefined,
    additionalEventData: ADDITIONAL_EVENT_DATA,
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: s3Host(bucket),
    },
  });
}

/** Adjusts the base record to the shape CloudTrail writes for the event kind. */
function shapeRecord(
  record: Record<string, unknown>,
  eventName: string,
  bucket: string,
  key: string,
  nextKey: () => string,
): Record<string, unknown> {
  const host = s3Host(bucket);
  const bucketOnly = [bucketResource(bucket)];
  switch (eventName) {
    case 'ListObjectsV2':
      return {
        ...record,
        requestParameters: {
          bucketName: bucket,
          'list-type': '2',
          prefix: key.split('/').slice(0, 2).join('/') + '/',
          Host: host,
        },
        resources: bucketOnly,
      };
    case 'DeleteObjects':
      return {
        ...record,
        readOnly: false,
        requestParameters: {
          bucketName: bucket,
          Host: host,
          delete: { Quiet: 'true', Object: [key, nextKey(), nextKey()].map((item) => ({ Key: item })) },
        },
        resources: bucketOnly,
      };
    case 'CopyObject':
      return {
        ...record,
        readOnly: false,
        requestParameters: {
          bucketName: bucket,
          key,
          'x-amz-copy-source': `${bucket}/${encodeURI(nextKey())}`,
          Host: host,
        },
      };
    case 'GetBucketPolicy':
      return {
        ...record,
        requestParameters: { bucketName: bucket, policy: '', Host: host },
        resources: bucketOnly,
        managementEvent: true,
        eventCategory: 'Management',
      };
    case 'NetworkActivity':
      return {
        ...record,
        eventName: 'GetObject',
        eventType: 'AwsVpceEvent',
        eventCategory: 'NetworkActivity',
        errorCode: 'VpceAccessDenied',
        vpcEndpointId: 'vpce-0a1b2c3d4e5f60001',
      };
    default:
      return { ...record, readOnly: eventName.startsWith('Get') || eventName.startsWith('Head') };
  }
}

/** Cuts `count` batches of `size` records from the start of the stream. */
export function cutBatches(
  records: readonly KinesisStreamRecord[],
  size: number,
  count: number,
): KinesisStreamEvent[] {
  if (size * count > records.length) {
    throw new Error(
      `The stream has ${records.length} records; ${count} batches of ${size} need ${size * count}.`,
    );
  }
  return Array.from({ length: count }, (_, index) => ({
    Records: records.slice(index * size, (index + 1) * size),
  }));
}
