import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../lib/config';
import {
  checkContextKeys,
  editDistance,
  findIntendedKey,
  isCdkContextKey,
  PHI_GUARD_CONTEXT_KEYS,
} from '../../lib/config-context-keys';
import { catchConfigError } from './catch-config-error';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

function checkError(keys: string[]): ConfigError {
  return catchConfigError(() => checkContextKeys(keys), JSON.stringify(keys));
}

describe('checkContextKeys', () => {
  test('accepts every phi-guard key', () => {
    expect(checkContextKeys(PHI_GUARD_CONTEXT_KEYS)).toEqual([]);
  });

  test('accepts cdk.json context keys', () => {
    const keys = Object.keys(JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context);

    expect(keys.length).toBeGreaterThan(0);
    expect(checkContextKeys(keys)).toEqual([]);
  });

  test.each([
    '@aws-cdk/core:failSynthOnValidationErrors',
    '@aws-cdk/aws-s3:createDefaultLoggingPolicy',
    '@aws-cdk/core.TreeMetadata:maxNodes',
    'aws:cdk:enable-path-metadata',
    'aws:cdk:enable-asset-metadata',
    'aws:cdk:version-reporting',
    'aws:cdk:bundling-stacks',
    'aws:cdk:disable-creation-stack-traces',
    'aws-cdk:enableDiffNoFail',
    'cdk-some-setting',
    'cli-telemetry',
    'acknowledged-issue-numbers',
    'assets-ecr-repository-name',
    'availability-zones:account=111122223333:region=us-east-1',
    'ssm:account=111122223333:parameterName=/x:region=us-east-1',
    'vpc-provider:account=111122223333:filter.vpc-id=vpc-1:region=us-east-1',
  ])('accepts CDK key %s', (key) => {
    expect(isCdkContextKey(key)).toBe(true);
    expect(checkContextKeys([key])).toEqual([]);
  });

  test.each([
    ['monitormode', 'monitorMode'],
    ['MONITORMODE', 'monitorMode'],
    ['Profile', 'profile'],
    ['phibucketnames', 'phiBucketNames'],
  ])('rejects %s differing in case', (key, intended) => {
    const message = checkError([key]).message;

    expect(message).toContain(`Context key "${key}" is not a phi-guard setting`);
    expect(message).toContain(`Did you mean "${intended}"?`);
  });

  test.each([
    ['monitorMod', 'monitorMode'],
    ['monitorMdoe', 'monitorMode'],
    ['canaryEnable', 'canaryEnabled'],
    ['alertEmail', 'alertEmails'],
    ['protectedPrincipalArn', 'protectedPrincipalArns'],
    ['reconcilationSchedule', 'reconciliationSchedule'],
    ['profil', 'profile'],
    ['protectedPrincipals', 'protectedPrincipalArns'],
  ])('rejects near miss %s', (key, intended) => {
    expect(checkError([key]).message).toContain(`Did you mean "${intended}"?`);
  });

  test.each([
    ['bucketNames', 'phiBucketNames'],
    ['monitor', 'monitorMode'],
    ['monitorModeEnabled', 'monitorMode'],
  ])('rejects fragment %s', (key, intended) => {
    expect(checkError([key]).message).toContain(`Did you mean "${intended}"?`);
  });

  test('names every misspelled key', () => {
    const message = checkError(['profile', 'monitormode', 'canaryenabled']).message;

    expect(message).toContain('"monitormode" is not a phi-guard setting. Did you mean "monitorMode"?');
    expect(message).toContain('"canaryenabled" is not a phi-guard setting. Did you mean "canaryEnabled"?');
    expect(message).not.toContain('"profile" is not');
    expect(message).toContain('Correct the key names,');
  });

  test('rejects misspelling beside correct key', () => {
    expect(checkError(['monitorMode', 'monitormode']).message).toContain('"monitormode"');
  });

  test('returns unrelated keys', () => {
    expect(checkContextKeys(['profile', 'stage', 'team', 'aws:cdk:enable-path-metadata'])).toEqual([
      'stage',
      'team',
    ]);
  });
});

describe('findIntendedKey', () => {
  test.each(['stage', 'env', 'owner', 'mode', 'email', 'costCenter'])('ignores unrelated %s', (key) => {
    expect(findIntendedKey(key)).toBeUndefined();
  });

  test('prefers closest key', () => {
    expect(findIntendedKey('canaryIntervalMinute')).toBe('canaryIntervalMinutes');
    expect(findIntendedKey('operationEmails')).toBe('operationsEmails');
  });
});

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['monitormode', 'monitormode', 0],
    ['monitormdoe', 'monitormode', 2],
  ])('%s to %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});
