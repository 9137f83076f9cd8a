/** Invented principals, decisions and results for incident response tests. */
import type { Decision, DecisionType, Principal, TriageInput } from '../../src/domain/types';
import type { ContainmentResult, InvestigationResults } from '../../src/response/types';

export const ALICE: Principal = {
  key: 'arn:aws:iam::111122223333:user/alice',
  type: 'IAMUser',
  arn: 'arn:aws:iam::111122223333:user/alice',
  accountId: '111122223333',
  sessionName: 'alice',
  serviceLinked: false,
  identityCenter: false,
  crossAccount: false,
};

export const PARTNER_ROLE: Principal = {
  key: 'arn:aws:iam::444455556666:role/partner-etl',
  type: 'AssumedRole',
  arn: 'arn:aws:sts::444455556666:assumed-role/partner-etl/etl-run-7',
  accountId: '444455556666',
  sessionName: 'etl-run-7',
  roleArn: 'arn:aws:iam::444455556666:role/partner-etl',
  serviceLinked: false,
  identityCenter: false,
  crossAccount: true,
};

export const PHI_BUCKET = 'example-phi-records';

export interface DecisionFields {
  readonly id: string;
  readonly key?: string;
  readonly type?: DecisionType;
  readonly action?: Decision['action'];
  readonly eventTime?: string;
  readonly principal?: Principal;
}

/** Builds a decision whose object key is `patients/MRN-<id>/visit-summary.pdf` unless one is given. */
export function decision(fields: DecisionFields): Decision {
  const principal = fields.principal ?? ALICE;
  return {
    decisionId: `${fields.id}#0`,
    eventId: fields.id,
    eventTime: fields.eventTime ?? '2025-03-01T10:00:00Z',
    decidedAt: '2025-03-01T10:00:02Z',
    principal: principal.arn,
    principalKey: principal.key,
    identityType: principal.type,
    accountId: principal.accountId,
    eventName: 'GetObject',
    action: fields.action ?? 'read',
    bucket: PHI_BUCKET,
    key: fields.key ?? `patients/MRN-${fields.id}/visit-summary.pdf`,
    decision: fields.type ?? 'violation',
    reason: 'No grant covers this principal, bucket and prefix.',
    sourceIp: '198.51.100.20',
  };
}

export function triageInput(decisions: readonly Decision[], principal: Principal = ALICE): TriageInput {
  return { principal, decisions };
}

export const CONTAINED: ContainmentResult = {
  status: 'contained',
  strategy: 'user-inline-deny',
  target: 'alice',
  policyName: 'phi-guard-deny-inc-1',
  detail: 'Attached an inline policy that denies all S3 actions on the PHI buckets.',
};

export const INVESTIGATION: InvestigationResults = {
  athena: { status: 'completed', summary: '42 S3 data events by the principal in the last 30 days.' },
  macie: { status: 'not-enabled', summary: 'Macie is not enabled in this account.' },
};

/** Returns the time `minutes` after 2025-03-01T10:00:00Z. */
export function at(minutes: number): Date {
  return new Date(Date.UTC(2025, 2, 1, 10, 0) + minutes * 60_000);
}
