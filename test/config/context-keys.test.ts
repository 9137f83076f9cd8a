import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../lib/config';
import {
  checkContextKeys,
  editDistance,
  findIntendedKey,
  isCdkContextKey,
  PHI_GUARD_CONTEXT_KEYS,
  readIgnoredContextKeys,
} from '../../lib/config-context-keys';
import { catchConfigError, contextOf } from './catch-config-error';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

function checkError(keys: string[], ignoredKeys: string[] = []): ConfigError {
  return catchConfigError(() => checkContextKeys(keys, ignoredKeys), JSON.stringify(keys));
}

function ignoreListError(value: unknown): ConfigError {
  return catchConfigError(
    () => readIgnoredContextKeys(contextOf({ ignoreContextKeys: value })),
    JSON.stringify(value),
  );
}

describe('checkContextKeys', () => {
  test('accepts every phi-guard key', () => {
    expect(() => checkContextKeys(PHI_GUARD_CONTEXT_KEYS)).not.toThrow();
  });

  test('accepts cdk.json context keys', () => {
    const keys = Object.keys(JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context);

    expect(keys.length).toBeGreaterThan(0);
    expect(() => checkContextKeys(keys)).not.toThrow();
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
    expect(() => checkContextKeys([key])).not.toThrow();
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

  test.each([
    'monitoringMode',
    'monitorOnly',
    'monitoring',
    'dryRun',
    'phiBuckets',
    'buckets',
    'protectedArns',
    'protectedRoles',
  ])('rejects safety key look-alike %s', (key) => {
    const message = checkError(['profile', key]).message;

    expect(message).toContain(`Context key "${key}" is not a phi-guard or CDK setting.`);
    expect(message).toContain(`-c ignoreContextKeys=${key}`);
  });

  test('rejects unrelated key with fix', () => {
    expect(checkError(['profile', 'team']).message).toBe(
      'Context key "team" is not a phi-guard or CDK setting. ' +
        'Remove it, or list it in ignoreContextKeys (-c ignoreContextKeys=team) when another tool reads it. ' +
        'Synthesis stops on unknown keys because a misspelled setting would have no effect. ' +
        'The phi-guard settings are listed under "Context values" in docs/deploy.md.',
    );
  });

  test('names every unrelated key', () => {
    const message = checkError(['stage', 'profile', 'team']).message;

    expect(message).toContain('Context key "stage" is not a phi-guard or CDK setting.');
    expect(message).toContain('Context key "team" is not a phi-guard or CDK setting.');
    expect(message).toContain(
      'Remove them, or list them in ignoreContextKeys (-c ignoreContextKeys=stage,team)',
    );
  });

  test('separates misspelled and unrelated keys', () => {
    const message = checkError(['monitormode', 'team']).message;

    expect(message).toContain(
      'Context key "monitormode" is not a phi-guard setting. Did you mean "monitorMode"?',
    );
    expect(message).toContain('Correct the key name,');
    expect(message).toContain('(-c ignoreContextKeys=team)');
    expect(message).not.toContain('ignoreContextKeys=monitormode');
  });

  test('misspelled key omits ignore hint', () => {
    expect(checkError(['monitormode']).message).not.toContain('ignoreContextKeys');
  });

  test('accepts ignored keys', () => {
    expect(() => checkContextKeys(['profile', 'team', 'stage'], ['team', 'stage'])).not.toThrow();
  });

  test('ignore list names exact keys', () => {
    const message = checkError(['team', 'Team', 'stage'], ['team']).message;

    expect(message).toContain('Context key "Team" is not');
    expect(message).toContain('Context key "stage" is not');
    expect(message).not.toContain('"team"');
  });

  test('accepts ignoreContextKeys itself', () => {
    expect(() => checkContextKeys(['ignoreContextKeys', 'team'], ['team'])).not.toThrow();
  });
});

describe('readIgnoredContextKeys', () => {
  test.each([
    ['unset', undefined, []],
    ['comma-separated text', 'team, stage', ['team', 'stage']],
    ['JSON array text', '["team","stage"]', ['team', 'stage']],
    ['array from cdk.json', ['team'], ['team']],
  ])('reads %s', (_case, value, expected) => {
    expect(readIgnoredContextKeys(contextOf({ ignoreContextKeys: value }))).toEqual(expected);
  });

  test('rejects phi-guard key', () => {
    expect(ignoreListError('team,monitorMode').message).toBe(
      'Context value "ignoreContextKeys" lists the phi-guard key "monitorMode", which phi-guard reads anyway. ' +
        'Remove it from ignoreContextKeys.',
    );
  });

  test('rejects several phi-guard keys', () => {
    expect(ignoreListError(['profile', 'monitorMode']).message).toContain(
      'lists the phi-guard keys "profile", "monitorMode", which phi-guard reads anyway. Remove them',
    );
  });

  test('rejects invalid JSON', () => {
    expect(ignoreListError('[team').message).toContain('Context value "ignoreContextKeys" starts with "["');
  });
});

describe('findIntendedKey', () => {
  test.each(['stage', 'env', 'owner', 'mode', 'email', 'costCenter'])('ignores unrelated %s', (key) => {
    expect(findIntendedKey(key)).toBeUndefined();
  });

  test.each(['ignoreContextKey', 'ignoredContextKeys', 'IgnoreContextKeys'])(
    'suggests ignoreContextKeys for %s',
    (key) => {
      expect(findIntendedKey(key)).toBe('ignoreContextKeys');
    },
  );

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
