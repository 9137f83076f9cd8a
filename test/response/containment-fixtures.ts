/**
 * Principals and incidents for the containment tests, in the shapes that the CloudTrail parser produces.
 * Account 111122223333 owns the PHI buckets; 444455556666 is a partner account.
 */
import type { Principal } from '../../src/domain/types';
import type { ContainmentSettings } from '../../src/response/containment/strategy';
import type { Incident, IncidentKind } from '../../src/response/types';

export const OWNER_ACCOUNT = '111122223333';
export const PARTNER_ACCOUNT = '444455556666';
export const PHI_BUCKETS = ['phi-records-example', 'phi-imaging-example'];
export const OTHER_BUCKET = 'public-reports-example';
export const BREAK_GLASS_ROLE_ARN = `arn:aws:iam::${OWNER_ACCOUNT}:role/phi-break-glass`;
export const IDENTITY_CENTER_ROLE_ARN =
  `arn:aws:iam::${OWNER_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/us-east-1/` +
  'AWSReservedSSO_ClinicalAnalyst_0123456789abcdef';

export const SETTINGS: ContainmentSettings = {
  phiBucketNames: PHI_BUCKETS,
  protectedPrincipalArns: [BREAK_GLASS_ROLE_ARN, `arn:aws:iam::${OWNER_ACCOUNT}:role/phi-guard-*`],
  monitorMode: false,
  roleContainmentMode: 'token-issue-time',
  dryRun: false,
};

const BASE = { serviceLinked: false, identityCenter: false, crossAccount: false } as const;

export const PRINCIPALS = {
  iamUser: {
    ...BASE,
    key: `arn:aws:iam::${OWNER_ACCOUNT}:user/dana`,
    type: 'IAMUser',
    arn: `arn:aws:iam::${OWNER_ACCOUNT}:user/clinical/dana`,
    accountId: OWNER_ACCOUNT,
    sessionName: 'dana',
  },
  roleSession: {
    ...BASE,
    key: `arn:aws:iam::${OWNER_ACCOUNT}:role/ClaimsAnalyst`,
    type: 'AssumedRole',
    arn: `arn:aws:sts::${OWNER_ACCOUNT}:assumed-role/ClaimsAnalyst/dana`,
    accountId: OWNER_ACCOUNT,
    sessionName: 'dana',
    roleArn: `arn:aws:iam::${OWNER_ACCOUNT}:role/ClaimsAnalyst`,
  },
  identityCenterSession: {
    ...BASE,
    identityCenter: true,
    key: `arn:aws:iam::${OWNER_ACCOUNT}:role/AWSReservedSSO_ClinicalAnalyst_0123456789abcdef`,
    type: 'AssumedRole',
    arn: `arn:aws:sts::${OWNER_ACCOUNT}:assumed-role/AWSReservedSSO_ClinicalAnalyst_0123456789abcdef/dana@example.org`,
    accountId: OWNER_ACCOUNT,
    sessionName: 'dana@example.org',
    roleArn: IDENTITY_CENTER_ROLE_ARN,
  },
  identityCenterUser: {
    ...BASE,
    identityCenter: true,
    key: 'arn:aws:identitystore:::user/9067c2a4-e0b1-70e5-8d3c-0123456789ab',
    type: 'IdentityCenterUser',
    arn: 'arn:aws:identitystore:::user/9067c2a4-e0b1-70e5-8d3c-0123456789ab',
    accountId: OWNER_ACCOUNT,
  },
  crossAccountSession: {
    ...BASE,
    crossAccount: true,
    key: `arn:aws:iam::${PARTNER_ACCOUNT}:role/partner-etl`,
    type: 'AssumedRole',
    arn: `arn:aws:sts::${PARTNER_ACCOUNT}:assumed-role/partner-etl/job-42`,
    accountId: PARTNER_ACCOUNT,
    sessionName: 'job-42',
    roleArn: `arn:aws:iam::${PARTNER_ACCOUNT}:role/service/partner-etl`,
  },
  crossAccountUser: {
    ...BASE,
    crossAccount: true,
    key: `arn:aws:iam::${PARTNER_ACCOUNT}:user/erin`,
    type: 'IAMUser',
    arn: `arn:aws:iam::${PARTNER_ACCOUNT}:user/erin`,
    accountId: PARTNER_ACCOUNT,
    sessionName: 'erin',
  },
  federatedUser: {
    ...BASE,
    key: `arn:aws:sts::${OWNER_ACCOUNT}:federated-user/frank`,
    type: 'FederatedUser',
    arn: `arn:aws:sts::${OWNER_ACCOUNT}:federated-user/frank`,
    accountId: OWNER_ACCOUNT,
    sessionName: 'frank',
  },
  root: {
    ...BASE,
    key: `root:${OWNER_ACCOUNT}`,
    type: 'Root',
    arn: `arn:aws:iam::${OWNER_ACCOUNT}:root`,
    accountId: OWNER_ACCOUNT,
  },
  breakGlassSession: {
    ...BASE,
    key: BREAK_GLASS_ROLE_ARN,
    type: 'AssumedRole',
    arn: `arn:aws:sts::${OWNER_ACCOUNT}:assumed-role/phi-break-glass/oncall@example.org`,
    accountId: OWNER_ACCOUNT,
    sessionName: 'oncall@example.org',
    roleArn: BREAK_GLASS_ROLE_ARN,
  },
  serviceLinkedRole: {
    ...BASE,
    serviceLinked: true,
    key: `arn:aws:iam::${OWNER_ACCOUNT}:role/AWSServiceRoleForMacie`,
    type: 'AssumedRole',
    arn: `arn:aws:sts::${OWNER_ACCOUNT}:assumed-role/AWSServiceRoleForMacie/macie-scan`,
    accountId: OWNER_ACCOUNT,
    sessionName: 'macie-scan',
    roleArn: `arn:aws:iam::${OWNER_ACCOUNT}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForMacie`,
  },
  awsService: {
    ...BASE,
    serviceLinked: true,
    key: 'macie.amazonaws.com',
    type: 'AWSService',
    arn: 'macie.amazonaws.com',
  },
  anonymous: { ...BASE, key: 'anonymous', type: 'Anonymous', arn: 'anonymous' },
} satisfies Record<string, Principal>;

/** A principal of another account that CloudTrail reports only by account and principal id. */
export const ACCOUNT_ONLY_PRINCIPAL: Principal = {
  ...BASE,
  crossAccount: true,
  key: PARTNER_ACCOUNT,
  type: 'AWSAccount',
  arn: PARTNER_ACCOUNT,
  accountId: PARTNER_ACCOUNT,
};

/** The same principal with `principalId`, a field that `Principal` does not declare yet. */
export const ACCOUNT_PRINCIPAL_WITH_ID = {
  ...ACCOUNT_ONLY_PRINCIPAL,
  principalId: 'AROAPARTNEREXAMPLE:nightly-export',
} as Principal;

let sequence = 0;

/** Builds an open incident of `principal`. Each call gets a new incident id unless one is given. */
export function incidentFor(
  principal: Principal,
  kind: IncidentKind = 'violation',
  incidentId?: string,
): Incident {
  sequence += 1;
  return {
    incidentId: incidentId ?? `inc-20250301T101500Z-${String(sequence).padStart(24, '0')}`,
    kind,
    status: 'open',
    principal,
    openedAt: '2025-03-01T10:15:00.000Z',
    windowEndsAt: '2025-03-01T10:30:00.000Z',
    lastSeenAt: '2025-03-01T10:16:00.000Z',
    severity: 'high',
    score: 70,
    counts: {
      violations: 3,
      deniedAttempts: 0,
      reads: 3,
      writes: 0,
      deletes: 0,
      lists: 0,
      objects: 3,
      prefixes: 1,
    },
    prefixes: ['phi-records-example/patients/'],
    objectKeys: ['phi-records-example/patients/p-100.json'],
    decisionIds: ['11111111-2222-3333-4444-555555555555#0'],
  };
}
