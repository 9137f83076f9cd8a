import type { PhiGuardConfig } from '../../lib/config';
import { findComplianceViolations } from '../../lib/compliance';
import { synthesize } from '../support/synth';
import { staleAcknowledgments } from './nag-audit';

/** The deployment shapes that change which resources exist: profile, and created or existing PHI buckets. */
const CONFIGURATIONS: ReadonlyArray<[string, Partial<PhiGuardConfig>]> = [
  ['production', { profile: 'production' }],
  ['sandbox', { profile: 'sandbox' }],
  [
    'existing PHI buckets',
    { profile: 'production', phiBucketNames: ['example-phi-records', 'example-phi-imaging'] },
  ],
  ['sandbox without canary', { profile: 'sandbox', canaryEnabled: false }],
];

describe.each(CONFIGURATIONS)('compliance packs, %s', (_name, overrides) => {
  test('no unacknowledged findings', () => {
    const { stack } = synthesize(overrides);

    const findings = findComplianceViolations(stack).map(
      (finding) => `${finding.rule} (${finding.severity}) at ${finding.path}`,
    );

    expect(findings).toEqual([]);
  });

  test('no stale acknowledgments', () => {
    const { stack } = synthesize(overrides);

    const stale = staleAcknowledgments(stack).map((ack) => `${ack.rule} at ${ack.path}`);

    expect(stale).toEqual([]);
  });
});
