import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthesize } from '../support/synth';

const { template, nagFindings } = synthesize({ canaryIntervalMinutes: 10 });
const { template: withoutCanary } = synthesize({ canaryEnabled: false });

function functionOf(tmpl: Template, canaryRole: string): { logicalId: string; roleLogicalId: string } {
  const functions = tmpl.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { CANARY_ROLE: canaryRole } } },
  });
  const entries = Object.entries(functions);
  expect(entries).toHaveLength(1);
  const [logicalId, resource] = entries[0];
  return { logicalId, roleLogicalId: resource.Properties.Role['Fn::GetAtt'][0] as string };
}

describe('Canary template', () => {
  test.each([
    ['granted', 'rate(10 minutes)'],
    ['ungranted', 'rate(1 hour)'],
  ])('%s reader schedule', (canaryRole, expression) => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: expression,
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionOf(template, canaryRole).logicalId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0 },
      }),
    });
  });

  test('readers have their own roles', () => {
    const granted = functionOf(template, 'granted');
    const ungranted = functionOf(template, 'ungranted');

    expect(granted.roleLogicalId).not.toBe(ungranted.roleLogicalId);
    for (const roleLogicalId of [granted.roleLogicalId, ungranted.roleLogicalId]) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleLogicalId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 's3:GetObject',
              Resource: {
                'Fn::Join': ['', [Match.anyValue(), '/phi-guard-canary/synthetic-object.txt']],
              },
            }),
          ]),
        },
      });
    }
  });

  test('custom resource grants the granted role', () => {
    const granted = functionOf(template, 'granted');
    template.hasResourceProperties('Custom::PhiGuardCanary', {
      Bucket: { Ref: Match.stringLikeRegexp('PhiBucket') },
      Key: 'phi-guard-canary/synthetic-object.txt',
      GrantsTableName: { Ref: Match.stringLikeRegexp('GrantStoreTable') },
      ReaderRoleArn: { 'Fn::GetAtt': [granted.roleLogicalId, 'Arn'] },
    });
  });

  test('setup role writes and revokes grants', () => {
    const setup = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.setupHandler' } }),
    );
    expect(setup).toHaveLength(1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: setup[0].Properties.Role['Fn::GetAtt'][0] }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('GrantStoreTable'), 'Arn'] },
          }),
        ]),
      },
    });
  });

  test('containment protects canary roles', () => {
    const ungranted = functionOf(template, 'ungranted');
    const containment = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'phi-guard-contain' } } },
      }),
    );

    expect(containment).toHaveLength(1);
    const protectedArns = JSON.stringify(
      containment[0].Properties.Environment.Variables.PROTECTED_PRINCIPAL_ARNS,
    );
    expect(protectedArns).toContain(ungranted.roleLogicalId);
    expect(protectedArns).toContain(functionOf(template, 'granted').roleLogicalId);
  });

  test.each([
    ['Authorized', 'CanaryAuthorizedDecisions', 'authorized', 30],
    ['Violation', 'CanaryViolationDecisions', 'violation', 150],
  ])('%s decision alarm', (_id, metricName, decision, windowMinutes) => {
    const filters = Object.values(
      template.findResources('AWS::Logs::MetricFilter', {
        Properties: { MetricTransformations: [Match.objectLike({ MetricName: metricName })] },
      }),
    );
    expect(filters).toHaveLength(1);
    expect(JSON.stringify(filters[0].Properties.FilterPattern)).toContain(`($.decision = \\"${decision}\\")`);
    expect(JSON.stringify(filters[0].Properties.LogGroupName)).toMatch(/ValidatorFunctionLogGroup/);

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      Namespace: 'PhiGuard/Canary',
      Period: windowMinutes * 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('validator names canary principals', () => {
    const validator = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'phi-guard-validator' } } },
      }),
    );
    const keys = JSON.stringify(validator[0].Properties.Environment.Variables.CANARY_PRINCIPAL_KEYS);
    expect(keys).toContain(functionOf(template, 'granted').roleLogicalId);
    expect(keys).toContain(functionOf(template, 'ungranted').roleLogicalId);
  });

  test.each(['granted', 'ungranted'])('%s read failure alarm', (canaryRole) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CanaryReadFailures',
      Dimensions: Match.arrayWith([{ Name: 'CanaryRole', Value: canaryRole }]),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('disabled canary adds nothing', () => {
    withoutCanary.resourceCountIs('Custom::PhiGuardCanary', 0);
    expect(
      Object.keys(
        withoutCanary.findResources('AWS::Logs::MetricFilter', {
          Properties: { MetricTransformations: [Match.objectLike({ MetricNamespace: 'PhiGuard/Canary' })] },
        }),
      ),
    ).toHaveLength(0);
    expect(
      Object.keys(
        withoutCanary.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'phi-guard-canary' } } },
        }),
      ),
    ).toHaveLength(0);
  });

  test('no unacknowledged IAM findings', () => {
    const mine = nagFindings.filter(
      (finding) => /Canary/.test(finding.path) && finding.rule !== 'HIPAA.Security-CloudWatchAlarmAction',
    );
    expect(mine).toEqual([]);
  });
});
