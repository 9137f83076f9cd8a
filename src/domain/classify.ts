/**
 * Decides whether one object access was authorized, using the grants of its principal at the time of the
 * event. `docs/grants.md` lists the rules in the order they apply.
 */
import type { Decision, DecisionType, Grant, ObjectAccess } from './types';
import {
  findTimeMismatch,
  preparePrincipalGrants,
  type PreparedGrant,
  type PrincipalGrants,
} from './prepared-grants';
import { keyPrefix } from './key-prefix';
import { parseIsoTime } from './iso-time';

export { preparePrincipalGrants, type PrincipalGrants } from './prepared-grants';

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
  return decidePreparedAccess(access, preparePrincipalGrants(access.principal.key, grants), context);
}

/**
 * Decides one access like `decideAccess`, with grants that `preparePrincipalGrants` prepared once per
 * lookup, so that deciding many accesses parses no grant time again.
 */
export function decidePreparedAccess(
  access: ObjectAccess,
  grants: PrincipalGrants,
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

  if (isRejectedByS3(access)) {
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

  const ownGrants = grants.principalKey === principal.key ? grants.grants : [];
  return decideByGrants(access, ownGrants, context);
}

/**
 * Returns true when the decision on the access depends on its principal's grants. That is the case when
 * the bucket is monitored, the caller is not an AWS service or service-linked role, S3 did not reject the
 * request, and grants can name the principal. Every other access is decided the same without grants.
 */
export function isDecidedByGrants(access: ObjectAccess, context: DecisionContext): boolean {
  const { principal } = access;
  if (context.monitoredBuckets !== undefined && !context.monitoredBuckets.has(access.bucket)) return false;
  if (principal.type === 'AWSService' || principal.serviceLinked) return false;

  return !isRejectedByS3(access) && isGrantable(access);
}

function isRejectedByS3(access: ObjectAccess): boolean {
  return access.errorCode !== undefined && AUTHORIZATION_ERROR_CODES.has(access.errorCode);
}

function isGrantable({ principal }: ObjectAccess): boolean {
  return (
    principal.type !== 'Root' && principal.type !== 'Anonymous' && !principal.key.startsWith('unresolved:')
  );
}

/**
 * The first grant condition an access fails: 1 bucket, 2 prefix, 3 action, 4 session, 5 time. A higher
 * stage means the grant came closer to covering the access.
 */
type MismatchStage = 1 | 2 | 3 | 4 | 5;

/** The grant that came closest to covering an access, and the condition it failed. */
interface Closest {
  readonly prepared: PreparedGrant;
  readonly stage: MismatchStage;
}

/**
 * Checks the grants in grantId order. The first normal grant that covers the access authorizes it. When
 * only break-glass grants cover it, the first of them decides. Otherwise the closest grant explains the
 * violation, and on a tie the one with the lowest grantId.
 */
function decideByGrants(
  access: ObjectAccess,
  grants: readonly PreparedGrant[],
  context: DecisionContext,
): Decision {
  let eventTimeMs: number | undefined;
  let breakGlass: Grant | undefined;
  let closest: Closest | undefined;

  for (const prepared of grants) {
    let stage = findMismatchBeforeTime(access, prepared.grant);
    if (stage === undefined) {
      // The event time is parsed once per access, and only when a grant gets as far as the time check.
      eventTimeMs ??= parseIsoTime(access.eventTime) ?? Number.NaN;
      stage = findTimeMismatch(prepared, eventTimeMs) === undefined ? undefined : 5;
    }

    if (stage === undefined) {
      if (!prepared.grant.breakGlass)
        return authorizedDecision(access, context, prepared.grant, 'authorized');
      breakGlass ??= prepared.grant;
    } else if (closest === undefined || stage > closest.stage) {
      closest = { prepared, stage };
    }
  }

  if (breakGlass) return authorizedDecision(access, context, breakGlass, 'break-glass');

  const reason = explainViolation(access, closest, eventTimeMs ?? Number.NaN);
  return buildDecision(access, context, 'violation', reason);
}

function findMismatchBeforeTime(access: ObjectAccess, grant: Grant): MismatchStage | undefined {
  if (grant.bucket !== access.bucket) return 1;
  if (!prefixCovers(grant.prefix, access.key)) return 2;
  if (!grant.actions.includes(access.action)) return 3;
  if (grant.sessionName !== undefined && grant.sessionName !== access.principal.sessionName) return 4;
  return undefined;
}

/** `*` covers the whole bucket. A literal prefix covers the keys, and the listed prefixes, that start with it. */
function prefixCovers(prefix: string, key: string): boolean {
  return prefix === '*' || key.startsWith(prefix);
}

function explainViolation(access: ObjectAccess, closest: Closest | undefined, eventTimeMs: number): string {
  const { principal, bucket, action } = access;
  // Keys can contain patient identifiers, and the reason travels into alerts and dashboards:
  // the key itself stays in the decision's `key` field only.
  const target = action === 'list' ? 'the listed prefix' : 'the object key';

  if (closest === undefined) return explainMissingGrant(access);

  const { grant } = closest.prepared;
  switch (closest.stage) {
    case 1:
      return `Grants exist for ${principal.key}, but none for bucket ${bucket}.`;
    case 2:
      return `Grants for ${principal.key} cover bucket ${bucket}, but none covers ${target}.`;
    case 3:
      return `Grants for ${principal.key} cover ${target} in bucket ${bucket}, but none allows ${action}.`;
    case 4:
      return `Grant ${grant.grantId} covers session ${grant.sessionName}, not ${describeSession(principal.sessionName)}.`;
    case 5:
      return explainTimeMismatch(access, closest.prepared, eventTimeMs);
  }
}

function explainTimeMismatch(access: ObjectAccess, prepared: PreparedGrant, eventTimeMs: number): string {
  const { grant } = prepared;
  const at = `the event at ${access.eventTime}`;

  switch (findTimeMismatch(prepared, eventTimeMs)) {
    case 'revoked':
      return `Grant ${grant.grantId} was revoked at ${grant.revokedAt}, before ${at}.`;
    case 'expired':
      return `Grant ${grant.grantId} expired at ${grant.expiresAt}, before ${at}.`;
    default:
      return `Grant ${grant.grantId} is not valid until ${grant.notBefore}; the event was at ${access.eventTime}.`;
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

  return buildDecision(access, context, type, reason, grant);
}

type MutableDecision = { -readonly [field in keyof Decision]: Decision[field] };

/**
 * Builds the decision object. Optional fields are set only when they have a value, in a fixed order, so
 * the serialized decision has no `undefined` fields. The matching grant, if any, comes last.
 */
function buildDecision(
  access: ObjectAccess,
  context: DecisionContext,
  decision: DecisionType,
  reason: string,
  grant?: Grant,
): Decision {
  const { principal } = access;
  const result: MutableDecision = {
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
  };

  if (principal.accountId !== undefined) result.accountId = principal.accountId;
  if (access.errorCode !== undefined) result.errorCode = access.errorCode;
  if (access.sourceIp !== undefined) result.sourceIp = access.sourceIp;
  if (access.vpcEndpointId !== undefined) result.vpcEndpointId = access.vpcEndpointId;
  if (grant !== undefined) {
    result.grantId = grant.grantId;
    result.purpose = grant.purpose;
  }

  return result;
}
