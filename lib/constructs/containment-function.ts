import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import type { RoleContainmentMode } from '../config';
import { PhiGuardFunction } from './lambda-defaults';

export interface ContainmentFunctionProps {
  /** PHI buckets that the deny covers. The function may read and write their bucket policies only. */
  readonly phiBuckets: readonly s3.IBucket[];
  /**
   * ARNs of users, roles and role sessions that are never contained, such as break-glass and test roles.
   * Entries may use `*`. Service-linked roles are always protected.
   * @default - none
   */
  readonly protectedPrincipalArns?: readonly string[];
  /**
   * phi-guard's own roles (workflows, validator, canary). They are protected like the listed ARNs.
   * @default - none, but the function's own role is protected in any case
   */
  readonly pipelineRoles?: readonly iam.IRole[];
  /**
   * When true, incidents are recorded as `skipped-monitor-mode` and nothing is contained.
   * @default false
   */
  readonly monitorMode?: boolean;
  /**
   * Containment of role sessions: `token-issue-time` ends every live session of the role, and `session`
   * denies the one session.
   * @default 'token-issue-time'
   */
  readonly roleContainmentMode?: RoleContainmentMode;
  /** Table that the containment result is recorded in. */
  readonly incidentsTable: dynamodb.ITable;
  /**
   * When true, the function returns the policy it would attach and calls no AWS API.
   * @default false
   */
  readonly dryRun?: boolean;
}

/** Actions that contain a principal: read an inline policy to stay idempotent, then put it. */
const USER_ACTIONS = ['iam:GetUserPolicy', 'iam:PutUserPolicy'];
const ROLE_ACTIONS = ['iam:GetRolePolicy', 'iam:PutRolePolicy'];
const BUCKET_POLICY_ACTIONS = ['s3:GetBucketPolicy', 's3:PutBucketPolicy'];
/** Actions on the table's customer managed key that DynamoDB needs to read and write items for the caller. */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
/** Roles that containment never changes: service-linked roles and IAM Identity Center roles. */
const SERVICE_ROLE_PATHS = ['role/aws-service-role/*', 'role/aws-reserved/*'];

/**
 * The Lambda function of the containment step. Its role may put inline policies on IAM users and roles
 * of this account and bucket policies on the PHI buckets, and an explicit deny keeps it away from
 * protected principals, service-linked roles, Identity Center roles and phi-guard's own roles.
 *
 * It has no delete permission: releases run through `phi-guard incidents release` with the operator's
 * own credentials.
 */
export class ContainmentFunction extends Construct {
  /** The containment Lambda function, which the response workflow invokes with `{ incident }`. */
  public readonly function: PhiGuardFunction;

  constructor(scope: Construct, id: string, props: ContainmentFunctionProps) {
    super(scope, id);
    if (props.phiBuckets.length === 0) {
      throw new Error('ContainmentFunction needs at least one PHI bucket in phiBuckets, got none.');
    }

    this.function = new PhiGuardFunction(this, 'Function', {
      entry: 'src/handlers/contain.ts',
      description: 'phi-guard: denies a violating principal access to the PHI buckets',
      serviceName: 'phi-guard-contain',
      timeout: Duration.seconds(60),
      environment: environmentOf(props),
    });
    const role = this.function.role;
    if (!role) {
      throw new Error('ContainmentFunction expected PhiGuardFunction to create an execution role.');
    }
    this.function.addEnvironment('PROTECTED_PRINCIPAL_ARNS', protectedArns(props, role).join(','));

    // Monitor mode and dry run change nothing, so their role gets no permission to change anything.
    if (!props.monitorMode && !props.dryRun) {
      this.grantContainment(role, props);
    }
    if (!props.dryRun) {
      grantRecording(role, props.incidentsTable);
    }
  }

  private grantContainment(role: iam.IRole, props: ContainmentFunctionProps): void {
    const stack = Stack.of(this);
    const iamArn = (resource: string) => `arn:${stack.partition}:iam::${stack.account}:${resource}`;
    const users = iamArn('user/*');
    const roles = iamArn('role/*');
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: USER_ACTIONS, resources: [users] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ROLE_ACTIONS, resources: [roles] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['iam:PutUserPolicy', 'iam:PutRolePolicy'],
        resources: [...SERVICE_ROLE_PATHS.map(iamArn), ...protectedIamArns(props, role)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: BUCKET_POLICY_ACTIONS,
        resources: props.phiBuckets.map((bucket) => bucket.bucketArn),
      }),
    );
    acknowledgeWildcardFindings(role, [users, roles]);
  }
}

/**
 * Grants what `IncidentRepository.recordContainment` does: read the item and write it back with a version
 * condition. The statement names the table only, because `Table.grant` also covers its indexes.
 */
function grantRecording(role: iam.IRole, table: dynamodb.ITable): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
    }),
  );
  table.encryptionKey?.grant(role, ...TABLE_KEY_ACTIONS);
}

function environmentOf(props: ContainmentFunctionProps): Record<string, string> {
  return {
    PHI_BUCKET_NAMES: props.phiBuckets.map((bucket) => bucket.bucketName).join(','),
    MONITOR_MODE: String(props.monitorMode ?? false),
    ROLE_CONTAINMENT_MODE: props.roleContainmentMode ?? 'token-issue-time',
    CONTAINMENT_DRY_RUN: String(props.dryRun ?? false),
    INCIDENTS_TABLE_NAME: props.incidentsTable.tableName,
  };
}

/**
 * The protected ARNs that the handler checks: the listed ones, the pipeline's roles, its own role, and
 * every role that CloudFormation creates for this stack. Those are named `STACK-LOGICALID-SUFFIX`, so one
 * pattern also covers the roles created after this function (the workflows, the validator, the canary).
 */
function protectedArns(props: ContainmentFunctionProps, role: iam.IRole): string[] {
  const pipelineArns = (props.pipelineRoles ?? []).map((pipelineRole) => pipelineRole.roleArn);
  const stack = Stack.of(role);
  const stackRoles = stack.formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `${stack.stackName}-*`,
  });
  return [...(props.protectedPrincipalArns ?? []), ...pipelineArns, role.roleArn, stackRoles];
}

/**
 * Selects the protected ARNs that name IAM users or roles, as deny resources. A user or role ARN without path
 * also gets a `*` path form, because IAM matches resources against the ARN with its path. Role session
 * ARNs are left out, because denying their whole role would stop containment of the role's other sessions.
 */
function protectedIamArns(props: ContainmentFunctionProps, role: iam.IRole): string[] {
  return protectedArns(props, role).flatMap((arn) => {
    if (!Token.isUnresolved(arn) && !/^arn:[^:]+:iam::/.test(arn)) {
      return [];
    }
    const withoutPath = /^(arn:[^:]+:iam::[^:]*:(?:user|role))\/([^/]+)$/.exec(arn);
    return withoutPath ? [arn, `${withoutPath[1]}/*/${withoutPath[2]}`] : [arn];
  });
}

/**
 * Acknowledges the cdk-nag findings on the `user/*` and `role/*` resources of the containment actions, with
 * the finding ids that cdk-nag derives from the resolved ARNs. `Validations.acknowledge` rejects ids with
 * more than one `::`, and every IAM ARN contains `iam::`, so the acknowledgment is written to the construct
 * metadata that `Validations` itself writes and cdk-nag reads.
 */
function acknowledgeWildcardFindings(role: iam.IRole, wildcardArns: readonly string[]): void {
  const reason =
    'Containment must reach whichever IAM user or role of this account violates a grant; protected principals are denied.';
  const acknowledged: Record<string, string> = {};
  for (const arn of wildcardArns) {
    acknowledged[`AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(role).resolve(arn))}]`] = reason;
  }
  role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
}
