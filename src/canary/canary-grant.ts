/**
 * The canary grants and the changes that one setup request makes to them. Pure: no AWS imports.
 *
 * Each grant that the setup writes gets a new id, `phi-guard-canary-read-<suffix>` or
 * `phi-guard-canary-setup-<suffix>`, where the suffix is derived from the CloudFormation request id.
 * Revocations are permanent and the grants table rejects a write to a revoked grant id, so a canary that is
 * removed and added again, or whose role is replaced, needs ids that no earlier grant used.
 */
import { createHash } from 'node:crypto';
import { principalKeyOf } from '../domain/grants';
import type { Grant } from '../domain/types';

/** Start of every canary grant id, including the unsuffixed ids that earlier versions wrote. */
export const CANARY_GRANT_ID_PREFIX = 'phi-guard-canary-';
/** Start of the granted canary role's read grant id. */
const CANARY_READ_GRANT_ID_PREFIX = 'phi-guard-canary-read';
/**
 * Start of the id of the setup function's grant to write and delete the synthetic object. Without it, writing
 * the object would itself be a violation that opens an incident against the setup function.
 */
const CANARY_SETUP_GRANT_ID_PREFIX = 'phi-guard-canary-setup';

/** Hex digits of the id suffix: 64 bits, so two creations practically never share a suffix. */
const ID_SUFFIX_LENGTH = 16;

/** Content of the synthetic object: no PHI, so a read by the ungranted role exposes nothing. */
export const CANARY_OBJECT_CONTENT =
  'phi-guard canary object: synthetic data, no protected health information.\n';

/** The grants have no natural end, so they last until the stack revokes them. */
const GRANT_EXPIRES_AT = '9999-12-31T23:59:59.000Z';

/** The synthetic object that the canary grants cover. */
export interface CanaryObject {
  readonly bucket: string;
  /** Key of the synthetic object. The grants use it as their prefix. */
  readonly key: string;
}

export interface CanaryGrantInput extends CanaryObject {
  /** ARN of the granted canary role. */
  readonly readerRoleArn: string;
  /** ARN of the setup function's role, which writes and deletes the object. */
  readonly setupRoleArn: string;
  /** Suffix of both grant ids, from `canaryGrantIdSuffix`. */
  readonly idSuffix: string;
  /** Time at which the grants are written. */
  readonly createdAt: Date;
}

/** Changes that make the stored canary grants match the grants that the stack requires. */
export interface CanaryGrantPlan {
  /** Required grants that no active canary grant provides yet. */
  readonly write: readonly Grant[];
  /** Active canary grants that provide a required grant and stay as they are. */
  readonly keep: readonly Grant[];
  /** Active canary grants on the planned objects that no required grant needs. */
  readonly revoke: readonly Grant[];
}

/**
 * Derives the grant id suffix from a CloudFormation request id: the first 16 hex digits of its SHA-256.
 * CloudFormation gives every request its own id, and Lambda retries an invocation with the same event, so a
 * retried invocation writes the same ids and every later request writes new ones.
 */
export function canaryGrantIdSuffix(requestId: string): string {
  return createHash('sha256').update(requestId).digest('hex').slice(0, ID_SUFFIX_LENGTH);
}

/** Builds the two canary grants: read for the granted canary role, write and delete for the setup role. */
export function buildCanaryGrants(input: CanaryGrantInput): Grant[] {
  // CloudTrail records eventTime in whole seconds, so a grant that starts within the second of the
  // setup's own PutObject must start at the beginning of that second to cover it.
  const notBefore = new Date(Math.floor(input.createdAt.getTime() / 1000) * 1000).toISOString();
  const grant = (idPrefix: string, roleArn: string, actions: Grant['actions']): Grant => ({
    grantId: `${idPrefix}-${input.idSuffix}`,
    principal: roleArn,
    principalKey: principalKeyOf(roleArn).principalKey,
    bucket: input.bucket,
    prefix: input.key,
    actions,
    notBefore,
    expiresAt: GRANT_EXPIRES_AT,
    purpose: 'operations',
    breakGlass: false,
  });
  return [
    grant(CANARY_READ_GRANT_ID_PREFIX, input.readerRoleArn, ['read']),
    grant(CANARY_SETUP_GRANT_ID_PREFIX, input.setupRoleArn, ['write', 'delete']),
  ];
}

/**
 * Plans the changes that make the active canary grants match `required`. A stored grant counts when it is
 * active, its id starts with `CANARY_GRANT_ID_PREFIX` and it covers exactly one of `objects`. It is kept when
 * it gives a required grant's principal key the same actions on the same object, and revoked otherwise.
 * Grants on objects that are not listed are left alone.
 */
export function planCanaryGrants(
  required: readonly Grant[],
  stored: readonly Grant[],
  objects: readonly CanaryObject[],
): CanaryGrantPlan {
  const candidates = stored.filter((grant) => isActiveCanaryGrantOnAny(grant, objects));
  const keep = candidates.filter((grant) => required.some((requiredGrant) => provides(grant, requiredGrant)));
  return {
    write: required.filter((requiredGrant) => !keep.some((grant) => provides(grant, requiredGrant))),
    keep,
    revoke: candidates.filter((grant) => !keep.includes(grant)),
  };
}

function isActiveCanaryGrantOnAny(grant: Grant, objects: readonly CanaryObject[]): boolean {
  return (
    grant.grantId.startsWith(CANARY_GRANT_ID_PREFIX) &&
    grant.revokedAt === undefined &&
    objects.some((object) => grant.bucket === object.bucket && grant.prefix === object.key)
  );
}

function provides(grant: Grant, requiredGrant: Grant): boolean {
  return (
    grant.principalKey === requiredGrant.principalKey &&
    grant.sessionName === undefined &&
    grant.bucket === requiredGrant.bucket &&
    grant.prefix === requiredGrant.prefix &&
    [...grant.actions].sort().join() === [...requiredGrant.actions].sort().join()
  );
}
