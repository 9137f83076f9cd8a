/** The grant that lets the granted canary role read the synthetic PHI object. Pure: no AWS imports. */
import { principalKeyOf } from '../domain/grants';
import type { Grant } from '../domain/types';

/** Id of the canary grant in the grants table. */
export const CANARY_GRANT_ID = 'phi-guard-canary';

/** Content of the synthetic object: no PHI, so a read by the ungranted role exposes nothing. */
export const CANARY_OBJECT_CONTENT = 'phi-guard canary object: synthetic data, no protected health information.\n';

/** The grant has no natural end; it ends when the stack revokes it on deletion. */
const GRANT_EXPIRES_AT = '9999-12-31T23:59:59.000Z';

export interface CanaryGrantInput {
  /** ARN of the granted canary role. */
  readonly roleArn: string;
  readonly bucket: string;
  /** Key of the synthetic object; the grant covers this key (as a prefix) only. */
  readonly key: string;
  /** ISO 8601 UTC start of the grant. */
  readonly notBefore: string;
}

/** Builds the read grant of the granted canary role on the synthetic object. */
export function buildCanaryGrant(input: CanaryGrantInput): Grant {
  return {
    grantId: CANARY_GRANT_ID,
    principal: input.roleArn,
    principalKey: principalKeyOf(input.roleArn).principalKey,
    bucket: input.bucket,
    prefix: input.key,
    actions: ['read'],
    notBefore: input.notBefore,
    expiresAt: GRANT_EXPIRES_AT,
    purpose: 'operations',
    breakGlass: false,
  };
}
