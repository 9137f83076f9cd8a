import { Match } from 'aws-cdk-lib/assertions';
import { arnOf, refOf, synthAnalytics } from './analytics-stack';

const PROFILES = [
  ['production', 'COMPLIANCE', 2190, 'Retain'],
  ['sandbox', 'GOVERNANCE', 1, 'Delete'],
] as const;

function objectLockBucket(profile: 'production' | 'sandbox') {
  const buckets = synthAnalytics(profile).template.findResources('AWS::S3::Bucket', {
    Properties: { ObjectLockEnabled: true },
  });
  expect(Object.keys(buckets)).toHaveLength(1);
  return Object.values(buckets)[0];
}

describe('evidence bucket', () => {
  test.each(PROFILES)('%s locks objects in %s for %i days', (profile, mode, days, deletionPolicy) => {
    const bucket = objectLockBucket(profile);

    expect(bucket.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: mode, Days: days } },
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.DeletionPolicy).toBe(deletionPolicy);
  });

  test('encrypted with rotating customer key', () => {
    const { template, archive } = synthAnalytics('production');

    expect(objectLockBucket('production').Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: arnOf(archive.key),
          },
        },
      ],
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'phi-guard: encrypts the evidence archive of S3 data events',
      EnableKeyRotation: true,
    });
  });

  test('blocks public access and logs', () => {
    const properties = objectLockBucket('production').Properties;

    expect(properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(properties.LoggingConfiguration).toEqual({
      DestinationBucketName: refOf(synthAnalytics('production').archive.accessLogsBucket),
      LogFilePrefix: 'evidence-bucket/',
    });
  });

  test('moves objects to Deep Archive', () => {
    const rules = objectLockBucket('production').Properties.LifecycleConfiguration.Rules;

    expect(rules).toContainEqual(
      expect.objectContaining({
        Id: 'MoveToDeepArchive',
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 90 }],
      }),
    );
    expect(rules.some((rule: { ExpirationInDays?: number }) => rule.ExpirationInDays !== undefined)).toBe(
      false,
    );
  });

  test('sandbox evidence expires after retention', () => {
    const rules = objectLockBucket('sandbox').Properties.LifecycleConfiguration.Rules;

    expect(rules).toContainEqual(
      expect.objectContaining({ Id: 'ExpireSandboxEvidence', ExpirationInDays: 2 }),
    );
  });

  test('policy denies deletion and plain HTTP', () => {
    synthAnalytics('production').template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('EvidenceArchiveBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Sid: 'DenyEvidenceDeletion',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['s3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion'],
          }),
        ]),
      },
    });
  });
});

describe('evidence delivery stream', () => {
  function archiveStream() {
    const streams = synthAnalytics('production').template.findResources(
      'AWS::KinesisFirehose::DeliveryStream',
      {
        Properties: { DeliveryStreamType: 'KinesisStreamAsSource' },
      },
    );
    expect(Object.keys(streams)).toHaveLength(1);
    return Object.values(streams)[0].Properties;
  }

  test('has exactly one destination', () => {
    const destinations = Object.keys(archiveStream()).filter((name) =>
      name.endsWith('DestinationConfiguration'),
    );

    expect(destinations).toEqual(['ExtendedS3DestinationConfiguration']);
  });

  test('reads the Kinesis stream', () => {
    const { stream, archive } = synthAnalytics('production');

    expect(archiveStream().KinesisStreamSourceConfiguration).toEqual({
      KinesisStreamARN: arnOf(stream),
      RoleARN: arnOf(archive.deliveryRole),
    });
  });

  test('writes GZIP JSON lines by hour', () => {
    const destination = archiveStream().ExtendedS3DestinationConfiguration;

    expect(destination.CompressionFormat).toBe('GZIP');
    expect(destination.Prefix).toBe(
      'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
    );
    expect(destination.ErrorOutputPrefix).toMatch(/^errors\/!\{firehose:error-output-type\}\//);
    expect(destination.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }],
    });
    expect(destination.BufferingHints).toEqual({ IntervalInSeconds: 300, SizeInMBs: 64 });
    expect(destination.EncryptionConfiguration).toEqual({
      KMSEncryptionConfig: { AWSKMSKeyARN: arnOf(synthAnalytics('production').archive.key) },
    });
  });
});

describe('evidence delivery role', () => {
  function policyStatements() {
    const policies = synthAnalytics('production').template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('EvidenceArchiveDeliveryRole') }] },
    });
    expect(Object.keys(policies)).toHaveLength(1);
    return Object.values(policies)[0].Properties.PolicyDocument.Statement as Array<{
      Action: string | string[];
      Resource: unknown;
    }>;
  }

  test('decrypts the stream key', () => {
    expect(policyStatements()).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: arnOf(synthAnalytics('production').streamKey),
    });
  });

  test('reads the stream only', () => {
    const kinesisActions = policyStatements()
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => action.startsWith('kinesis:'));

    expect(kinesisActions.sort()).toEqual([
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
    ]);
  });

  test('cannot delete or read objects', () => {
    const actions = policyStatements().flatMap((statement) => [statement.Action].flat());

    expect(actions.filter((action) => /^s3:(Delete|GetObject|\*)/.test(action))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 'kms:GenerateDataKey']));
  });

  test('trusted by Firehose of this account', () => {
    synthAnalytics('production').template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'firehose.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          },
        ],
      },
    });
  });
});
