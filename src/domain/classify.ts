/**
 * Decides whether one object access was authorized, using the grants of its principal at the time of the
 * event. `docs/grants.md` lists the rules in the order they apply.
 */
import { parseIsoTime } from './iso-time';
import type { Decision, DecisionType, Grant, ObjectAccess } from './types';
import { keyPrefix } from './key-prefix';

export interface DecisionContext {
  /** Processing time, ISO 8601 UTC; recorded in the decision but never used to match grants. */
  readonly decidedAt: string;
  /** Buckets that hold PHI. Undefined means every bucket is monitored. */
  readonly monitoredBuckets?: ReadonlySet<string>;
}

/**
 * Error codes with which S3 rejects a request before it reads or changes an object. They are the
 * authorization, authentication and account failures of the Amazon S3 API reference "Error responses".
 * `VpceAccessDenied` is added because CloudTrail records it when a VPC endpoint policy rejects the request.
 */
export const AUTHORIZATION_ERROR_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccountProblem',
  'AllAccessDisabled',
  'AuthorizationHeaderMalformed',
  'AuthorizationQueryParametersError',
  'CredentialsNotSupported',
  'ExpiredToken',
  'InvalidAccessKeyId',
  'InvalidPayer',
  'InvalidSecurity',
  'InvalidToken',
  'MissingSecurityHeader',
  'NotSignedUp',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
  'VpceAccessDenied',
]);

/**
 * Decides one access. The first matching rule decides:
 * 1. `out-of-scope` when the bucket is not monitored.
 * 2. `service` for AWS services and service-linked roles.
 * 3. `denied` when S3 rejected the request with an authorization error.
 * 4. `authorized` when a grant covers the access at its event time, or `break-glass` when only
 *    break-glass grants cover it.
 * 5. `violation` otherwise.
 *
 * @param grants the grants stored under `access.principal.key`; grants of other principals are ignored.
 */
export function decideAccess(
  access: ObjectAccess,
  grants: readonly Grant[],
  context: DecisionContext,
): Decision {
  const { principal, bucket } = access;

  if (context.monitoredBuckets !== undefined && !context.monitoredBuckets.has(bucket)) {
    return buildDecision(access, context, 'out-of-scope', `Bucket ${bucket} is not a monitored PHI bucket.`);
  }

  if (principal.type === 'AWSService' || principal.serviceLinked) {
    const caller =
      principal.type === 'AWSService'
        ? `AWS service ${principal.key}`
        : `service-linked role ${principal.key}`;
    return buildDecision(
      access,
      context,
      'service',
      `The request was made by ${caller}, which grants do not cover.`,
    );
  }

  if (access.errorCode !== undefined && AUTHORIZATION_ERROR_CODES.has(access.errorCode)) {
    return buildDecision(
      access,
      context,
      'denied',
      `S3 rejected the request with ${access.errorCode}, so no object was read or changed.`,
    );
  }

  // Root, anonymous and unresolved principals have keys that principalKeyOf never produces, so a grant
  // stored under such a key was not written through the grant rules and is ignored.
  if (!isGrantable(access)) return buildDecision(access, context, 'violation', explainMissingGrant(access));

  return decideByGrants(
    access,
    grants.filter((grant) => grant.principalKey === principal.key),
    context,
  );
}

function isGrantable({ principal }: ObjectAccess): boolean {
  return (
    principal.type !== 'Root' && principal.type !== 'Anonymous' && !principal.key.startsWith('unresolved:')
  );
}

function decideByGrants(access: ObjectAccess, grants: readonly Grant[], context: DecisionContext): Decision {
  const checks = [...grants]
    .sort(byGrantId)
    .map((grant) => ({ grant, mismatch: findMismatch(access, grant) }));
  const covering = checks.filter((check) => check.mismatch === undefined).map((check) => check.grant);
  const normal = covering.find((grant) => !grant.breakGlass);
  const breakGlass = covering.find((grant) => grant.breakGlass);

  if (normal) return authorizedDecision(access, context, normal, 'authorized');
  if (breakGlass) return authorizedDecision(access, context, breakGlass, 'break-glass');

  return buildDecision(access, context, 'violation', explainViolation(access, findClosest(checks)));
}

/** Returns the check whose grant came closest to covering the access; on a tie, the lowest grantId. */
function findClosest(checks: readonly Check[]): Check | undefined {
  let closest: Check | undefined;
  for (const check of checks) {
    if (check.mismatch && (!closest?.mismatch || check.mismatch.stage > closest.mismatch.stage))
      closest = check;
  }

  return closest;
}

interface Check {
  readonly grant: Grant;
  readonly mismatch?: Mismatch;
}

/**
 * The first grant condition an access fails: 1 bucket, 2 prefix, 3 action, 4 session, 5 time. A higher
 * stage means the grant came closer to covering the access. Stages 4 and 5 carry their own reason.
 */
interface Mismatch {
  readonly stage: number;
  readonly reason?: string;
}

function findMismatch(access: ObjectAccess, grant: Grant): Mismatch | undefined {
  if (grant.bucket !== access.bucket) return { stage: 1 };
  if (!prefixCovers(grant.prefix, access.key)) return { stage: 2 };
  if (!grant.actions.includes(access.action)) return { stage: 3 };

  const sessionName = access.principal.sessionName;
  if (grant.sessionName !== undefined && grant.sessionName !== sessionName) {
    return {
      stage: 4,
      reason: `Grant ${grant.grantId} covers session ${grant.sessionName}, not ${describeSession(sessionName)}.`,
    };
  }

  return findTimeMismatch(access, grant);
}

/** `*` covers the whole bucket. A literal prefix covers the keys, and the listed prefixes, that start with it. */
function prefixCovers(prefix: string, key: string): boolean {
  return prefix === '*' || key.startsWith(prefix);
}

function findTimeMismatch(access: ObjectAccess, grant: Grant): Mismatch | undefined {
  const eventTime = parseIsoTime(access.eventTime) ?? Number.NaN;
  const at = `the event at ${access.eventTime}`;

  if (
    grant.revokedAt !== undefined &&
    !(eventTime < (parseIsoTime(grant.revokedAt) ?? Number.NEGATIVE_INFINITY))
  ) {
    return { stage: 5, reason: `Grant ${grant.grantId} was revoked at ${grant.revokedAt}, before ${at}.` };
  }

  if (!(eventTime < (parseIsoTime(grant.expiresAt) ?? Number.NEGATIVE_INFINITY))) {
    return { stage: 5, reason: `Grant ${grant.grantId} expired at ${grant.expiresAt}, before ${at}.` };
  }

  if (!(eventTime >= (parseIsoTime(grant.notBefore) ?? Number.POSITIVE_INFINITY))) {
    return {
      stage: 5,
      reason: `Grant ${grant.grantId} is not valid until ${grant.notBefore}; the event was at ${access.eventTime}.`,
    };
  }

  return undefined;
}

function explainViolation(access: ObjectAccess, closest: Check | undefined): string {
  const { principal, bucket, action } = access;
  // Keys can contain patient identifiers, and the reason travels into alerts and dashboards:
  // the key itself stays in the decision's `key` field only.
  const target = action === 'list' ? 'the listed prefix' : 'the object key';

  if (closest?.mismatch === undefined) return explainMissingGrant(access);

  switch (closest.mismatch.stage) {
    case 1:
      return `Grants exist for ${principal.key}, but none for bucket ${bucket}.`;
    case 2:
      return `Grants for ${principal.key} cover bucket ${bucket}, but none covers ${target}.`;
    case 3:
      return `Grants for ${principal.key} cover ${target} in bucket ${bucket}, but none allows ${action}.`;
    default:
      return closest.mismatch.reason ?? `Grant ${closest.grant.grantId} does not cover the access.`;
  }
}

function explainMissingGrant(access: ObjectAccess): string {
  const { principal } = access;
  if (principal.type === 'Root')
    return `No grant can cover the root user of account ${principal.accountId ?? 'unknown'}; root access to PHI is always a violation.`;
  if (principal.type === 'Anonymous')
    return 'No grant can cover an anonymous (unsigned) request; anonymous access to PHI is always a violation.';
  if (principal.key.startsWith('unresolved:'))
    return `No grant can cover ${principal.key}, because CloudTrail did not identify a principal that grants can name.`;
  return `No grant exists for principal ${principal.key}.`;
}

function describeSession(sessionName: string | undefined): string {
  return sessionName === undefined ? 'a request without a session name' : `session ${sessionName}`;
}

/** Orders grants by grantId in code unit order, so that the chosen grant does not depend on the locale. */
function byGrantId(left: Grant, right: Grant): number {
  if (left.grantId < right.grantId) return -1;
  if (left.grantId > right.grantId) return 1;
  return 0;
}

function authorizedDecision(
  access: ObjectAccess,
  context: DecisionContext,
  grant: Grant,
  type: 'authorized' | 'break-glass',
): Decision {
  const scope =
    grant.prefix === '*'
      ? `all of bucket ${grant.bucket}`
      : `prefix "${grant.prefix}" in bucket ${grant.bucket}`;
  const reason =
    type === 'authorized'
      ? `Grant ${grant.grantId} allows ${access.action} on ${scope} for ${grant.purpose}.`
      : `Break-glass grant ${grant.grantId} allows ${access.action} on ${scope}; every access under it is reviewed.`;

  return { ...buildDecision(access, context, type, reason), grantId: grant.grantId, purpose: grant.purpose };
}

function buildDecision(
  access: ObjectAccess,
  context: DecisionContext,
  decision: DecisionType,
  reason: string,
): Decision {
  const { principal } = access;
  const optional = {
    accountId: principal.accountId,
    errorCode: access.errorCode,
    sourceIp: access.sourceIp,
    vpcEndpointId: access.vpcEndpointId,
  };

  return {
    decisionId: `${access.eventId}#${access.index}`,
    eventId: access.eventId,
    eventTime: access.eventTime,
    decidedAt: context.decidedAt,
    principal: principal.arn,
    principalKey: principal.key,
    identityType: principal.type,
    eventName: access.eventName,
    action: access.action,
    bucket: access.bucket,
    key: access.key,
    keyPrefix: keyPrefix(access.bucket, access.key),
    decision,
    reason,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}
