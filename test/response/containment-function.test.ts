import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import {
  ContainmentFunction,
  type ContainmentFunctionProps,
} from '../../lib/constructs/containment-function';

const ACCOUNT = '111122223333';
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/phi-break-glass`;

interface Built {
  readonly stack: Stack;
  readonly template: Template;
  readonly construct: ContainmentFunction;
}

function build(overrides: Partial<ContainmentFunctionProps> = {}): Built {
  // An empty list of stacks to bundle skips esbuild, and the template stays the same.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ContainmentTest', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const key = new kms.Key(stack, 'TableKey', { enableKeyRotation: true });
  const table = new dynamodb.Table(stack, 'Incidents', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
  });
  const pipelineRole = new iam.Role(stack, 'ValidatorRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  const construct = new ContainmentFunction(stack, 'Containment', {
    phiBuckets: [
      s3.Bucket.fromBucketName(stack, 'Records', 'phi-records-example'),
      s3.Bucket.fromBucketName(stack, 'Imaging', 'phi-imaging-example'),
    ],
    protectedPrincipalArns: [BREAK_GLASS, `arn:aws:sts::${ACCOUNT}:assumed-role/qa-tester/session-1`],
    pipelineRoles: [pipelineRole],
    incidentsTable: table,
    ...overrides,
  });
  return { stack, template: Template.fromStack(stack), construct };
}

/** Collects the statements of the containment function's role policy. */
function statementsOf(built: Built): Record<string, unknown>[] {
  const roleLogicalId = built.stack.getLogicalId(
    built.construct.function.role!.node.defaultChild as iam.CfnRole,
  );
  const policies = built.template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties
        .PolicyDocument.Statement,
  );
}

/** An IAM ARN of the test account as the template writes it, with the partition as a reference. */
const iamArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:${resource}`]],
});

describe('ContainmentFunction', () => {
  const built = build();
  const statements = statementsOf(built);

  it('sets environment from props', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          PHI_BUCKET_NAMES: 'phi-records-example,phi-imaging-example',
          MONITOR_MODE: 'false',
          ROLE_CONTAINMENT_MODE: 'token-issue-time',
          CONTAINMENT_DRY_RUN: 'false',
          INCIDENTS_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Incidents') },
          PROTECTED_PRINCIPAL_ARNS: {
            'Fn::Join': [
              '',
              [
                `${BREAK_GLASS},arn:aws:sts::${ACCOUNT}:assumed-role/qa-tester/session-1,`,
                { 'Fn::GetAtt': [Match.stringLikeRegexp('^ValidatorRole'), 'Arn'] },
                ',',
                { 'Fn::GetAtt': [Match.stringLikeRegexp('^ContainmentFunctionRole'), 'Arn'] },
                ',arn:',
                { Ref: 'AWS::Partition' },
                `:iam::${ACCOUNT}:role/ContainmentTest-*`,
              ],
            ],
          },
        }),
      },
    });
  });

  it.each([
    ['user policies', ['iam:GetUserPolicy', 'iam:PutUserPolicy'], iamArn('user/*')],
    ['role policies', ['iam:GetRolePolicy', 'iam:PutRolePolicy'], iamArn('role/*')],
  ])('allows %s only', (_name, actions, resource) => {
    expect(statements).toContainEqual({ Effect: 'Allow', Action: actions, Resource: resource });
  });

  it('allows PHI bucket policies only', () => {
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:GetBucketPolicy', 's3:PutBucketPolicy'],
      Resource: ['phi-records-example', 'phi-imaging-example'].map((bucket) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${bucket}`]],
      })),
    });
  });

  it('denies protected roles', () => {
    const deny = statements.find((statement) => statement.Effect === 'Deny');

    expect(deny?.Action).toEqual(['iam:PutUserPolicy', 'iam:PutRolePolicy']);
    expect(deny?.Resource).toEqual([
      iamArn('role/aws-service-role/*'),
      iamArn('role/aws-reserved/*'),
      BREAK_GLASS,
      `arn:aws:iam::${ACCOUNT}:role/*/phi-break-glass`,
      { 'Fn::GetAtt': [expect.stringMatching(/^ValidatorRole/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^ContainmentFunctionRole/), 'Arn'] },
      iamArn('role/ContainmentTest-*'),
      iamArn('role/*/ContainmentTest-*'),
    ]);
  });

  it('records incidents with get and put', () => {
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Incidents/), 'Arn'] },
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      }),
    );
  });

  it('grants no delete or wildcard action', () => {
    const actions = statements.flatMap((statement) => [statement.Action].flat() as string[]);

    expect(actions.filter((action) => /Delete|:\*$/.test(action))).toEqual([]);
  });

  it('passes monitor and session settings', () => {
    const other = build({ monitorMode: true, roleContainmentMode: 'session', dryRun: true });

    other.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MONITOR_MODE: 'true',
          ROLE_CONTAINMENT_MODE: 'session',
          CONTAINMENT_DRY_RUN: 'true',
        }),
      },
    });
  });

  it.each([
    ['monitor mode', { monitorMode: true }, ['dynamodb:GetItem', 'dynamodb:PutItem']],
    ['dry run', { dryRun: true }, []],
  ])('%s grants no change', (_name, overrides, expectedActions) => {
    const actions = statementsOf(build(overrides))
      .flatMap((statement) => [statement.Action].flat() as string[])
      .filter((action) => !/^(logs|xray):/.test(action));

    expect(actions.filter((action) => !action.startsWith('kms:'))).toEqual(expectedActions);
  });

  it('rejects empty bucket list', () => {
    expect(() => build({ phiBuckets: [] })).toThrow(
      'ContainmentFunction needs at least one PHI bucket in phiBuckets, got none.',
    );
  });

  it('leaves no cdk-nag finding', () => {
    const findings = [new HIPAASecurityChecks(), new AwsSolutionsChecks()].flatMap((pack) =>
      pack
        .validateScope(built.stack)
        .violations.flatMap((violation) =>
          violation.violatingResources
            .filter((resource) => resource.constructPath?.includes('/Containment/'))
            .map((resource) => `${violation.ruleName} ${resource.constructPath}`),
        ),
    );

    expect(findings).toEqual([]);
  });
});
