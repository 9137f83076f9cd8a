import { synthesize } from '../support/synth';

const ANALYTICS_PATH = /\/(EvidenceArchive|DecisionAnalytics|AuditQueries)\//;

describe('TapStack analytics wiring', () => {
  test.each(['production', 'sandbox'] as const)('%s analytics has no nag findings', (profile) => {
    const findings = synthesize({ profile }).nagFindings.filter((finding) =>
      ANALYTICS_PATH.test(finding.path),
    );

    expect(findings).toEqual([]);
  });

  test('validator publishes to decisions stream', () => {
    const { stack, template } = synthesize({ profile: 'sandbox' });
    const streamName = stack.resolve(
      stack.securityEvents.decisionAnalytics.deliveryStream.deliveryStreamName,
    );

    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const variables = functions.map((fn) => JSON.stringify(fn.Properties.Environment?.Variables ?? {}));
    expect(variables.some((text) => text.includes(JSON.stringify(streamName)))).toBe(true);
  });
});
