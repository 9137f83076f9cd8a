import { scoreSeverity, severityOf } from '../../src/response/severity';
import { ZERO_COUNTS } from '../../src/response/incident-state';
import type { IncidentCounts } from '../../src/response/types';
import { ALICE, PARTNER_ROLE } from './fixtures';

const ROOT = { ...ALICE, key: '111122223333', type: 'Root' as const, arn: 'arn:aws:iam::111122223333:root' };

function counts(fields: Partial<IncidentCounts>): IncidentCounts {
  return { ...ZERO_COUNTS, ...fields };
}

describe('scoreSeverity', () => {
  it.each([
    ['one read', counts({ reads: 1, objects: 1, prefixes: 1 }), ALICE, 1, 'low'],
    ['nine objects', counts({ reads: 9, objects: 9, prefixes: 1 }), ALICE, 1, 'low'],
    ['ten objects', counts({ reads: 10, objects: 10, prefixes: 1 }), ALICE, 3, 'low'],
    ['ten objects in two prefixes', counts({ reads: 10, objects: 10, prefixes: 2 }), ALICE, 5, 'medium'],
    ['100 objects', counts({ reads: 100, objects: 100, prefixes: 1 }), ALICE, 6, 'medium'],
    ['1000 objects', counts({ reads: 1000, objects: 1000, prefixes: 1 }), ALICE, 10, 'high'],
    ['prefix points capped', counts({ reads: 20, objects: 1, prefixes: 20 }), ALICE, 7, 'medium'],
    ['one write', counts({ writes: 1, objects: 1, prefixes: 1 }), ALICE, 6, 'medium'],
    ['one delete', counts({ deletes: 1, objects: 1, prefixes: 1 }), ALICE, 8, 'high'],
    ['writes below reads', counts({ reads: 5, writes: 1, objects: 6, prefixes: 1 }), ALICE, 4, 'medium'],
    [
      'four denied attempts',
      counts({ reads: 1, objects: 1, prefixes: 1, deniedAttempts: 4 }),
      ALICE,
      2,
      'low',
    ],
    [
      'five denied attempts',
      counts({ reads: 1, objects: 1, prefixes: 1, deniedAttempts: 5 }),
      ALICE,
      4,
      'medium',
    ],
    ['root principal', counts({ reads: 1, objects: 1, prefixes: 1 }), ROOT, 6, 'medium'],
    ['cross-account principal', counts({ reads: 1, objects: 1, prefixes: 1 }), PARTNER_ROLE, 5, 'medium'],
    [
      'cross-account mass delete',
      counts({ deletes: 1000, objects: 1000, prefixes: 4 }),
      PARTNER_ROLE,
      10 + 6 + 5 + 2 + 4,
      'critical',
    ],
  ] as const)('%s', (_name, incidentCounts, principal, score, severity) => {
    expect(scoreSeverity(incidentCounts, principal)).toEqual({ score, severity });
  });
});

describe('severityOf', () => {
  it.each([
    [0, 'low'],
    [3, 'low'],
    [4, 'medium'],
    [7, 'medium'],
    [8, 'high'],
    [13, 'high'],
    [14, 'critical'],
  ] as const)('score %i is %s', (score, severity) => {
    expect(severityOf(score)).toBe(severity);
  });
});
