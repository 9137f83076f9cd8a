/** The grant that lets the granted canary role read the synthetic PHI object. Pure: no AWS imports. */
import { principalKeyOf } from '../domain/grants';
import type { Grant } from '../domain/types';

/** Id of the granted canary role's read grant in the grants table. */
export const CANARY_READ_GRANT_ID = 'phi-guard-canary-read';
/**
 * Id of the setup function's grant to write and delete the synthetic object. Without it, writing the
 * object would itself be a violation that opens an incident against the setup function.
 */
export const CANARY_SETUP_GRANT_ID = 'phi-guard-canary-setup';

/** Content of the synthetic object: no PHI, so a read by the ungranted role exposes nothing. */
export const CANARY_OBJECT_CONTENT =
  'phi-guard canary object: synthetic data, no protected health information.\n';

/** The grant has no natural end; it ends when the stack revokes it on deletion. */
const GRANT_EXPIRES_AT = '9999-12-31T23:59:59.000Z';

export interface CanaryGrantInput {
  /** ARN of the granted canary role. */
  readonly readerRoleArn: string;
  /** ARN of the setup function's role, which writes and deletes the object. */
  readonly setupRoleArn: string;
  readonly bucket: string;
  /** Key of the synthetic object; the grant covers this key (as a prefix) only. */
  readonly key: string;
  /** ISO 8601 UTC start of the grant. */
  readonly notBefore: string;
}

/** Builds the two canary grants: read for the granted canary role, write and delete for the setup role. */
export function buildCanaryGrants(input: CanaryGrantInput): Grant[] {
  const grant = (grantId: string, roleArn: string, actions: Grant['actions']): Grant => ({
    grantId,
    principal: roleArn,
    principalKey: principalKeyOf(roleArn).principalKey,
    bucket: input.bucket,
    prefix: input.key,
    actions,
    notBefore: input.notBefore,
    expiresAt: GRANT_EXPIRES_AT,
    purpose: 'operations',
    breakGlass: false,
  });
  return [
    grant(CANARY_READ_GRANT_ID, input.readerRoleArn, ['read']),
    grant(CANARY_SETUP_GRANT_ID, input.setupRoleArn, ['write', 'delete']),
  ];
}
