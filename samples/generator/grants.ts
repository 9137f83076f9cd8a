/**
 * The hospital's grants, as a security team would write them in a grants file. They cover the
 * scenario's accesses so that each expected decision in the scenario follows from them.
 */
import { HOSPITAL_ACCOUNT, PARTNER_ACCOUNT } from './records';
import { AUDITOR_SSO, RESEARCHER_USER_ID } from './outsiders';
import { PHI_IMAGING, PHI_RECORDS } from './scenario';

/** A grant as written in the grants file: `principalKey` is derived when the file is read. */
export interface GrantEntry {
  readonly grantId: string;
  readonly principal: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly actions: readonly string[];
  readonly notBefore: string;
  readonly expiresAt: string;
  readonly purpose: string;
  readonly breakGlass: boolean;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
  readonly revocationReason?: string;
}

const YEAR = { notBefore: '2025-01-01T00:00:00Z', expiresAt: '2026-01-01T00:00:00Z' };
const role = (name: string) => `arn:aws:iam::${HOSPITAL_ACCOUNT}:role/${name}`;
const user = (name: string) => `arn:aws:iam::${HOSPITAL_ACCOUNT}:user/${name}`;

export const GRANTS: readonly GrantEntry[] = [
  {
    grantId: 'grant-portal-patient-records',
    principal: role('examplehealth-clinician-portal'),
    bucket: PHI_RECORDS,
    prefix: 'patients/',
    actions: ['read', 'write'],
    ...YEAR,
    purpose: 'treatment',
    breakGlass: false,
  },
  {
    grantId: 'grant-portal-imaging-studies',
    principal: role('examplehealth-clinician-portal'),
    bucket: PHI_IMAGING,
    prefix: 'studies/',
    actions: ['read'],
    ...YEAR,
    purpose: 'treatment',
    breakGlass: false,
  },
  {
    grantId: 'grant-analytics-deidentified-exports',
    principal: role('examplehealth-analytics-etl'),
    bucket: PHI_RECORDS,
    prefix: 'exports/deidentified/',
    actions: ['read', 'write', 'list'],
    ...YEAR,
    purpose: 'operations',
    breakGlass: false,
  },
  {
    grantId: 'grant-analytics-claims-2024-review',
    principal: role('examplehealth-analytics-etl'),
    bucket: PHI_RECORDS,
    prefix: 'claims/2024/',
    actions: ['read'],
    notBefore: '2025-03-01T00:00:00Z',
    expiresAt: '2025-03-14T12:00:00Z',
    purpose: 'payment',
    breakGlass: false,
  },
  {
    grantId: 'grant-retention-export-cleanup',
    principal: role('examplehealth-records-retention'),
    bucket: PHI_RECORDS,
    prefix: 'exports/deidentified/',
    actions: ['list', 'delete'],
    ...YEAR,
    purpose: 'operations',
    breakGlass: false,
  },
  {
    grantId: 'grant-break-glass-emergency',
    principal: role('examplehealth-break-glass'),
    bucket: PHI_RECORDS,
    prefix: '*',
    actions: ['read', 'write', 'list'],
    ...YEAR,
    purpose: 'treatment',
    breakGlass: true,
  },
  {
    grantId: 'grant-partner-lab-results-upload',
    principal: PARTNER_ACCOUNT,
    bucket: PHI_RECORDS,
    prefix: 'inbound/lab-results/',
    actions: ['write'],
    ...YEAR,
    purpose: 'treatment',
    breakGlass: false,
  },
  {
    grantId: 'grant-research-cohort-2025a',
    principal: `arn:aws:identitystore:::user/${RESEARCHER_USER_ID}`,
    bucket: PHI_RECORDS,
    prefix: 'research/cohort-2025a/',
    actions: ['read', 'list'],
    notBefore: '2025-02-01T00:00:00Z',
    expiresAt: '2025-08-01T00:00:00Z',
    purpose: 'research',
    breakGlass: false,
  },
  {
    grantId: 'grant-auditor-rivera-access-reviews',
    principal: `arn:aws:sts::${HOSPITAL_ACCOUNT}:assumed-role/${AUDITOR_SSO.name}/a.rivera@example.org`,
    bucket: PHI_RECORDS,
    prefix: 'audit/',
    actions: ['read'],
    ...YEAR,
    purpose: 'operations',
    breakGlass: false,
  },
  {
    grantId: 'grant-contractor-billing-statements',
    principal: user('contractor-billing'),
    bucket: PHI_RECORDS,
    prefix: 'billing/',
    actions: ['read'],
    ...YEAR,
    purpose: 'payment',
    breakGlass: false,
  },
  {
    grantId: 'grant-okafor-patient-records',
    principal: user('j.okafor'),
    bucket: PHI_RECORDS,
    prefix: 'patients/',
    actions: ['read'],
    ...YEAR,
    purpose: 'treatment',
    breakGlass: false,
    revokedAt: '2025-03-14T10:00:00Z',
    revokedBy: 'security-team@example.org',
    revocationReason: 'Employment ended on 2025-03-14.',
  },
];
