import { CfnResource, Stack } from 'aws-cdk-lib';
import type { PhiGuardConfig } from '../../lib/config';
import { synthesize } from '../support/synth';

/** A statement of a policy document, as it appears in the template. */
interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

/** An Allow statement found in the template, with the construct path of the resource that contains it. */
interface AllowStatement {
  readonly path: string;
  readonly resourceType: string;
  readonly statement: Statement;
}

/**
 * Actions that may have `"Resource": "*"`, because the AWS API accepts no narrower resource. Each entry
 * names the construct paths it covers (a pattern over the path under the stack) and the reason.
 */
const RESOURCE_WILDCARD_EXCEPTIONS: ReadonlyArray<{
  readonly path: RegExp;
  readonly actions: readonly string[];
  readonly reason: string;
}> = [
  {
    path: /\/[A-Za-z]*Role\/DefaultPolicy\/Resource$/,
    actions: [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
    reason: 'X-Ray tracing of functions and state machines: X-Ray has no resource-level permissions.',
  },
  {
    path: /\/StateMachine\/Role\/DefaultPolicy\/Resource$/,
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    reason:
      'Step Functions execution logging: the CloudWatch Logs delivery actions have no resource-level permissions.',
  },
];

const CONFIGURATIONS: ReadonlyArray<[string, Partial<PhiGuardConfig>]> = [
  ['production', { profile: 'production' }],
  ['sandbox', { profile: 'sandbox' }],
  ['existing PHI buckets', { profile: 'production', phiBucketNames: ['example-phi-records'] }],
];

/** Maps each logical id of the stack to the construct path of its resource. */
function constructPaths(stack: Stack): Map<string, string> {
  const paths = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (CfnResource.isCfnResource(construct)) {
      paths.set(stack.resolve(construct.logicalId) as string, construct.node.path);
    }
  }
  return paths;
}

/**
 * Returns the policy documents of one resource: identity policies, inline role policies, and the resource
 * policies of buckets, topics, queues, OpenSearch domains and log groups. KMS key policies are left out,
 * because `"Resource": "*"` in a key policy means the key itself.
 */
function policyDocuments(type: string, properties: Record<string, unknown>): unknown[] {
  switch (type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::S3::BucketPolicy':
    case 'AWS::SNS::TopicPolicy':
    case 'AWS::SQS::QueuePolicy':
      return [properties.PolicyDocument];
    case 'AWS::IAM::Role':
      return ((properties.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []).map(
        (policy) => policy.PolicyDocument,
      );
    case 'AWS::OpenSearchService::Domain':
      return properties.AccessPolicies ? [properties.AccessPolicies] : [];
    case 'AWS::Logs::ResourcePolicy':
      return [properties.PolicyDocument];
    default:
      return [];
  }
}

function statementsOf(document: unknown): Statement[] {
  // Log resource policies are JSON text, built with Fn::Join when they hold references.
  if (typeof document === 'string') {
    return statementsOf(JSON.parse(document));
  }
  if (document && typeof document === 'object' && 'Statement' in document) {
    return (document as { Statement: Statement[] }).Statement;
  }
  return [];
}

function allowStatements(overrides: Partial<PhiGuardConfig>): AllowStatement[] {
  const { stack, template } = synthesize(overrides);
  const paths = constructPaths(stack);
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;

  return Object.entries(resources).flatMap(([logicalId, resource]) =>
    policyDocuments(resource.Type, resource.Properties ?? {})
      .flatMap(statementsOf)
      .filter((statement) => statement.Effect === 'Allow')
      .map((statement) => ({
        path: paths.get(logicalId) ?? logicalId,
        resourceType: resource.Type,
        statement,
      })),
  );
}

function asList(value: unknown): unknown[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

function exceptionsFor(path: string, action: string) {
  return RESOURCE_WILDCARD_EXCEPTIONS.filter(
    (exception) => exception.path.test(path) && exception.actions.includes(action),
  );
}

const usedExceptions = new Set<string>();

describe.each(CONFIGURATIONS)('IAM policies, %s', (_name, overrides) => {
  const statements = allowStatements(overrides);

  test('no Action wildcard', () => {
    const offending = statements
      .filter(({ statement }) => asList(statement.Action).includes('*') || statement.NotAction !== undefined)
      .map(({ path, statement }) => `${path}: ${JSON.stringify(statement)}`);

    expect(offending).toEqual([]);
  });

  test('no NotResource in Allow', () => {
    const offending = statements
      .filter(({ statement }) => statement.NotResource !== undefined)
      .map(({ path, statement }) => `${path}: ${JSON.stringify(statement)}`);

    expect(offending).toEqual([]);
  });

  test('Resource wildcard only where listed', () => {
    const offending: string[] = [];
    for (const { path, statement } of statements.filter((entry) =>
      asList(entry.statement.Resource).includes('*'),
    )) {
      for (const action of asList(statement.Action) as string[]) {
        const covering = exceptionsFor(path, action);
        covering.forEach((exception) => usedExceptions.add(exception.reason));
        if (covering.length === 0) {
          offending.push(`${path}: ${action} on "*"`);
        }
      }
    }

    expect(offending).toEqual([]);
  });
});

test('every wildcard exception still occurs', () => {
  const unused = RESOURCE_WILDCARD_EXCEPTIONS.filter(
    (exception) => !usedExceptions.has(exception.reason),
  ).map((exception) => exception.reason);

  expect(unused).toEqual([]);
});
