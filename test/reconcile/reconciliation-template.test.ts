import { Match } from 'aws-cdk-lib/assertions';
import { synthesize } from '../support/synth';

const { template, nagFindings } = synthesize({ reconciliationSchedule: 'cron(0 3 * * ? *)' });

function reconcileFunction() {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'phi-guard-reconcile' } } },
  });
  const entries = Object.entries(functions);
  expect(entries).toHaveLength(1);
  return { logicalId: entries[0][0], properties: entries[0][1].Properties };
}

function policyOfRole(roleLogicalIdPrefix: RegExp): unknown[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => roleLogicalIdPrefix.test(role.Ref)),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as unknown[]);
}

describe('Reconciliation template', () => {
  test('schedule uses the configured expression', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [reconcileFunction().logicalId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2 },
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
      }),
    });
  });

  test('function reads the trail and archive tables', () => {
    const { properties } = reconcileFunction();
    expect(properties.Timeout).toBe(900);
    expect(properties.Environment.Variables).toMatchObject({
      TRAIL_TABLE: 'cloudtrail_events',
      ARCHIVE_TABLE: 'evidence_events',
      WINDOW_HOURS: '26',
      SETTLE_HOURS: '2',
      STREAM_NAME: { Ref: expect.stringMatching(/IngestionStream/) },
    });
    expect(properties.Environment.Variables.ARCHIVE_DATABASE).toBe('phiguardtest_evidence');
    expect(properties.Environment.Variables.TRAIL_DATABASE).toBe('phiguardtest_investigation');
  });

  test('role may put records only', () => {
    const statements = policyOfRole(/ReconciliationFunctionRole/);
    const kinesisStatements = statements.filter((statement) =>
      JSON.stringify(statement).includes('kinesis:'),
    ) as Array<{ Action: unknown; Resource: unknown }>;

    expect(kinesisStatements).toHaveLength(1);
    expect(kinesisStatements[0].Action).toBe('kinesis:PutRecords');
    expect(kinesisStatements[0].Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/IngestionStream/), 'Arn'],
    });
  });

  test('role writes only report objects', () => {
    const statements = policyOfRole(/ReconciliationFunctionRole/) as Array<{
      Action: unknown;
      Resource: unknown;
    }>;
    const evidencePuts = statements.filter(
      (statement) =>
        [statement.Action].flat().includes('s3:PutObject') &&
        JSON.stringify(statement.Resource).includes('EvidenceArchiveBucket'),
    );

    expect(evidencePuts).toHaveLength(1);
    expect(JSON.stringify(evidencePuts[0].Resource)).toContain('/reconciliation/*');
    expect(JSON.stringify(statements)).not.toContain('s3:DeleteObject');
  });

  test('alarm on two runs in a row', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReconciliationConsecutiveRunsWithReinjection',
      Namespace: 'PhiGuard',
      Dimensions: [{ Name: 'service', Value: 'phi-guard-reconcile' }],
      Statistic: 'Maximum',
      Threshold: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
    });
  });

  test('alarm on a failed run', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: reconcileFunction().logicalId } }],
      Threshold: 1,
    });
  });

  test('no unacknowledged IAM findings', () => {
    const mine = nagFindings.filter(
      (finding) =>
        /Reconciliation/.test(finding.path) && finding.rule !== 'HIPAA.Security-CloudWatchAlarmAction',
    );
    expect(mine).toEqual([]);
  });
});
