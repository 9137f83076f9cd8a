import { Match } from 'aws-cdk-lib/assertions';
import { synthTemplate } from '../support/synth';

type Comparison = 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

/** Each alarm that a pipeline stage declares: metric, threshold, comparison and periods, with the defaults. */
const ALARMS: ReadonlyArray<[string, string, string, number, Comparison, number, number]> = [
  // [alarm, namespace, metric name, threshold, comparison, evaluation periods, alarms with this metric]
  [
    'stream iterator age',
    'AWS/Kinesis',
    'GetRecords.IteratorAgeMilliseconds',
    300_000,
    'GreaterThanOrEqualToThreshold',
    1,
    1,
  ],
  [
    'stream write throttles',
    'AWS/Kinesis',
    'WriteProvisionedThroughputExceeded',
    1,
    'GreaterThanOrEqualToThreshold',
    1,
    1,
  ],
  ['rule failed invocations', 'AWS/Events', 'FailedInvocations', 1, 'GreaterThanOrEqualToThreshold', 1, 2],
  [
    'dead-letter queue messages',
    'AWS/SQS',
    'ApproximateNumberOfMessagesVisible',
    1,
    'GreaterThanOrEqualToThreshold',
    1,
    4,
  ],
  [
    'function errors, validator and reconciliation',
    'AWS/Lambda',
    'Errors',
    1,
    'GreaterThanOrEqualToThreshold',
    1,
    2,
  ],
  ['validator throttles', 'AWS/Lambda', 'Throttles', 1, 'GreaterThanOrEqualToThreshold', 1, 1],
  ['validator failed records', 'PhiGuard', 'FailedRecords', 1, 'GreaterThanOrEqualToThreshold', 1, 1],
  ['workflow failed executions', 'AWS/States', 'ExecutionsFailed', 1, 'GreaterThanOrEqualToThreshold', 1, 2],
  [
    'workflow timed-out executions',
    'AWS/States',
    'ExecutionsTimedOut',
    1,
    'GreaterThanOrEqualToThreshold',
    1,
    2,
  ],
  [
    'archive delivery freshness',
    'AWS/Firehose',
    'DeliveryToS3.DataFreshness',
    900,
    'GreaterThanOrEqualToThreshold',
    1,
    1,
  ],
  ['archive delivery failures', 'AWS/Firehose', 'DeliveryToS3.Success', 1, 'LessThanThreshold', 3, 1],
  [
    'decision delivery freshness',
    'AWS/Firehose',
    'DeliveryToAmazonOpenSearchService.DataFreshness',
    900,
    'GreaterThanOrEqualToThreshold',
    1,
    1,
  ],
  [
    'decision delivery failures',
    'AWS/Firehose',
    'DeliveryToAmazonOpenSearchService.Success',
    1,
    'LessThanThreshold',
    3,
    1,
  ],
  ['cluster status red', 'AWS/ES', 'ClusterStatus.red', 1, 'GreaterThanOrEqualToThreshold', 1, 1],
  ['cluster status yellow', 'AWS/ES', 'ClusterStatus.yellow', 1, 'GreaterThanOrEqualToThreshold', 5, 1],
  ['free storage, 25% of 100 GiB', 'AWS/ES', 'FreeStorageSpace', 25_600, 'LessThanOrEqualToThreshold', 1, 1],
  ['JVM memory pressure', 'AWS/ES', 'JVMMemoryPressure', 95, 'GreaterThanOrEqualToThreshold', 3, 1],
];

const template = synthTemplate({ profile: 'production' });

function operationsTopicId(): string {
  const topics = template.findResources('AWS::SNS::Topic', {
    Properties: { DisplayName: 'phi-guard operations alarms' },
  });
  expect(Object.keys(topics)).toHaveLength(1);
  return Object.keys(topics)[0];
}

describe('operations alarms', () => {
  const topicId = operationsTopicId();

  test.each(ALARMS)('%s', (_name, namespace, metricName, threshold, comparison, periods, count) => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: {
        Namespace: namespace,
        MetricName: metricName,
        Threshold: threshold,
        ComparisonOperator: comparison,
        EvaluationPeriods: periods,
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
      },
    });

    expect(Object.keys(alarms)).toHaveLength(count);
  });

  test('failed records on service dimension', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FailedRecords',
      Dimensions: [{ Name: 'service', Value: 'phi-guard-validator' }],
    });
  });

  test('every alarm notifies operations topic', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const silent = Object.entries(alarms)
      .filter(
        ([, alarm]) => JSON.stringify(alarm.Properties.AlarmActions) !== JSON.stringify([{ Ref: topicId }]),
      )
      .map(([id]) => id);

    expect(Object.keys(alarms).length).toBeGreaterThan(ALARMS.length);
    expect(silent).toEqual([]);
  });

  test('dashboard shows every alarm', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(Object.values(dashboards)[0].Properties.DashboardBody);
    const missing = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (id) => !body.includes(`"${id}"`),
    );

    expect(Object.keys(dashboards)).toHaveLength(1);
    expect(missing).toEqual([]);
  });

  test('sandbox storage threshold from volume', () => {
    synthTemplate({ profile: 'sandbox' }).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreeStorageSpace',
      Threshold: 2_560,
    });
  });
});

describe('operations topic', () => {
  test('encrypted with its own key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'phi-guard operations alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperationsKey'), 'Arn'] },
    });
  });

  test('key lets CloudWatch publish', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'phi-guard: encrypts operations alarm notifications in SNS',
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('topic policy allows alarms, requires TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: operationsTopicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  test('subscribes operations e-mails', () => {
    const withEmails = synthTemplate({ operationsEmails: ['ops@example.org', 'oncall@example.org'] });

    withEmails.resourcePropertiesCountIs(
      'AWS::SNS::Subscription',
      { Protocol: 'email', Endpoint: 'ops@example.org' },
      1,
    );
    withEmails.resourcePropertiesCountIs(
      'AWS::SNS::Subscription',
      { Protocol: 'email', Endpoint: 'oncall@example.org' },
      1,
    );
  });

  test('rejects invalid e-mail', () => {
    expect(() => synthTemplate({ operationsEmails: ['not-an-address'] })).toThrow(
      'Operations e-mail addresses must look like name@example.org, got ["not-an-address"].',
    );
  });
});
