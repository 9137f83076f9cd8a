import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type PhiGuardConfig, readConfig } from '../../lib/config';
import { findComplianceViolations } from '../../lib/compliance';
import { TapStack } from '../../lib/tap-stack';
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

/**
 * Synthesizes the stack with an account and Region, as `cdk synth` does with credentials in the shell.
 * Finding ids on ARNs then name the Region instead of `<AWS::Region>`, so acknowledgments must follow.
 */
function synthesizeWithEnvironment(): TapStack {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new TapStack(app, 'PhiGuardEnvTest', {
    config: readConfig(() => undefined),
    env: { account: '111122223333', region: 'us-east-1' },
  });
  Template.fromStack(stack);
  return stack;
}

const stacks: ReadonlyArray<[string, () => TapStack]> = [
  ...CONFIGURATIONS.map(([name, overrides]): [string, () => TapStack] => [
    name,
    () => synthesize(overrides).stack,
  ]),
  ['production in us-east-1', synthesizeWithEnvironment],
];

describe.each(stacks)('compliance packs, %s', (_name, stackOf) => {
  test('no unacknowledged findings', () => {
    const findings = findComplianceViolations(stackOf()).map(
      (finding) => `${finding.rule} (${finding.severity}) at ${finding.path}`,
    );

    expect(findings).toEqual([]);
  });

  test('no stale acknowledgments', () => {
    const stale = staleAcknowledgments(stackOf()).map((ack) => `${ack.rule} at ${ack.path}`);

    expect(stale).toEqual([]);
  });
});
