/**
 * Builds the deny policies and bucket policy statements that contain a principal's access to the PHI
 * buckets. Pure: no AWS imports, no I/O.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../../domain/types';

export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  /** Set in bucket policies only, because an identity policy applies to the identity it is attached to. */
  readonly Principal?: '*';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

const POLICY_NAME_PREFIX = 'phi-guard-deny-';
const SID_PREFIX = 'PhiGuardDeny';
/** IAM limit for inline policy names, which may contain letters, digits and `_+=,.@-`. */
const MAX_POLICY_NAME_LENGTH = 128;
/** Sids have no documented length limit in bucket policies, so this limit only keeps them readable. */
const MAX_SID_LENGTH = 100;
const HASH_LENGTH = 12;

/**
 * Derives the inline policy name for an incident, such as `phi-guard-deny-inc-2025`. Characters that IAM
 * rejects are replaced, and a hash of the full id is appended when anything was replaced or cut, so that
 * two incident ids never share a name.
 */
export function containmentPolicyName(incidentId: string): string {
  const cleaned = incidentId.replace(/[^\w+=,.@-]/g, '-');
  return fitWithHash(POLICY_NAME_PREFIX, cleaned, incidentId, MAX_POLICY_NAME_LENGTH, '-');
}

/** Derives the statement `Sid` for an incident. Sids allow only ASCII letters and digits. */
export function containmentSid(incidentId: string): string {
  const cleaned = incidentId.replace(/[^A-Za-z0-9]/g, '');
  return fitWithHash(SID_PREFIX, cleaned, incidentId, MAX_SID_LENGTH, '');
}

function fitWithHash(
  prefix: string,
  cleaned: string,
  original: string,
  max: number,
  separator: string,
): string {
  const plain = prefix + cleaned;
  if (cleaned === original && plain.length <= max) {
    return plain;
  }

  const hash = createHash('sha256').update(original).digest('hex').slice(0, HASH_LENGTH);
  const room = max - prefix.length - separator.length - hash.length;
  return prefix + cleaned.slice(0, room) + separator + hash;
}

/** Returns `aws`, `aws-us-gov` or `aws-cn` from an ARN, and `aws` for anything that is not an ARN. */
export function partitionOf(arn: string): string {
  const match = /^arn:(aws[a-z-]*):/.exec(arn);
  return match ? match[1] : 'aws';
}

/** Returns the bucket ARN and its object ARN pattern, so that `s3:*` on both covers bucket and object actions. */
export function bucketResources(bucket: string, partition: string): string[] {
  return [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`];
}

/** Builds a policy for an IAM user or role that denies every S3 action on the PHI buckets. */
export function buildIdentityDenyPolicy(
  sid: string,
  buckets: readonly string[],
  partition: string,
  condition?: ConditionBlock,
): PolicyDocument {
  const statement: PolicyStatement = {
    Sid: sid,
    Effect: 'Deny',
    Action: 's3:*',
    Resource: buckets.flatMap((bucket) => bucketResources(bucket, partition)),
    ...(condition ? { Condition: condition } : {}),
  };
  return { Version: '2012-10-17', Statement: [statement] };
}

/**
 * Builds a condition that matches role sessions whose credentials were issued before `issuedBefore`, which
 * ends the live sessions and leaves sessions issued later alone. The time is rounded up to the next whole
 * second, so that a session issued earlier in the same second is covered too.
 */
export function tokenIssuedBeforeCondition(issuedBefore: Date): ConditionBlock {
  const roundedUp = new Date(Math.ceil(issuedBefore.getTime() / 1000) * 1000);
  const time = roundedUp.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { DateLessThan: { 'aws:TokenIssueTime': time } };
}

/**
 * Builds a condition on `aws:userid` that matches one role session, whose user id is `ROLE_ID:SESSION_NAME`.
 * Without the role id it uses `*:SESSION_NAME`. Role session names cannot contain `*` or `?`, so the pattern
 * matches that session name only, on the role that the policy is attached to or that the statement names.
 */
export function roleSessionCondition(sessionName: string, principalId?: string): ConditionBlock {
  if (principalId && principalId.endsWith(`:${sessionName}`)) {
    return { StringEquals: { 'aws:userid': principalId } };
  }
  return { StringLike: { 'aws:userid': `*:${sessionName}` } };
}

/** Builds a bucket policy statement that denies every S3 action on one bucket to the principals `condition` matches. */
export function buildBucketDenyStatement(
  sid: string,
  bucket: string,
  partition: string,
  condition: ConditionBlock,
): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: bucketResources(bucket, partition),
    Condition: condition,
  };
}

/**
 * Matches the principal's role. Without the issuer's ARN the role path is unknown, so the role name is
 * matched without a path and after any path (paths start and end with a slash).
 */
function roleArnCondition(principal: Principal): ConditionBlock {
  if (principal.roleArn) {
    return { ArnEquals: { 'aws:PrincipalArn': principal.roleArn } };
  }
  const withPath = principal.key.replace(/:role\/([^/]+)$/, ':role/*/$1');
  return { ArnLike: { 'aws:PrincipalArn': [principal.key, withPath] } };
}

/**
 * Returns the condition that identifies `principal` in a bucket policy, or undefined when the record carries
 * no identifier narrower than the account. Denying a whole account would also block its other principals.
 */
export function bucketPolicyCondition(
  principal: Principal,
  principalId?: string,
): ConditionBlock | undefined {
  if (principal.type === 'AssumedRole' && principal.sessionName) {
    const session = roleSessionCondition(principal.sessionName, principalId);
    return { ...roleArnCondition(principal), ...session };
  }
  if (principal.type === 'IAMUser') {
    return { ArnEquals: { 'aws:PrincipalArn': principal.arn } };
  }
  if (principal.type === 'FederatedUser' && principal.accountId && principal.sessionName) {
    // The user id of a federated user session is `ACCOUNT:NAME`, the name given to GetFederationToken.
    return { StringEquals: { 'aws:userid': `${principal.accountId}:${principal.sessionName}` } };
  }
  const identityStoreUserId = /^arn:aws[a-z-]*:identitystore:::user\/(.+)$/.exec(principal.key)?.[1];
  if (identityStoreUserId) {
    return { StringEquals: { 'identitystore:UserId': identityStoreUserId } };
  }
  if (principalId) {
    return { StringEquals: { 'aws:userid': principalId } };
  }
  return undefined;
}
