import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createAccessLogBucket } from './phi-buckets';

/** Scope of the management events that the trail logs besides the PHI data events. */
export type ManagementEventScope = 'all' | 'write-only' | 'none';

export interface AuditTrailProps {
  /** Bucket ARNs (`arn:aws:s3:::NAME`) whose object-level reads and writes the trail logs. */
  readonly phiBucketArns: readonly string[];
  /**
   * Management events to log. Write events record what a principal changed (IAM, bucket
   * policies), which the investigation needs. Read events are high volume and rarely decisive.
   * @default 'write-only'
   */
  readonly managementEvents?: ManagementEventScope;
  /**
   * Removal policy of the trail bucket, its access log bucket and the trail's KMS key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A multi-region CloudTrail trail that logs S3 data events for the PHI buckets only, with log
 * file validation, KMS encryption under its own key, and its own TLS-only, versioned, private
 * bucket whose server access is logged to a separate bucket. The trail never logs data events of
 * its own bucket, because every log delivery would then cause another logged event.
 */
export class AuditTrail extends Construct {
  /** Bucket that receives the trail's log and digest files. */
  public readonly bucket: s3.Bucket;
  /** KMS key that encrypts the trail's log files. Readers need `kms:Decrypt` on it. */
  public readonly key: kms.Key;
  /** The trail resource. */
  public readonly trail: cloudtrail.CfnTrail;
  /** ARN of the trail. */
  public readonly trailArn: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    if (props.phiBucketArns.length === 0) {
      throw new Error('AuditTrail needs at least one PHI bucket ARN, got none.');
    }

    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const trailName = `${stack.stackName}-phi-data-events`;
    const trailArn = `arn:${stack.partition}:cloudtrail:${stack.region}:${stack.account}:trail/${trailName}`;

    this.key = createTrailKey(this, trailArn, removalPolicy);
    this.bucket = createTrailBucket(this, trailArn, removalPolicy);
    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: this.key.keyArn,
      s3BucketName: this.bucket.bucketName,
      advancedEventSelectors: buildEventSelectors(
        props.phiBucketArns,
        props.managementEvents ?? 'write-only',
      ),
    });
    // CloudTrail checks the bucket policy when the trail is created.
    if (this.bucket.policy) {
      this.trail.node.addDependency(this.bucket.policy);
    }
    this.trailArn = this.trail.attrArn;

    Validations.of(this.trail).acknowledge({
      id: 'HIPAA.Security-CloudTrailCloudWatchLogsEnabled',
      reason:
        'Data events reach phi-guard through EventBridge and Kinesis, so a CloudWatch Logs copy would double ingestion cost.',
    });
  }
}

/** Builds the trail's advanced event selectors: PHI object data events, then management events. */
export function buildEventSelectors(
  phiBucketArns: readonly string[],
  managementEvents: ManagementEventScope,
): cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] {
  const selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] = [
    {
      name: 'PHI object reads and writes',
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        // The trailing slash limits the match to objects of exactly these buckets.
        { field: 'resources.ARN', startsWith: phiBucketArns.map((arn) => `${arn}/`) },
      ],
    },
  ];

  if (managementEvents !== 'none') {
    const fieldSelectors: cloudtrail.CfnTrail.AdvancedFieldSelectorProperty[] = [
      { field: 'eventCategory', equalTo: ['Management'] },
    ];
    if (managementEvents === 'write-only') {
      fieldSelectors.push({ field: 'readOnly', equalTo: ['false'] });
    }
    selectors.push({ name: 'Management events', fieldSelectors });
  }
  return selectors;
}

function createTrailKey(scope: Construct, trailArn: string, removalPolicy: RemovalPolicy): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'Key', {
    description: 'phi-guard: encrypts the CloudTrail log files of PHI data events',
    enableKeyRotation: true,
    removalPolicy,
  });
  const cloudTrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');

  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailToEncryptLogs',
      principals: [cloudTrailPrincipal],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': trailArn },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*`,
        },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailToDescribeKey',
      principals: [cloudTrailPrincipal],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
    }),
  );
  return key;
}

function createTrailBucket(scope: Construct, trailArn: string, removalPolicy: RemovalPolicy): s3.Bucket {
  const accessLogBucket = createAccessLogBucket(scope, 'AccessLogBucket', removalPolicy);

  const bucket = new s3.Bucket(scope, 'Bucket', {
    // CloudTrail encrypts each log file with the trail key itself, so the bucket default does not
    // need the key, and CloudTrail needs no key permission beyond its own encryption context.
    encryption: s3.BucketEncryption.S3_MANAGED,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    serverAccessLogsBucket: accessLogBucket,
    serverAccessLogsPrefix: 'trail-bucket/',
    removalPolicy,
  });
  grantCloudTrailDelivery(bucket, trailArn);
  Validations.of(bucket).acknowledge(
    {
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason: 'CloudTrail encrypts every log file with the trail KMS key when it writes the file.',
    },
    {
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'Log file validation and versioning protect the trail logs. Replication is left to the deployer.',
    },
  );
  return bucket;
}

function grantCloudTrailDelivery(bucket: s3.Bucket, trailArn: string): void {
  const stack = Stack.of(bucket);
  const cloudTrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
  const fromThisTrail = { StringEquals: { 'aws:SourceArn': trailArn } };

  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailAclCheck',
      principals: [cloudTrailPrincipal],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucketArn],
      conditions: fromThisTrail,
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailWrite',
      principals: [cloudTrailPrincipal],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
      conditions: {
        StringEquals: { 'aws:SourceArn': trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' },
      },
    }),
  );
}
