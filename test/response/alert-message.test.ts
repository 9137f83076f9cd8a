import { MAX_SUBJECT_LENGTH, formatAlert, type AlertInput } from '../../src/response/alert-message';
import type { Incident, ReportLocation } from '../../src/response/types';
import { ALICE, CONTAINED, PARTNER_ROLE, PHI_BUCKET } from './fixtures';

const PATIENT_KEYS = [
  'patients/MRN-00482913/2024-11-02-discharge-summary.pdf',
  'imaging/2024/MRN-00715530_chest-ct.dcm',
  'labs/SSN-078-05-1120-lipid-panel.csv',
];

const INCIDENT: Incident = {
  incidentId: 'inc-20250301T100000Z-0123456789abcdef01234567',
  kind: 'violation',
  status: 'open',
  principal: ALICE,
  openedAt: '2025-03-01T10:00:05.000Z',
  windowEndsAt: '2025-03-01T10:15:05.000Z',
  lastSeenAt: '2025-03-01T10:04:00.000Z',
  severity: 'high',
  score: 9,
  counts: {
    violations: 3,
    deniedAttempts: 1,
    reads: 2,
    writes: 0,
    deletes: 1,
    lists: 0,
    objects: 3,
    prefixes: 3,
  },
  prefixes: [`${PHI_BUCKET}/patients/MRN-00482913/`, `${PHI_BUCKET}/imaging/2024/`, `${PHI_BUCKET}/labs/`],
  objectKeys: PATIENT_KEYS.map((key) => `${PHI_BUCKET}/${key}`),
  decisionIds: ['e1#0', 'e2#0', 'e3#0', 'e4#0'],
};

const REPORT: ReportLocation = {
  bucket: 'example-evidence',
  jsonKey: `reports/2025/03/01/${INCIDENT.incidentId}.json`,
  markdownKey: `reports/2025/03/01/${INCIDENT.incidentId}.md`,
  sha256: 'a'.repeat(64),
  previousSha256: '0'.repeat(64),
  retainUntil: '2031-02-28T10:30:00.000Z',
};

const LONG_PRINCIPAL = {
  ...PARTNER_ROLE,
  arn: `arn:aws:sts::444455556666:assumed-role/partner-etl/${'session-é-'.repeat(12)}`,
};

const VARIANTS: readonly [string, AlertInput][] = [
  ['incident', { incident: INCIDENT, containment: CONTAINED }],
  [
    'escalation',
    {
      incident: INCIDENT,
      containment: {
        status: 'alert-only',
        strategy: 'none',
        detail: `Could not contain; last object ${PATIENT_KEYS[0]}.`,
      },
      kind: 'escalation',
      error: {
        Error: 'AccessDenied',
        Cause: JSON.stringify({ errorMessage: `iam:PutUserPolicy denied while handling ${PATIENT_KEYS[1]}` }),
      },
    },
  ],
  ['report', { incident: INCIDENT, containment: CONTAINED, kind: 'report', report: REPORT }],
  ['review', { incident: { ...INCIDENT, kind: 'break-glass-review' }, containment: CONTAINED }],
];

describe('formatAlert', () => {
  it.each(VARIANTS)('%s alert has no object key', (_name, input) => {
    const { subject, message } = formatAlert(input);

    for (const key of PATIENT_KEYS) {
      const objectName = key.split('/').at(-1) ?? key;
      expect(message).not.toContain(key);
      expect(message).not.toContain(objectName);
      expect(subject).not.toContain(objectName);
    }
  });

  it.each(VARIANTS)('%s alert names no patient folder', (_name, input) => {
    const { message } = formatAlert(input);

    expect(message).not.toContain('MRN-00482913');
    expect(message).toContain(`  - ${PHI_BUCKET}/patients/\n`);
    expect(message).toContain(`  - ${PHI_BUCKET}/imaging/\n`);
  });

  it.each([
    [{}, undefined],
    [{ distinctCountsAreLowerBounds: true }, /distinct objects and key prefixes are lower bounds/],
    [
      { countsAreLowerBounds: true, distinctCountsAreLowerBounds: true },
      /Every count above is a lower bound/,
    ],
  ])('lower-bound flags %j in alert', (flags, notice) => {
    const { message } = formatAlert({ incident: { ...INCIDENT, ...flags }, containment: CONTAINED });

    if (notice === undefined) {
      expect(message).not.toMatch(/lower bound/);
    } else {
      expect(message).toMatch(notice);
    }
  });

  it.each(VARIANTS)('%s subject fits SNS', (_name, input) => {
    const { subject } = formatAlert({ ...input, incident: { ...input.incident, principal: LONG_PRINCIPAL } });

    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('incident alert names the essentials', () => {
    const { subject, message } = formatAlert({ incident: INCIDENT, containment: CONTAINED });

    expect(subject).toBe('[phi-guard] HIGH PHI access violation by user/alice');
    expect(message).toContain(`Incident: ${INCIDENT.incidentId}`);
    expect(message).toContain(`Principal: ${ALICE.key}`);
    expect(message).toContain('Severity: high (score 9)');
    expect(message).toContain('3 violations, 1 denied attempts');
    expect(message).toContain(`  - ${PHI_BUCKET}/labs/`);
    expect(message).toContain('Containment: contained (user-inline-deny)');
  });

  it('escalation alert shows the error', () => {
    const { subject, message } = formatAlert(VARIANTS[1][1]);

    expect(subject).toBe('[phi-guard] ESCALATION: containment failed for user/alice');
    expect(message).toContain(
      'Error: AccessDenied: iam:PutUserPolicy denied while handling [object key removed]',
    );
    expect(message).toContain('Detail: Could not contain; last object [object key removed].');
  });

  it('report alert gives the location', () => {
    const { subject, message } = formatAlert(VARIANTS[2][1]);

    expect(subject).toBe(`[phi-guard] Report written for incident ${INCIDENT.incidentId}`);
    expect(message).toContain(`Report (JSON): s3://example-evidence/${REPORT.jsonKey}`);
    expect(message).toContain(`SHA-256: ${REPORT.sha256}`);
  });

  it('report alert without location fails', () => {
    expect(() => formatAlert({ incident: INCIDENT, containment: CONTAINED, kind: 'report' })).toThrow(
      /has no report location/,
    );
  });
});
