/** Invented principals and decisions for the workflow tests, in the shapes the validator produces. */
import type { Decision, Principal, TriageInput } from '../../src/domain/types';
import { keyPrefix } from '../../src/domain/key-prefix';

export const ANALYST: Principal = {
  key: 'arn:aws:iam::111122223333:user/dana-analyst',
  type: 'IAMUser',
  arn: 'arn:aws:iam::111122223333:user/dana-analyst',
  accountId: '111122223333',
  sessionName: 'dana-analyst',
  serviceLinked: false,
  identityCenter: false,
  crossAccount: false,
};

export const REPORTING_ROLE: Principal = {
  key: 'arn:aws:iam::111122223333:role/claims-reporting',
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/claims-reporting/nightly-export',
  accountId: '111122223333',
  sessionName: 'nightly-export',
  roleArn: 'arn:aws:iam::111122223333:role/claims-reporting',
  serviceLinked: false,
  identityCenter: false,
  crossAccount: false,
};

export const PHI_BUCKET = 'example-clinic-phi';

/** Builds a violation by `principal` on `patients/<folder>/<file>` at `eventTime`. */
export function violation(
  id: string,
  options: { principal?: Principal; key?: string; eventTime?: string } = {},
): Decision {
  const principal = options.principal ?? ANALYST;
  const eventTime = options.eventTime ?? '2025-06-02T14:00:00Z';
  const key = options.key ?? `patients/p-${id}/discharge-summary.pdf`;
  return {
    decisionId: `${id}#0`,
    eventId: id,
    eventTime,
    decidedAt: eventTime,
    principal: principal.arn,
    principalKey: principal.key,
    identityType: principal.type,
    accountId: principal.accountId,
    eventName: 'GetObject',
    action: 'read',
    bucket: PHI_BUCKET,
    key,
    keyPrefix: keyPrefix(PHI_BUCKET, key),
    decision: 'violation',
    reason: 'No grant covers this principal, bucket and prefix.',
    sourceIp: '203.0.113.45',
  };
}

export function triageInput(decisions: readonly Decision[], principal: Principal = ANALYST): TriageInput {
  return { principal, decisions };
}
