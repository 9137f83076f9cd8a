import { readConfig } from '../../lib/config';
import { findBroadPrincipalWarnings } from '../../lib/config-principals';

const KEY = 'protectedPrincipalArns';

describe('findBroadPrincipalWarnings', () => {
  test.each([
    ['arn:aws:iam::*:*', 'every IAM user and role'],
    ['arn:aws:iam::*:role/*', 'every IAM role'],
    ['arn:aws:iam::*:user/*', 'every IAM user'],
    ['arn:*:iam::*:*', 'every IAM user and role'],
    ['arn:aws-us-gov:iam::*:role/**', 'every IAM role'],
    ['arn:aws:sts::*:*', 'every role session and federated user'],
    ['arn:aws:sts::*:assumed-role/*', 'every role session'],
    ['arn:aws:sts::*:federated-user/*', 'every federated user'],
  ])('warns on %s', (entry, kind) => {
    const warnings = findBroadPrincipalWarnings(KEY, [entry]);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`Context value "${KEY}" has the entry ${JSON.stringify(entry)}`);
    expect(warnings[0]).toContain(`which protects ${kind} in every account`);
    expect(warnings[0]).toContain('so containment will never act on them.');
  });

  test('full warning text', () => {
    expect(findBroadPrincipalWarnings(KEY, ['arn:aws:iam::*:*'])).toEqual([
      'Context value "protectedPrincipalArns" has the entry "arn:aws:iam::*:*", which protects every IAM ' +
        'user and role in every account, so containment will never act on them. List only the principals ' +
        'that containment must not touch, such as arn:aws:iam::111122223333:role/break-glass or ' +
        'arn:aws:sts::111122223333:assumed-role/break-glass/*, or set monitorMode=true to turn containment off.',
    ]);
  });

  test.each([
    'arn:aws:iam::111122223333:*',
    'arn:aws:iam::111122223333:role/*',
    'arn:aws:iam::*:role/break-glass',
    'arn:aws:iam::*:role/phi-guard-*',
    'arn:aws:iam::*:root',
    'arn:aws:sts::*:assumed-role/break-glass/*',
    'arn:aws:sts::111122223333:assumed-role/*',
  ])('accepts %s silently', (entry) => {
    expect(findBroadPrincipalWarnings(KEY, [entry])).toEqual([]);
  });

  test('one warning per broad entry', () => {
    const warnings = findBroadPrincipalWarnings(KEY, [
      'arn:aws:iam::*:role/*',
      'arn:aws:iam::111122223333:role/break-glass',
      'arn:aws:iam::*:user/*',
    ]);

    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('"arn:aws:iam::*:role/*"');
    expect(warnings[1]).toContain('"arn:aws:iam::*:user/*"');
  });

  test('readConfig still accepts broad entry', () => {
    const config = readConfig((key) => (key === KEY ? 'arn:aws:iam::*:*' : undefined));

    expect(config.protectedPrincipalArns).toEqual(['arn:aws:iam::*:*']);
  });
});
