/**
 * Chooses how to contain an incident's principal, or why not to. Pure: no AWS imports.
 */
import type { RoleContainmentMode } from '../../../lib/config';
import type { Principal } from '../../domain/types';
import type { ContainmentResult, ContainmentStatus, Incident } from '../types';
import {
  PolicyDocument,
  PolicyStatement,
  bucketPolicyCondition,
  buildBucketDenyStatement,
  buildIdentityDenyPolicy,
  containmentPolicyName,
  containmentSid,
  partitionOf,
  roleSessionCondition,
  tokenIssuedBeforeCondition,
} from './policy-builder';
import { isProtectedPrincipal } from './protected-principals';

export interface ContainmentSettings {
  /** Names of the PHI buckets that the deny covers. */
  readonly phiBucketNames: readonly string[];
  /** ARNs never contained. Service-linked roles and AWS services are protected without being listed. */
  readonly protectedPrincipalArns: readonly string[];
  readonly monitorMode: boolean;
  readonly roleContainmentMode: RoleContainmentMode;
  /** When true, the policy is returned and no AWS API is called. */
  readonly dryRun: boolean;
}

export type SkipStatus = Extract<
  ContainmentStatus,
  'skipped-protected' | 'skipped-monitor-mode' | 'skipped-review' | 'alert-only'
>;

export interface SkipPlan {
  readonly kind: 'skip';
  readonly status: SkipStatus;
  readonly detail: string;
}

/** An inline deny policy on the principal's own IAM user or role. */
export interface IdentityPolicyPlan {
  readonly kind: 'identity-policy';
  readonly strategy: 'user-inline-deny' | 'role-token-issue-time-deny' | 'role-session-deny';
  readonly entity: 'user' | 'role';
  readonly entityName: string;
  readonly policyName: string;
  readonly document: PolicyDocument;
  /** Effect of the policy, as a clause for the result's detail sentence. */
  readonly effect: string;
}

/** A deny statement with one `Sid` added to the policy of each PHI bucket. */
export interface BucketPolicyPlan {
  readonly kind: 'bucket-policy';
  readonly strategy: 'bucket-policy-deny';
  readonly sid: string;
  readonly statements: readonly { readonly bucket: string; readonly statement: PolicyStatement }[];
  readonly effect: string;
}

export type ContainmentPlan = SkipPlan | IdentityPolicyPlan | BucketPolicyPlan;

/**
 * Reads `principalId` (`userIdentity.principalId`) when the principal carries it.
 * NOTE: `Principal` has no such field yet, so role ids are unknown and session matches use `*:SESSION_NAME`.
 */
export function principalIdOf(principal: Principal): string | undefined {
  const value = principal.principalId;
  return value !== undefined && value.length > 0 ? value : undefined;
}

/** Chooses the containment for an incident. `now` is the containment time, which token issue times are compared with. */
export function planContainment(
  incident: Incident,
  settings: ContainmentSettings,
  now: Date,
): ContainmentPlan {
  const skip = skipReason(incident, settings);
  if (skip) {
    return skip;
  }

  const principal = incident.principal;
  const needsBucketPolicy = principal.identityCenter || principal.crossAccount;
  if (principal.type === 'IAMUser' && !needsBucketPolicy) {
    return planUserPolicy(incident, settings);
  }
  if (principal.type === 'AssumedRole' && !needsBucketPolicy) {
    return planRolePolicy(incident, settings, now);
  }
  return planBucketPolicy(incident, settings);
}

function skipReason(incident: Incident, settings: ContainmentSettings): SkipPlan | undefined {
  const principal = incident.principal;
  if (incident.kind === 'break-glass-review') {
    return skip('skipped-review', 'Break-glass access is reviewed, not contained.');
  }
  if (principal.serviceLinked || principal.type === 'AWSService') {
    return skip(
      'skipped-protected',
      `${principal.arn} is an AWS service or service-linked role, never contained.`,
    );
  }
  if (isProtectedPrincipal(principal, settings.protectedPrincipalArns)) {
    return skip('skipped-protected', `${principal.arn} is on the protected principal list.`);
  }
  if (settings.monitorMode) {
    return skip('skipped-monitor-mode', 'Monitor mode is on, so nothing was contained.');
  }
  return alertOnlyReason(principal);
}

function alertOnlyReason(principal: Principal): SkipPlan | undefined {
  if (principal.type === 'Root') {
    return skip(
      'alert-only',
      `Root user ${principal.arn} cannot be contained by policy, so act on the alert.`,
    );
  }
  if (principal.type === 'Anonymous' || principal.type === 'Unknown') {
    return skip(
      'alert-only',
      `A ${principal.type} principal has no identity to deny, so review who can reach the bucket.`,
    );
  }
  if (principal.key.startsWith('unresolved:')) {
    return skip(
      'alert-only',
      `The ${principal.type} identity ${principal.arn} could not be resolved to deny it.`,
    );
  }
  return undefined;
}

function skip(status: SkipStatus, detail: string): SkipPlan {
  return { kind: 'skip', status, detail };
}

function planUserPolicy(incident: Incident, settings: ContainmentSettings): IdentityPolicyPlan {
  const { principal, incidentId } = incident;
  const partition = partitionOf(principal.arn);
  return {
    kind: 'identity-policy',
    strategy: 'user-inline-deny',
    entity: 'user',
    entityName: lastSegment(principal.key),
    policyName: containmentPolicyName(incidentId),
    document: buildIdentityDenyPolicy(containmentSid(incidentId), settings.phiBucketNames, partition),
    effect: 'denies the user every S3 action on the PHI buckets',
  };
}

function planRolePolicy(incident: Incident, settings: ContainmentSettings, now: Date): IdentityPolicyPlan {
  const { principal, incidentId } = incident;
  const sessionName = principal.sessionName;
  const bySession = settings.roleContainmentMode === 'session' && sessionName !== undefined;
  const condition = bySession
    ? roleSessionCondition(sessionName, principalIdOf(principal))
    : tokenIssuedBeforeCondition(now);
  const sid = containmentSid(incidentId);

  return {
    kind: 'identity-policy',
    strategy: bySession ? 'role-session-deny' : 'role-token-issue-time-deny',
    entity: 'role',
    entityName: lastSegment(principal.roleArn ?? principal.key),
    policyName: containmentPolicyName(incidentId),
    document: buildIdentityDenyPolicy(sid, settings.phiBucketNames, partitionOf(principal.arn), condition),
    effect: bySession
      ? `denies role session ${sessionName} every S3 action on the PHI buckets`
      : 'denies every role session issued before containment all S3 actions on the PHI buckets, while sessions issued later keep access',
  };
}

function planBucketPolicy(incident: Incident, settings: ContainmentSettings): BucketPolicyPlan | SkipPlan {
  const { principal, incidentId } = incident;
  const condition = bucketPolicyCondition(principal, principalIdOf(principal));
  if (!condition) {
    return skip(
      'alert-only',
      `${principal.arn} carries no identifier narrower than its account, so act on the alert.`,
    );
  }

  const sid = containmentSid(incidentId);
  const partition = partitionOf(principal.arn);
  return {
    kind: 'bucket-policy',
    strategy: 'bucket-policy-deny',
    sid,
    statements: settings.phiBucketNames.map((bucket) => ({
      bucket,
      statement: buildBucketDenyStatement(sid, bucket, partition, condition),
    })),
    effect: `denies ${principal.arn} every S3 action through the PHI bucket policies`,
  };
}

function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Builds the containment result for a plan, with the policy that was (or would be) attached. */
export function resultForPlan(
  plan: ContainmentPlan,
  status: ContainmentStatus,
  detail: string,
): ContainmentResult {
  if (plan.kind === 'skip') {
    return { status, strategy: 'none', detail };
  }
  return {
    status,
    strategy: plan.strategy,
    target: targetOf(plan),
    policyName: plan.kind === 'identity-policy' ? plan.policyName : plan.sid,
    policyDocument: JSON.stringify(documentOf(plan)),
    detail,
  };
}

/** Returns the IAM user or role name, or the comma-separated bucket names (bucket names cannot contain commas). */
function targetOf(plan: IdentityPolicyPlan | BucketPolicyPlan): string {
  return plan.kind === 'identity-policy'
    ? plan.entityName
    : plan.statements.map((item) => item.bucket).join(',');
}

function documentOf(plan: IdentityPolicyPlan | BucketPolicyPlan): PolicyDocument {
  if (plan.kind === 'identity-policy') {
    return plan.document;
  }
  return { Version: '2012-10-17', Statement: plan.statements.map((item) => item.statement) };
}

/** Describes where a plan puts its policy, such as `inline policy phi-guard-deny-x on role Analyst`. */
export function describePlacement(plan: IdentityPolicyPlan | BucketPolicyPlan): string {
  if (plan.kind === 'identity-policy') {
    return `inline policy ${plan.policyName} on ${plan.entity} ${plan.entityName}`;
  }
  return `statement ${plan.sid} in the bucket policy of ${targetOf(plan)}`;
}

/** Builds the result of a dry run: the policy that containment would attach, with no AWS call made. */
export function dryRunResult(plan: ContainmentPlan): ContainmentResult {
  if (plan.kind === 'skip') {
    return resultForPlan(plan, plan.status, plan.detail);
  }
  return resultForPlan(
    plan,
    'dry-run',
    `Dry run: would add ${describePlacement(plan)}, which ${plan.effect}.`,
  );
}
