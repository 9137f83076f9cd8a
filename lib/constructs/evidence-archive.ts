import { Aws, CfnElement, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { DeploymentProfile } from '../config';
import { functionLogKey, INLINE_POLICY_REASON } from './lambda-defaults';
import { type DeliveryAlarmThresholds, deliveryAlarms, type OperationsAlarms } from './operations-alarms';

/** Prefix of the raw EventBridge events that Firehose delivers; the Glue table reads it. */
export const EVENTS_PREFIX = 'events/';
/** Prefix of records that Firehose failed to deliver under `events/`. */
export const EVENT_ERRORS_PREFIX = 'errors/';
/** Prefix of decision documents that OpenSearch rejected, backed up by the decisions delivery stream. */
export const OPENSEARCH_FAILED_PREFIX = 'opensearch-failed/';

const TIME_PARTITIONS =
  'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

export interface EvidenceArchiveProps {
  /** The stream of raw EventBridge events; every event is archived, whatever the validator decided. */
  readonly stream: kinesis.IStream;
  /**
   * Key that encrypts the stream; Firehose gets `kms:Decrypt` on it.
   * @default - `stream.encryptionKey`
   */
  readonly streamEncryptionKey?: kms.IKey;
  /** `production` locks objects in COMPLIANCE mode and retains resources; `sandbox` uses GOVERNANCE mode. */
  readonly profile: DeploymentProfile;
  /** Default Object Lock retention of every archived object, in days. */
  readonly retentionDays: number;
  /** Age in days after which objects move to S3 Glacier Deep Archive. */
  readonly transitionDays: number;
  /**
   * How long Firehose buffers events before it writes an object.
   * @default Duration.minutes(5)
   */
  readonly bufferingInterval?: Duration;
  /**
   * How much Firehose buffers before it writes an object.
   * @default Size.mebibytes(64)
   */
  readonly bufferingSize?: Size;
}

/**
 * Write-once archive of every S3 data event phi-guard saw: an Object Lock bucket encrypted with its own
 * key, fed by a Firehose delivery stream that reads the Kinesis stream. Object Lock blocks deletion of an
 * object version until its retention ends, and the bucket policy denies deletion to every principal.
 */
export class EvidenceArchive extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly deliveryStream: firehose.DeliveryStream;
  /** The role that the delivery stream reads the stream and writes the bucket with. */
  public readonly deliveryRole: iam.Role;

  constructor(scope: Construct, id: string, props: EvidenceArchiveProps) {
    super(scope, id);
    validateDays('retentionDays', props.retentionDays);
    validateDays('transitionDays', props.transitionDays);
    const streamKey = props.streamEncryptionKey ?? props.stream.encryptionKey;
    if (!streamKey) {
      throw new Error('EvidenceArchive needs streamEncryptionKey because the stream has no encryptionKey.');
    }

    const production = props.profile === 'production';
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.key = new kms.Key(this, 'Key', {
      description: 'phi-guard: encrypts the evidence archive of S3 data events',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.accessLogsBucket = this.createAccessLogsBucket(removalPolicy);
    this.bucket = this.createBucket(props, removalPolicy);
    this.denyDeletion();

    this.deliveryRole = createFirehoseRole(this, 'DeliveryRole');
    const logGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: functionLogKey(this),
    });
    const policy = this.createDeliveryPolicy(props.stream, streamKey, logGroup);
    this.deliveryStream = this.createDeliveryStream(props, logGroup);
    this.deliveryStream.node.addDependency(policy);
    this.acknowledgeFindings(policy);
  }

  /**
   * Grants the S3 and KMS permissions that a Firehose delivery needs to write objects under `prefix`:
   * s3:PutObject and s3:AbortMultipartUpload on those objects, the bucket-level reads Firehose makes, and
   * kms:GenerateDataKey and kms:Decrypt through S3 only.
   */
  public grantDeliveryWrite(grantee: iam.IGrantable, prefix: string): void {
    for (const statement of this.deliveryWriteStatements(prefix)) {
      grantee.grantPrincipal.addToPrincipalPolicy(statement);
    }
  }

  /** Adds alarms on late and failed deliveries of events into the archive bucket. */
  public addAlarms(alarms: OperationsAlarms, thresholds: DeliveryAlarmThresholds = {}): void {
    alarms.addAlarms(
      this,
      'Evidence archive delivery',
      deliveryAlarms(this.deliveryStream.deliveryStreamName, 'S3', thresholds),
    );
  }

  private deliveryWriteStatements(prefix: string): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${prefix}*`)],
      }),
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }),
    ];
  }

  private createAccessLogsBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    // Server access logs cannot be delivered to an SSE-KMS or Object Lock bucket, hence S3-managed keys.
    return new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    });
  }

  private createBucket(props: EvidenceArchiveProps, removalPolicy: RemovalPolicy): s3.Bucket {
    const retention = Duration.days(props.retentionDays);
    return new s3.Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.profile === 'production'
          ? s3.ObjectLockRetention.compliance(retention)
          : s3.ObjectLockRetention.governance(retention),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'evidence-bucket/',
      lifecycleRules: lifecycleRules(props),
      removalPolicy,
    });
  }

  /** Denies object deletion and governance bypass to every principal, the account root included. */
  private denyDeletion(): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyEvidenceDeletion',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
  }

  private createDeliveryPolicy(
    stream: kinesis.IStream,
    streamKey: kms.IKey,
    logGroup: logs.ILogGroup,
  ): iam.Policy {
    return new iam.Policy(this, 'DeliveryPolicy', {
      roles: [this.deliveryRole],
      statements: [
        new iam.PolicyStatement({
          actions: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetShardIterator',
            'kinesis:GetRecords',
            'kinesis:ListShards',
          ],
          resources: [stream.streamArn],
        }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [streamKey.keyArn] }),
        ...this.deliveryWriteStatements(EVENTS_PREFIX),
        ...this.deliveryWriteStatements(EVENT_ERRORS_PREFIX),
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
  }

  private createDeliveryStream(
    props: EvidenceArchiveProps,
    logGroup: logs.ILogGroup,
  ): firehose.DeliveryStream {
    // The L2 grants read-write on the bucket (deletes included) to the role it is given. An immutable
    // view of the role drops those grants; DeliveryPolicy contains the narrower permissions instead.
    const role = this.deliveryRole.withoutPolicyUpdates();

    return new firehose.DeliveryStream(this, 'DeliveryStream', {
      source: new firehose.KinesisStreamSource(props.stream),
      role,
      destination: new firehose.S3Bucket(this.bucket, {
        role,
        dataOutputPrefix: `${EVENTS_PREFIX}${TIME_PARTITIONS}`,
        errorOutputPrefix: `${EVENT_ERRORS_PREFIX}!{firehose:error-output-type}/${TIME_PARTITIONS}`,
        compression: firehose.Compression.GZIP,
        processors: [new firehose.AppendDelimiterToRecordProcessor()],
        bufferingInterval: props.bufferingInterval ?? Duration.minutes(5),
        bufferingSize: props.bufferingSize ?? Size.mebibytes(64),
        encryptionKey: this.key,
        loggingConfig: new firehose.EnableLogging(logGroup),
      }),
    });
  }

  private acknowledgeFindings(policy: iam.Policy): void {
    const replication = {
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'Object Lock and versioning protect the evidence in place; cross-Region replication is left to the deployer.',
    };
    Validations.of(this.bucket).acknowledge(replication);
    Validations.of(this.accessLogsBucket).acknowledge(replication, {
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason: 'S3 server access logs can be delivered only to a bucket with S3-managed encryption.',
    });
    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason:
        'Firehose rejects server-side encryption with a Kinesis source; the stream key encrypts the source.',
    });
    Validations.of(policy).acknowledge(
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
      ...[EVENTS_PREFIX, EVENT_ERRORS_PREFIX].map((prefix) => prefixAcknowledgment(this.bucket, prefix)),
    );
  }
}

/** Acknowledges the object wildcard that a Firehose delivery under `prefix` needs. */
export function prefixAcknowledgment(bucket: s3.IBucket, prefix: string): { id: string; reason: string } {
  return {
    id: `AwsSolutions-IAM5[Resource::${arnReference(bucket)}/${prefix}*]`,
    reason: 'Firehose names each object it writes under this prefix itself, so no narrower resource exists.',
  };
}

/** Returns how cdk-nag writes a reference to the `Arn` attribute of a construct's resource. */
export function arnReference(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return `<${Stack.of(construct).getLogicalId(resource)}.Arn>`;
}

/** Creates a role that only Firehose, acting for this account, can assume. */
export function createFirehoseRole(scope: Construct, id: string): iam.Role {
  return new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  });
}

function lifecycleRules(props: EvidenceArchiveProps): s3.LifecycleRule[] {
  const rules: s3.LifecycleRule[] = [
    {
      id: 'MoveToDeepArchive',
      transitions: [
        { storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(props.transitionDays) },
      ],
      noncurrentVersionTransitions: [
        { storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(props.transitionDays) },
      ],
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    },
  ];
  if (props.profile === 'sandbox') {
    // Lifecycle expiration is not subject to the bucket policy, so a sandbox archive empties itself
    // once retention ends and the stack can then be deleted.
    rules.push({
      id: 'ExpireSandboxEvidence',
      expiration: Duration.days(props.retentionDays + 1),
      noncurrentVersionExpiration: Duration.days(1),
    });
    rules.push({ id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true });
  }
  return rules;
}

function validateDays(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`EvidenceArchive ${name} must be a whole number of days of at least 1, got ${value}.`);
  }
}
