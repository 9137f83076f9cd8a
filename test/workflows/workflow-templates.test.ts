import { Match } from 'aws-cdk-lib/assertions';
import { synthesize, synthTemplate } from '../support/synth';

const template = synthTemplate();

function logicalIdMatching(type: string, pattern: RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('workflow templates', () => {
  it.each([
    ['EXPRESS', 'Triage'],
    ['STANDARD', 'Response'],
  ])('%s state machine logs and traces', (type, name) => {
    const logGroup = logicalIdMatching(
      'AWS::Logs::LogGroup',
      new RegExp(`^SecurityEvents${name}ExecutionLogs`),
    );

    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: type,
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroup, 'Arn'] } } }],
      },
    });
  });

  it('execution log groups use KMS', () => {
    for (const name of ['triage', 'response']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/vendedlogs/states/PhiGuardTest-${name}`,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PhiGuardFunctionLogKey'), 'Arn'] },
        RetentionInDays: 365,
      });
    }
  });

  it('triage function gets table and window', () => {
    const table = logicalIdMatching('AWS::DynamoDB::Table', /^SecurityEventsIncidentStoreTable/);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({ INCIDENTS_TABLE_NAME: { Ref: table }, INCIDENT_WINDOW_MINUTES: '15' }),
      },
    });
  });

  it('report function gets Object Lock settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ REPORT_RETENTION_DAYS: '2190', OBJECT_LOCK_MODE: 'COMPLIANCE' }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^SecurityEventsResponseReportFunctionRole'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['s3:PutObject', 's3:PutObjectRetention'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, '/reports/*']] },
          }),
        ]),
      },
    });
  });

  it('incidents table encrypted and protected', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('alerts topic uses its own key', () => {
    const key = logicalIdMatching('AWS::KMS::Key', /^SecurityEventsSecurityAlertsKey/);

    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowPublishingServices',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('alerts topic rejects requests without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('alert e-mails subscribed', () => {
    const withEmails = synthTemplate({ alertEmails: ['soc@example.org', 'privacy-office@example.org'] });

    withEmails.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 2);
    withEmails.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'soc@example.org',
    });
  });

  it('trail table projects account, region, day', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'cloudtrail_events',
        PartitionKeys: [
          { Name: 'account', Type: 'string' },
          { Name: 'region', Type: 'string' },
          { Name: 'event_date', Type: 'string' },
        ],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.account.type': 'enum',
          'projection.region.type': 'enum',
          'projection.event_date.type': 'date',
          'projection.event_date.format': 'yyyy/MM/dd',
          'projection.event_date.range': '2025/01/01,NOW',
          'projection.event_date.interval.unit': 'DAYS',
          'storage.location.template': {
            'Fn::Join': [
              '',
              ['s3://', { Ref: Match.anyValue() }, '/AWSLogs/${account}/CloudTrail/${region}/${event_date}'],
            ],
          },
        }),
        StorageDescriptor: Match.objectLike({
          InputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'com.amazon.emr.hive.serde.CloudTrailSerde' }),
        }),
      }),
    });
  });

  it('investigation workgroup enforces its configuration', () => {
    const bucket = logicalIdMatching('AWS::S3::Bucket', /^SecurityEventsTrailHistoryResultsBucket/);
    const key = logicalIdMatching('AWS::KMS::Key', /^SecurityEventsTrailHistoryResultsKey/);

    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'PhiGuardTest-investigation',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/athena/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [key, 'Arn'] } },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
        },
      }),
    });
  });

  it('response role may run investigations', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^SecurityEventsResponseStateMachineRole'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: [
              'athena:GetQueryExecution',
              'athena:GetQueryResults',
              'athena:StartQueryExecution',
              'athena:StopQueryExecution',
            ],
          }),
          Match.objectLike({
            Action: ['macie2:CreateClassificationJob', 'macie2:DescribeClassificationJob'],
          }),
          Match.objectLike({ Action: ['glue:GetDatabase', 'glue:GetPartitions', 'glue:GetTable'] }),
        ]),
      },
    });
  });

  it('triage role starts only the response', () => {
    const response = logicalIdMatching(
      'AWS::StepFunctions::StateMachine',
      /^SecurityEventsResponseStateMachine/,
    );

    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^SecurityEventsTriageStateMachineRole'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: response } }),
        ]),
      },
    });
  });

  it('workflow constructs leave no finding', () => {
    const findings = synthesize()
      .nagFindings.filter((finding) =>
        /\/(Triage|Response|IncidentStore|SecurityAlerts|TrailHistory)\//.test(finding.path),
      )
      .map((finding) => finding.rule);

    expect(findings).toEqual([]);
  });
});
