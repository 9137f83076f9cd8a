import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ValidatorFunction } from '../../lib/constructs/validator-function';
import { synthesize, synthTemplate } from '../support/synth';

const IMPORTED_BUCKETS = ['phi-records-example-a', 'phi-records-example-b'];

/** Returns the logical id of the one resource of `type` whose id starts with `prefix`. */
function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) {
    throw new Error(
      `Expected one ${type} with logical id prefix ${prefix}, found ${ids.length}: ${ids.join(', ')}`,
    );
  }
  return ids[0];
}

function resourceProperties(template: Template, id: string): Record<string, unknown> {
  return template.toJSON().Resources[id].Properties as Record<string, unknown>;
}

/** Statements of every IAM policy attached to the role whose logical id starts with `rolePrefix`. */
function roleStatements(template: Template, rolePrefix: string): Record<string, unknown>[] {
  const roleId = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
  );
  return policies.flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[],
  );
}

function actionsOf(statement: Record<string, unknown>): string[] {
  return ([] as string[]).concat(statement.Action as string | string[]);
}

describe('created PHI bucket', () => {
  const template = synthTemplate();
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'SecurityEventsPhiBucketsBucket');
  const logBucketId = logicalId(template, 'AWS::S3::Bucket', 'SecurityEventsPhiBucketsAccessLogBucket');

  it('bucket encrypts with rotated KMS key', () => {
    const keyId = logicalId(template, 'AWS::KMS::Key', 'SecurityEventsPhiBucketsBucketKey');
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
              },
            }),
          ],
        },
      }),
    });
    expect(resourceProperties(template, keyId).EnableKeyRotation).toBe(true);
  });

  it('bucket is versioned and private', () => {
    const properties = resourceProperties(template, bucketId);
    expect(properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('bucket logs access to log bucket', () => {
    expect(resourceProperties(template, bucketId).LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logBucketId },
      LogFilePrefix: 'phi-bucket/',
    });
  });

  it.each([
    ['PHI bucket', 'SecurityEventsPhiBucketsBucket'],
    ['access log bucket', 'SecurityEventsPhiBucketsAccessLogBucket'],
  ])('%s policy denies plain HTTP', (_name, prefix) => {
    const id = logicalId(template, 'AWS::S3::Bucket', prefix);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('access log bucket is locked down', () => {
    const properties = resourceProperties(template, logBucketId);
    expect(properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(properties.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('production bucket is retained', () => {
    expect(template.toJSON().Resources[bucketId].DeletionPolicy).toBe('Retain');
  });
});

describe('imported PHI buckets', () => {
  const template = synthTemplate({ phiBucketNames: IMPORTED_BUCKETS });

  it('import creates no PHI bucket', () => {
    const created = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) =>
      id.startsWith('SecurityEventsPhiBuckets'),
    );
    expect(created).toEqual([]);
  });

  it('trail selects every imported bucket', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      AdvancedEventSelectors: Match.arrayWith([
        Match.objectLike({
          FieldSelectors: Match.arrayWith([
            {
              Field: 'resources.ARN',
              StartsWith: IMPORTED_BUCKETS.map((name) => ({
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${name}/`]],
              })),
            },
          ]),
        }),
      ]),
    });
  });

  it('rule matches every imported bucket', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({
          $or: Match.arrayWith([{ requestParameters: { bucketName: IMPORTED_BUCKETS } }]),
        }),
      }),
    });
  });

  it('validator lists imported buckets', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MONITORED_BUCKETS: IMPORTED_BUCKETS.join(',') }) },
    });
  });
});

describe('audit trail', () => {
  const template = synthTemplate();
  const trailId = logicalId(template, 'AWS::CloudTrail::Trail', 'SecurityEventsAuditTrail');
  const trail = resourceProperties(template, trailId);
  const trailBucketId = logicalId(template, 'AWS::S3::Bucket', 'SecurityEventsAuditTrailBucket');
  const phiBucketId = logicalId(template, 'AWS::S3::Bucket', 'SecurityEventsPhiBucketsBucket');
  const trailKeyId = logicalId(template, 'AWS::KMS::Key', 'SecurityEventsAuditTrailKey');

  it('trail validates log files', () => {
    expect(trail.EnableLogFileValidation).toBe(true);
    expect(trail.IsLogging).toBe(true);
  });

  it('trail encrypts with own key', () => {
    expect(trail.KMSKeyId).toEqual({ 'Fn::GetAtt': [trailKeyId, 'Arn'] });
    expect(trail.S3BucketName).toEqual({ Ref: trailBucketId });
    expect(resourceProperties(template, trailKeyId).EnableKeyRotation).toBe(true);
  });

  it('data selector covers PHI objects only', () => {
    const [dataSelector] = trail.AdvancedEventSelectors as { FieldSelectors: unknown[] }[];
    expect(dataSelector.FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      {
        Field: 'resources.ARN',
        StartsWith: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [phiBucketId, 'Arn'] }, '/']] }],
      },
    ]);
  });

  it('selectors never name trail bucket', () => {
    expect(JSON.stringify(trail.AdvancedEventSelectors)).not.toContain(trailBucketId);
  });

  it('management selector logs writes only', () => {
    const selectors = trail.AdvancedEventSelectors as { FieldSelectors: unknown[] }[];
    expect(selectors[1].FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Management'] },
      { Field: 'readOnly', Equals: ['false'] },
    ]);
  });

  it('key policy lets only this trail encrypt', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudTrailToEncryptLogs',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Condition: Match.objectLike({
              StringEquals: {
                'aws:SourceArn': {
                  'Fn::Join': Match.arrayWith([Match.arrayWith([':trail/PhiGuardTest-phi-data-events'])]),
                },
              },
            }),
          }),
        ]),
      },
    });
  });

  it('trail bucket is private, versioned, logged', () => {
    const properties = resourceProperties(template, trailBucketId);
    expect(properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicPolicy: true });
    expect(properties.LoggingConfiguration).toMatchObject({
      DestinationBucketName: {
        Ref: logicalId(template, 'AWS::S3::Bucket', 'SecurityEventsAuditTrailAccessLogBucket'),
      },
    });
  });

  it('trail bucket admits this trail only', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: trailBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'AllowCloudTrailWrite',
            Action: 's3:PutObject',
            Condition: {
              StringEquals: Match.objectLike({
                's3:x-amz-acl': 'bucket-owner-full-control',
                'aws:SourceArn': Match.anyValue(),
              }),
            },
          }),
        ]),
      },
    });
  });
});

describe('event ingestion', () => {
  const template = synthTemplate({ phiBucketNames: IMPORTED_BUCKETS });
  const streamId = logicalId(template, 'AWS::Kinesis::Stream', 'SecurityEventsIngestionStream');
  const streamKeyId = logicalId(template, 'AWS::KMS::Key', 'SecurityEventsIngestionStreamKey');
  const queueId = logicalId(template, 'AWS::SQS::Queue', 'SecurityEventsIngestionDeadLetterQueue');

  it.each([
    ['PrincipalRule', true, '$.detail.userIdentity.arn'],
    ['NoArnRule', false, '$.id'],
  ])('%s pattern and partition key', (ruleName, hasArn, partitionKeyPath) => {
    const ruleId = logicalId(template, 'AWS::Events::Rule', `SecurityEventsIngestion${ruleName}`);
    const rule = resourceProperties(template, ruleId);
    expect(rule.EventPattern).toMatchObject({
      source: ['aws.s3'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventCategory: ['Data'],
        userIdentity: { arn: [{ exists: hasArn }] },
        $or: [
          { requestParameters: { bucketName: IMPORTED_BUCKETS } },
          { resources: { ARN: expect.any(Array) } },
        ],
      },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [streamId, 'Arn'] },
        KinesisParameters: { PartitionKeyPath: partitionKeyPath },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      }),
    ]);
  });

  it('rule matches copies out of PHI buckets', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({
          $or: Match.arrayWith([
            {
              resources: {
                ARN: IMPORTED_BUCKETS.map((name) => ({
                  prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${name}/`]] },
                })),
              },
            },
          ]),
        }),
      }),
    });
  });

  it('stream uses rotated customer key', () => {
    expect(resourceProperties(template, streamId).StreamEncryption).toEqual({
      EncryptionType: 'KMS',
      KeyId: { 'Fn::GetAtt': [streamKeyId, 'Arn'] },
    });
    expect(resourceProperties(template, streamKeyId).EnableKeyRotation).toBe(true);
  });

  it('stream defaults to on-demand, 7 days', () => {
    const stream = resourceProperties(template, streamId);
    expect(stream.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(stream.ShardCount).toBeUndefined();
    expect(stream.RetentionPeriodHours).toBe(168);
  });

  it('shard count selects provisioned mode', () => {
    const provisioned = synthTemplate({ phiBucketNames: IMPORTED_BUCKETS, streamShardCount: 3 });
    provisioned.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 3,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
    });
  });

  it('rule role may only put and encrypt', () => {
    const statements = roleStatements(template, 'SecurityEventsIngestionTargetRole');
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: { 'Fn::GetAtt': [streamId, 'Arn'] },
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: { 'Fn::GetAtt': [streamKeyId, 'Arn'] },
      }),
    ]);
  });

  it('rule dead-letter queue is encrypted', () => {
    const queue = resourceProperties(template, queueId);
    expect(queue.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [logicalId(template, 'AWS::KMS::Key', 'SecurityEventsIngestionDeadLetterKey'), 'Arn'],
    });
    expect(queue.MessageRetentionPeriod).toBe(1209600);
  });
});

describe('grant store', () => {
  const template = synthTemplate();
  const tableId = logicalId(template, 'AWS::DynamoDB::Table', 'SecurityEventsGrantStoreTable');
  const table = resourceProperties(template, tableId);

  it('table keys and grantId index', () => {
    expect(table.KeySchema).toEqual([
      { AttributeName: 'principalKey', KeyType: 'HASH' },
      { AttributeName: 'grantId', KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'grantId-index',
        KeySchema: [{ AttributeName: 'grantId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('table uses customer key', () => {
    expect(table.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: {
        'Fn::GetAtt': [logicalId(template, 'AWS::KMS::Key', 'SecurityEventsGrantStoreTableKey'), 'Arn'],
      },
    });
  });

  it('production table is protected', () => {
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.DeletionProtectionEnabled).toBe(true);
    expect(template.toJSON().Resources[tableId].DeletionPolicy).toBe('Retain');
  });

  it('sandbox table can be deleted', () => {
    const sandbox = synthTemplate({ profile: 'sandbox' });
    const sandboxTableId = logicalId(sandbox, 'AWS::DynamoDB::Table', 'SecurityEventsGrantStoreTable');
    expect(resourceProperties(sandbox, sandboxTableId).DeletionProtectionEnabled).toBe(false);
    expect(sandbox.toJSON().Resources[sandboxTableId].DeletionPolicy).toBe('Delete');
  });
});

describe('validator function', () => {
  const template = synthTemplate();
  const functionId = logicalId(template, 'AWS::Lambda::Function', 'SecurityEventsValidatorFunction');
  const fn = resourceProperties(template, functionId);
  const queueId = logicalId(template, 'AWS::SQS::Queue', 'SecurityEventsValidatorDeadLetterQueue');

  it('function runs node22 on arm64', () => {
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    expect(fn.MemorySize).toBe(512);
    expect(fn.Timeout).toBe(60);
  });

  it('function environment has required variables', () => {
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      GRANTS_TABLE_NAME: {
        Ref: logicalId(template, 'AWS::DynamoDB::Table', 'SecurityEventsGrantStoreTable'),
      },
      MONITORED_BUCKETS: { Ref: logicalId(template, 'AWS::S3::Bucket', 'SecurityEventsPhiBucketsBucket') },
      GRANT_CACHE_TTL_SECONDS: '60',
      POWERTOOLS_SERVICE_NAME: 'phi-guard-validator',
      POWERTOOLS_METRICS_NAMESPACE: 'PhiGuard',
    });
  });

  it('event source mapping settings', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId },
      EventSourceArn: {
        'Fn::GetAtt': [logicalId(template, 'AWS::Kinesis::Stream', 'SecurityEventsIngestionStream'), 'Arn'],
      },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 86400,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('dead-letter queue has own key', () => {
    const queue = resourceProperties(template, queueId);
    expect(queue.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [logicalId(template, 'AWS::KMS::Key', 'SecurityEventsValidatorDeadLetterKey'), 'Arn'],
    });
    expect(queue.MessageRetentionPeriod).toBe(1209600);
  });

  it('log group keeps one year encrypted', () => {
    const logGroupId = logicalId(template, 'AWS::Logs::LogGroup', 'SecurityEventsValidatorFunctionLogGroup');
    expect(fn.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: { Ref: logGroupId } });
    expect(resourceProperties(template, logGroupId)).toMatchObject({
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(template, 'AWS::KMS::Key', 'PhiGuardFunctionLogKey'), 'Arn'] },
    });
  });

  it('role only queries grants table', () => {
    const tableId = logicalId(template, 'AWS::DynamoDB::Table', 'SecurityEventsGrantStoreTable');
    const tableStatements = roleStatements(template, 'SecurityEventsValidatorFunctionRole').filter(
      (statement) => JSON.stringify(statement.Resource).includes(tableId),
    );
    expect(tableStatements).toHaveLength(1);
    expect(actionsOf(tableStatements[0])).toEqual(['dynamodb:Query']);
    expect(tableStatements[0].Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
  });

  it('role decrypts with table key', () => {
    const keyId = logicalId(template, 'AWS::KMS::Key', 'SecurityEventsGrantStoreTableKey');
    const keyStatements = roleStatements(template, 'SecurityEventsValidatorFunctionRole').filter(
      (statement) => JSON.stringify(statement.Resource).includes(keyId),
    );
    expect(keyStatements.flatMap(actionsOf)).toEqual(['kms:Decrypt']);
  });
});

describe('detection cdk-nag findings', () => {
  const detectionPaths = ['PhiBuckets', 'AuditTrail', 'Ingestion', 'GrantStore', 'Validator'].map(
    (id) => `PhiGuardTest/SecurityEvents/${id}/`,
  );

  it.each([
    ['created bucket', {}],
    ['imported buckets', { phiBucketNames: IMPORTED_BUCKETS }],
  ])('%s has no open findings', (_name, overrides) => {
    const findings = synthesize(overrides).nagFindings.filter(
      (finding) =>
        detectionPaths.some((prefix) => finding.path.startsWith(prefix)) ||
        finding.path.startsWith('PhiGuardTest/PhiGuardFunctionLogKey/'),
    );
    expect(findings).toEqual([]);
  });
});

describe('validator construct alone', () => {
  function buildValidator(withTargets: boolean, outdir?: string) {
    const app = new App({ outdir, context: outdir ? {} : { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'ValidatorAlone');
    const tableKey = new kms.Key(stack, 'TableKey');
    new ValidatorFunction(stack, 'Validator', {
      stream: new kinesis.Stream(stack, 'Stream'),
      grantsTable: new dynamodb.Table(stack, 'Table', {
        partitionKey: { name: 'principalKey', type: dynamodb.AttributeType.STRING },
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: tableKey,
      }),
      monitoredBucketNames: ['phi-records-example-a'],
      grantCacheTtlSeconds: 30,
      decisionDeliveryStream: withTargets
        ? firehose.DeliveryStream.fromDeliveryStreamName(stack, 'Decisions', 'phi-guard-decisions')
        : undefined,
      triageStateMachine: withTargets
        ? sfn.StateMachine.fromStateMachineArn(
            stack,
            'Triage',
            'arn:aws:states:us-east-1:111122223333:stateMachine:phi-guard-triage',
          )
        : undefined,
    });
    return { app, template: Template.fromStack(stack) };
  }

  function validatorVariables(template: Template): Record<string, unknown> {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    return fn.Properties.Environment.Variables;
  }

  it('no targets, no target variables', () => {
    const variables = validatorVariables(buildValidator(false).template);
    expect(Object.keys(variables).sort()).toEqual([
      'GRANTS_TABLE_NAME',
      'GRANT_CACHE_TTL_SECONDS',
      'MONITORED_BUCKETS',
      'NODE_OPTIONS',
      'POWERTOOLS_LOGGER_LOG_EVENT',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
    ]);
  });

  it('targets set variables and grants', () => {
    const { template } = buildValidator(true);
    const variables = validatorVariables(template);
    expect(variables.DECISION_STREAM_NAME).toBe('phi-guard-decisions');
    expect(variables.TRIAGE_STATE_MACHINE_ARN).toBe(
      'arn:aws:states:us-east-1:111122223333:stateMachine:phi-guard-triage',
    );

    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[],
    );
    const firehoseStatement = statements.find((statement) =>
      JSON.stringify(statement).includes('deliverystream/'),
    );
    expect(firehoseStatement?.Action).toBe('firehose:PutRecordBatch');
    const statesStatement = statements.find((statement) =>
      JSON.stringify(statement.Action).includes('states:'),
    );
    expect(statesStatement).toMatchObject({
      Action: 'states:StartExecution',
      Resource: 'arn:aws:states:us-east-1:111122223333:stateMachine:phi-guard-triage',
    });
  });

  it('bundle loads as ES module', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-bundle-'));
    try {
      buildValidator(false, outdir).app.synth();
      const bundle = fs
        .readdirSync(outdir)
        .map((entry) => path.join(outdir, entry, 'index.mjs'))
        .find((file) => fs.existsSync(file));
      expect(bundle).toBeDefined();

      // A separate Node.js process imports the bundle, because Jest runs tests as CommonJS.
      const probe = `import(${JSON.stringify(pathToFileURL(bundle as string).href)}).then((m) => console.log(typeof m.handler))`;
      const output = execFileSync(process.execPath, ['-e', probe], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_EC2_METADATA_DISABLED: 'true',
          GRANTS_TABLE_NAME: 'grants',
          MONITORED_BUCKETS: 'phi-records-example-a',
          GRANT_CACHE_TTL_SECONDS: '30',
          POWERTOOLS_SERVICE_NAME: 'phi-guard-validator',
          POWERTOOLS_METRICS_NAMESPACE: 'PhiGuard',
        },
      });
      expect(output.trim()).toBe('function');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
