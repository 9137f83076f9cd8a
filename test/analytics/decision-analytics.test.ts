import { Match } from 'aws-cdk-lib/assertions';
import { arnOf, logicalIdOf, synthAnalytics } from './analytics-stack';

type Profile = 'production' | 'sandbox';

function domainProperties(profile: Profile) {
  const domains = synthAnalytics(profile).template.findResources('AWS::OpenSearchService::Domain');
  expect(Object.keys(domains)).toHaveLength(1);
  return Object.values(domains)[0].Properties;
}

function decisionsStream() {
  const streams = synthAnalytics('production').template.findResources(
    'AWS::KinesisFirehose::DeliveryStream',
    {
      Properties: { DeliveryStreamType: 'DirectPut' },
    },
  );
  expect(Object.keys(streams)).toHaveLength(1);
  return Object.values(streams)[0].Properties;
}

describe('OpenSearch domain', () => {
  test.each([
    [
      'production',
      {
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        DedicatedMasterType: 'm7g.large.search',
        InstanceCount: 3,
        InstanceType: 'r7g.large.search',
        MultiAZWithStandbyEnabled: false,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
      },
    ],
    [
      'sandbox',
      {
        DedicatedMasterEnabled: false,
        InstanceCount: 1,
        InstanceType: 't3.small.search',
        MultiAZWithStandbyEnabled: false,
        ZoneAwarenessEnabled: false,
      },
    ],
  ] as const)('%s cluster sizing', (profile, clusterConfig) => {
    expect(domainProperties(profile).ClusterConfig).toEqual(clusterConfig);
    expect(domainProperties(profile).EBSOptions).toEqual(
      expect.objectContaining({ EBSEnabled: true, VolumeType: 'gp3' }),
    );
  });

  test.each(['production', 'sandbox'] as const)('%s encryption and TLS', (profile) => {
    const properties = domainProperties(profile);

    expect(properties.EncryptionAtRestOptions).toEqual({
      Enabled: true,
      KmsKeyId: { Ref: logicalIdOf(synthAnalytics(profile).analytics.key) },
    });
    expect(properties.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(properties.DomainEndpointOptions).toEqual({
      EnforceHTTPS: true,
      TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10',
    });
  });

  test('IAM master user, no password', () => {
    const { analytics } = synthAnalytics('production');

    expect(domainProperties('production').AdvancedSecurityOptions).toEqual({
      Enabled: true,
      InternalUserDatabaseEnabled: false,
      MasterUserOptions: { MasterUserARN: arnOf(analytics.setupRole) },
    });
    synthAnalytics('production').template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  test('publishes four log types', () => {
    const options = domainProperties('production').LogPublishingOptions;

    expect(Object.keys(options).sort()).toEqual([
      'AUDIT_LOGS',
      'ES_APPLICATION_LOGS',
      'INDEX_SLOW_LOGS',
      'SEARCH_SLOW_LOGS',
    ]);
    for (const option of Object.values(options)) {
      expect(option).toEqual(expect.objectContaining({ Enabled: true }));
    }
  });

  test('takes snapshots at 03:00 UTC', () => {
    expect(domainProperties('production').SnapshotOptions).toEqual({ AutomatedSnapshotStartHour: 3 });
  });

  test('access policy names only roles', () => {
    const { analytics } = synthAnalytics('production');
    const statements = domainProperties('production').AccessPolicies.Statement as Array<{
      Principal: { AWS: unknown };
      Action: string | string[];
    }>;

    expect(statements.map((statement) => statement.Principal.AWS)).toEqual([
      arnOf(analytics.setupRole),
      arnOf(analytics.deliveryRole),
      arnOf(analytics.analystRole),
    ]);
    expect(statements[2].Action).toEqual(['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost']);
    expect(statements.flatMap((statement) => [statement.Action].flat())).not.toContain('es:ESHttpDelete');
  });
});

describe('decisions delivery stream', () => {
  test('has exactly one destination', () => {
    const destinations = Object.keys(decisionsStream()).filter((name) =>
      name.endsWith('DestinationConfiguration'),
    );

    expect(destinations).toEqual(['AmazonopensearchserviceDestinationConfiguration']);
  });

  test('rotates phi-decisions daily', () => {
    const destination = decisionsStream().AmazonopensearchserviceDestinationConfiguration;

    expect(destination.IndexName).toBe('phi-decisions');
    expect(destination.IndexRotationPeriod).toBe('OneDay');
    expect(destination.DomainARN).toEqual(arnOf(synthAnalytics('production').analytics.domain));
  });

  test('backs up all documents', () => {
    const { archive } = synthAnalytics('production');
    const destination = decisionsStream().AmazonopensearchserviceDestinationConfiguration;

    expect(destination.S3BackupMode).toBe('AllDocuments');
    expect(destination.S3Configuration).toEqual(
      expect.objectContaining({
        BucketARN: arnOf(archive.bucket),
        CompressionFormat: 'GZIP',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: arnOf(archive.key) } },
      }),
    );
  });

  test('backup prefix has day partitions', () => {
    const configuration = decisionsStream().AmazonopensearchserviceDestinationConfiguration.S3Configuration;

    expect(configuration.Prefix).toBe(
      'decisions/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
    );
    expect(configuration.ErrorOutputPrefix).toBe(
      'opensearch-failed/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
    );
  });

  test('encrypted with customer key', () => {
    expect(decisionsStream().DeliveryStreamEncryptionConfigurationInput).toEqual({
      KeyType: 'CUSTOMER_MANAGED_CMK',
      KeyARN: arnOf(synthAnalytics('production').analytics.key),
    });
  });

  test('role writes only its prefixes', () => {
    const { template, analytics, archive } = synthAnalytics('production');
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalIdOf(analytics.deliveryRole) }] },
    });
    const statements = Object.values(policies).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    );
    const s3Statements = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('s3:')),
    );
    const objectResources = (prefix: string) => ({
      'Fn::Join': ['', [arnOf(archive.bucket), `/${prefix}*`]],
    });

    expect(s3Statements.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
      [
        ...['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        ...['s3:AbortMultipartUpload', 's3:PutObject'],
      ].sort(),
    );
    expect(s3Statements.flatMap((statement) => [statement.Resource].flat())).toEqual(
      expect.arrayContaining([objectResources('decisions/'), objectResources('opensearch-failed/')]),
    );
    expect(s3Statements.flatMap((statement) => [statement.Resource].flat())).toHaveLength(3);
  });

  test('role uses archive key through S3', () => {
    const { template, analytics, archive } = synthAnalytics('production');

    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(analytics.deliveryRole) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: arnOf(archive.key),
            Condition: {
              StringEquals: {
                'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
              },
            },
          },
        ]),
      },
    });
  });
});

describe('setup custom resource', () => {
  test('permissions limited to the domain', () => {
    const { template, analytics } = synthAnalytics('production');
    const domainArn = arnOf(analytics.domain);

    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(analytics.setupRole) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'es:ESHttp*',
            Resource: [domainArn, { 'Fn::Join': ['', [domainArn, '/*']] }],
          },
        ]),
      },
    });
  });

  test('passes roles and retention', () => {
    const { template, analytics } = synthAnalytics('production');

    template.hasResourceProperties('Custom::PhiGuardOpenSearchSetup', {
      DomainEndpoint: { 'Fn::GetAtt': [logicalIdOf(analytics.domain), 'DomainEndpoint'] },
      WriterRoleArn: arnOf(analytics.deliveryRole),
      AnalystRoleArn: arnOf(analytics.analystRole),
      RetentionDays: '365',
      DocumentsHash: Match.stringLikeRegexp('^[0-9a-f]{64}$'),
    });
  });

  test('delivery waits for setup', () => {
    const { template, analytics } = synthAnalytics('production');
    const streams = template.findResources('AWS::KinesisFirehose::DeliveryStream', {
      Properties: { DeliveryStreamType: 'DirectPut' },
    });

    expect(Object.values(streams)[0].DependsOn).toContain(logicalIdOf(analytics.setup.resource));
  });
});

describe('analyst role', () => {
  test('requires the analyst principal tag', () => {
    synthAnalytics('production').template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'phi-guard: read-only search and dashboards of access decisions',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: Match.anyValue() },
            Condition: { StringEquals: { 'aws:PrincipalTag/phi-guard-analyst': 'true' } },
          },
        ],
      },
    });
  });

  test('has no IAM policy', () => {
    const { template, analytics } = synthAnalytics('production');
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: Match.arrayWith([{ Ref: logicalIdOf(analytics.analystRole) }]) },
    });

    expect(Object.keys(policies)).toEqual([]);
  });
});

describe('cdk-nag on analytics constructs', () => {
  test.each(['production', 'sandbox'] as const)('%s has no open findings', (profile) => {
    // The test stack's Kinesis stream replaces the detection constructs, so its findings are not checked here.
    const findings = synthAnalytics(profile).nagFindings.filter(
      (finding) => !finding.endsWith('AnalyticsTest/Stream/Resource'),
    );

    expect(findings).toEqual([]);
  });
});
