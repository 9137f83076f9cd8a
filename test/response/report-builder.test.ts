import { canonicalJson, sha256Hex } from '../../src/response/canonical-json';
import { buildReport, reportKeys, type ReportInput } from '../../src/response/report-builder';
import { GENESIS_SHA256, reportSha256, verifyReportChain } from '../../src/response/report-chain';
import type { Incident } from '../../src/response/types';
import { ALICE, CONTAINED, INVESTIGATION, PHI_BUCKET } from './fixtures';

const INCIDENT: Incident = {
  incidentId: 'inc-20250301T100000Z-0123456789abcdef01234567',
  kind: 'violation',
  status: 'closed',
  principal: ALICE,
  openedAt: '2025-03-01T10:00:05.000Z',
  windowEndsAt: '2025-03-01T10:15:05.000Z',
  firstSeenAt: '2025-03-01T09:59:58.000Z',
  lastSeenAt: '2025-03-01T10:04:00.000Z',
  containmentRecordedAt: '2025-03-01T10:00:09.000Z',
  closedAt: '2025-03-01T10:06:00.000Z',
  severity: 'medium',
  score: 6,
  counts: {
    violations: 2,
    deniedAttempts: 0,
    reads: 1,
    writes: 1,
    deletes: 0,
    lists: 0,
    objects: 2,
    prefixes: 1,
  },
  prefixes: [`${PHI_BUCKET}/patients/`],
  objectKeys: [`${PHI_BUCKET}/patients/MRN-00482913.pdf`, `${PHI_BUCKET}/patients/MRN-00715530.pdf`],
  decisionIds: ['e1#0', 'e2#0'],
  containment: CONTAINED,
};

function input(fields: Partial<ReportInput> = {}): ReportInput {
  return {
    incident: INCIDENT,
    containment: CONTAINED,
    investigation: INVESTIGATION,
    previousSha256: GENESIS_SHA256,
    generatedAt: '2025-03-01T10:06:00.000Z',
    ...fields,
  };
}

/** Copies a JSON value with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([name, item]) => [name, reverseKeys(item)]));
}

describe('canonicalJson', () => {
  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'x' }, e: undefined })).toBe(
      '{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}',
    );
  });

  it('rejects non-finite numbers', () => {
    expect(() => canonicalJson({ score: Number.NaN })).toThrow(TypeError);
  });
});

describe('buildReport', () => {
  it('hash is reproducible', () => {
    const first = buildReport(input());
    const reordered = buildReport(input({ incident: reverseKeys(INCIDENT) as Incident }));

    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.sha256).toBe(sha256Hex(first.json));
    expect(reordered.json).toBe(first.json);
    expect(reportSha256(JSON.parse(first.json))).toBe(first.sha256);
  });

  it('hash changes with content', () => {
    const changed = buildReport(
      input({ investigation: { ...INVESTIGATION, macie: { status: 'failed', summary: 'x' } } }),
    );

    expect(changed.sha256).not.toBe(buildReport(input()).sha256);
  });

  it('timeline is ordered', () => {
    const { report } = buildReport(input());

    expect(report.timeline.map((entry) => entry.event)).toEqual([
      'first-access',
      'incident-opened',
      'containment-recorded',
      'last-access',
      'incident-closed',
      'report-generated',
    ]);
  });

  it('Markdown contains the timeline', () => {
    const { markdown, sha256 } = buildReport(input());

    expect(markdown).toContain(`# Incident report ${INCIDENT.incidentId}`);
    expect(markdown).toContain('## Timeline');
    expect(markdown).toContain(
      '| 2025-03-01T09:59:58.000Z | first-access | First unauthorized access of the incident. |',
    );
    expect(markdown).toContain(
      '| 2025-03-01T10:00:09.000Z | containment-recorded | Containment contained (user-inline-deny)',
    );
    expect(markdown).toContain(`- \`${PHI_BUCKET}/patients/MRN-00482913.pdf\``);
    expect(markdown).toContain('- Macie: not-enabled. Macie is not enabled in this account.');
    expect(markdown).toContain('### Decisions');
    for (const decisionId of INCIDENT.decisionIds) {
      expect(markdown).toContain(`- \`${decisionId}\``);
    }
    expect(markdown).toContain(`SHA-256 of the JSON report: \`${sha256}\``);
  });

  it('summary flags capped lists', () => {
    const capped = { ...INCIDENT, counts: { ...INCIDENT.counts, objects: 70 } };
    const { report, markdown } = buildReport(input({ incident: capped }));

    expect(report.decisionsSummary).toMatchObject({
      total: 2,
      distinctObjects: 70,
      objectKeysComplete: false,
    });
    expect(markdown).toContain('(list capped at 2; the counts above cover all)');
  });
});

describe('reportKeys', () => {
  it('dates keys in UTC', () => {
    expect(reportKeys('inc-1', '2025-12-31T23:30:00-02:00')).toEqual({
      jsonKey: 'reports/2026/01/01/inc-1.json',
      markdownKey: 'reports/2026/01/01/inc-1.md',
    });
  });
});

describe('verifyReportChain', () => {
  function chainOfThree() {
    const first = buildReport(input());
    const second = buildReport(
      input({ previousSha256: first.sha256, incident: { ...INCIDENT, incidentId: 'inc-2' } }),
    );
    const third = buildReport(
      input({ previousSha256: second.sha256, incident: { ...INCIDENT, incidentId: 'inc-3' } }),
    );
    return [first, second, third];
  }

  it('chain of three verifies', () => {
    const chain = chainOfThree();
    const result = verifyReportChain(
      chain.map((built) => JSON.parse(built.json)),
      { lastSha256: chain[2].sha256 },
    );

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.sha256s).toEqual(chain.map((built) => built.sha256));
  });

  it('tampered middle report fails', () => {
    const reports = chainOfThree().map((built) => JSON.parse(built.json));
    reports[1].decisionsSummary.total = 1;

    const result = verifyReportChain(reports);

    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^Report 2 names predecessor/);
  });

  it('tampered last report fails', () => {
    const chain = chainOfThree();
    const reports = chain.map((built) => JSON.parse(built.json));
    reports[2].incident.severity = 'low';

    const result = verifyReportChain(reports, { lastSha256: chain[2].sha256 });

    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatch(/^The last report has SHA-256/);
  });

  it('wrong genesis fails', () => {
    const reports = chainOfThree().map((built) => JSON.parse(built.json));

    expect(verifyReportChain(reports.slice(1)).errors[0]).toMatch(/^Report 0 names predecessor/);
  });
});
