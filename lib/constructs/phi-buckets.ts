import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { findDuplicates, isBucketName } from '../config-rules';

export interface PhiBucketsProps {
  /**
   * Names of existing buckets that hold PHI. When the list is empty, the construct creates one PHI
   * bucket instead.
   */
  readonly existingBucketNames: readonly string[];
  /**
   * Removal policy of the created bucket, its KMS key and its access log bucket. CloudFormation
   * cannot delete a bucket that still contains objects, so `DESTROY` removes only empty buckets.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The S3 buckets that phi-guard watches: either existing buckets imported by name, or one new
 * bucket. The new bucket is encrypted with its own customer-managed KMS key, versioned, closed to
 * public access and reachable only over TLS. It logs server access to a separate locked-down bucket.
 *
 * NOTE: The EventBridge rule receives CloudTrail events of the stack's region only, so imported
 * buckets must live in the region the stack is deployed to.
 */
export class PhiBuckets extends Construct {
  /** Every watched bucket, imported or created. */
  public readonly buckets: readonly s3.IBucket[];
  /** Names of the watched buckets, in the order of `buckets`. */
  public readonly bucketNames: readonly string[];
  /** ARNs of the watched buckets (bucket ARNs, not object ARNs), in the order of `buckets`. */
  public readonly bucketArns: readonly string[];
  /** The bucket created when no existing bucket was named, or undefined. */
  public readonly createdBucket?: s3.Bucket;
  /** KMS key of the created bucket, or undefined when buckets are imported. */
  public readonly createdBucketKey?: kms.Key;
  /** Server access log bucket of the created bucket, or undefined when buckets are imported. */
  public readonly accessLogBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: PhiBucketsProps) {
    super(scope, id);
    validateBucketNames(props.existingBucketNames);

    if (props.existingBucketNames.length > 0) {
      this.buckets = props.existingBucketNames.map((name, index) =>
        s3.Bucket.fromBucketName(this, `Imported${index}`, name),
      );
    } else {
      const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
      this.accessLogBucket = createAccessLogBucket(this, 'AccessLogBucket', removalPolicy);
      this.createdBucketKey = new kms.Key(this, 'BucketKey', {
        description: 'phi-guard: encrypts the objects of the PHI bucket',
        enableKeyRotation: true,
        removalPolicy,
      });
      this.createdBucket = createPhiBucket(this, this.createdBucketKey, this.accessLogBucket, removalPolicy);
      this.buckets = [this.createdBucket];
    }

    this.bucketNames = this.buckets.map((bucket) => bucket.bucketName);
    this.bucketArns = this.buckets.map((bucket) => bucket.bucketArn);
  }
}

function validateBucketNames(names: readonly string[]): void {
  for (const name of names) {
    if (!isBucketName(name)) {
      throw new Error(
        `Invalid PHI bucket name "${name}": use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.`,
      );
    }
  }

  const duplicates = findDuplicates(names);
  if (duplicates.length > 0) {
    throw new Error(`PHI bucket names must be unique, got "${duplicates[0]}" more than once.`);
  }
}

function createPhiBucket(
  scope: Construct,
  key: kms.IKey,
  accessLogBucket: s3.IBucket,
  removalPolicy: RemovalPolicy,
): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'Bucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    // S3 Bucket Keys cut KMS requests per object; CloudTrail still logs each object access.
    bucketKeyEnabled: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    serverAccessLogsBucket: accessLogBucket,
    serverAccessLogsPrefix: 'phi-bucket/',
    removalPolicy,
  });
  Validations.of(bucket).acknowledge({
    id: 'HIPAA.Security-S3BucketReplicationEnabled',
    reason:
      'Cross-region replication of PHI is a data residency decision left to the deployer. Versioning protects against loss.',
  });
  return bucket;
}

/**
 * Creates a bucket that receives S3 server access logs: versioned, private and TLS-only, with
 * old versions expiring after 90 days.
 */
export function createAccessLogBucket(scope: Construct, id: string, removalPolicy: RemovalPolicy): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    // S3 server access logging delivers only to buckets encrypted with S3-managed keys.
    encryption: s3.BucketEncryption.S3_MANAGED,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    removalPolicy,
  });
  Validations.of(bucket).acknowledge(
    {
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason: 'S3 server access logging supports only SSE-S3 on the destination bucket.',
    },
    {
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason: 'Access logs stay in the region of the bucket they describe.',
    },
  );
  return bucket;
}
