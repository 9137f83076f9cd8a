import { ConfigError, RECONCILIATION_WINDOW_HOURS, readConfig } from '../../lib/config';
import { PHI_GUARD_CONTEXT_KEYS } from '../../lib/config-context-keys';
import { synthTemplate } from '../support/synth';
import { contextOf, readConfigError } from './catch-config-error';

describe('readConfig', () => {
  test('defaults without context', () => {
    const config = readConfig(() => undefined);

    expect(config.profile).toBe('production');
    expect(config.monitorMode).toBe(false);
    expect(config.protectedPrincipalArns).toEqual([]);
    expect(config.reconciliationSchedule).toBe('rate(1 day)');
    expect(config.evidenceRetentionDays).toBe(2190);
  });

  test('reads exactly the documented keys', () => {
    const readKeys = new Set<string>();
    readConfig((key) => {
      readKeys.add(key);
      return undefined;
    });

    // bin/tap.ts reads ignoreContextKeys before it checks the key names.
    const settingKeys = PHI_GUARD_CONTEXT_KEYS.filter((key) => key !== 'ignoreContextKeys');
    expect([...readKeys].sort()).toEqual([...settingKeys].sort());
  });

  test('keeps existing messages', () => {
    expect(readConfigError({ profile: 'bad' }).message).toBe(
      'Context value "profile" must be one of production, sandbox, got "bad".',
    );
    expect(readConfigError({ monitorMode: 'yes' }).message).toBe(
      'Context value "monitorMode" must be true or false, got "yes".',
    );
    expect(readConfigError({ grantCacheTtlSeconds: '3601' }).message).toBe(
      'Context value "grantCacheTtlSeconds" must be a whole number from 0 to 3600, got "3601".',
    );
    expect(readConfigError({ alertEmails: [''] }).message).toBe(
      'Context value "alertEmails" must be a list of non-empty strings, got [""].',
    );
    expect(readConfigError({ reconciliationSchedule: '' }).message).toBe(
      'Context value "reconciliationSchedule" must be a non-empty string, got "".',
    );
  });

  test('errors are ConfigError', () => {
    const error = readConfigError({ profile: 'bad' });

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
  });
});

describe('readConfig list values', () => {
  test.each([
    ['comma-separated text', 'phi-a, phi-b,,phi-c', ['phi-a', 'phi-b', 'phi-c']],
    ['JSON array text', '["phi-a","phi-b"]', ['phi-a', 'phi-b']],
    ['array from cdk.json', ['phi-a', 'phi-b'], ['phi-a', 'phi-b']],
    ['empty text', '', []],
  ])('accepts %s', (_case, value, expected) => {
    expect(readConfig(contextOf({ phiBucketNames: value })).phiBucketNames).toEqual(expected);
  });

  test('invalid JSON names key and value', () => {
    const message = readConfigError({ phiBucketNames: '[bad' }).message;

    expect(message).toContain('Context value "phiBucketNames"');
    expect(message).toContain('not a valid JSON array');
    expect(message).toContain('got "[bad"');
    expect(message).toContain('["a","b"]');
  });

  test('JSON that is not an array of strings', () => {
    expect(readConfigError({ alertEmails: '[1, 2]' }).message).toBe(
      'Context value "alertEmails" must be a list of non-empty strings, got "[1, 2]".',
    );
  });
});

describe('readConfig protectedPrincipalArns', () => {
  test.each([
    'arn:aws:iam::111122223333:role/break-glass',
    'arn:aws:iam::111122223333:role/ops/break-glass',
    'arn:aws:iam::111122223333:role/phi-guard-*',
    'arn:aws:iam::*:role/break-glass',
    'arn:aws:iam::111122223333:user/alice',
    'arn:aws:iam::111122223333:root',
    'arn:aws:iam::111122223333:*',
    'arn:aws-us-gov:iam::111122223333:role/break-glass',
    'arn:aws-cn:iam::111122223333:role/break-glass',
    'arn:*:iam::111122223333:role/break-glass',
    'arn:aws:sts::111122223333:assumed-role/break-glass/*',
    'arn:aws:sts::111122223333:assumed-role/tester/session-1',
    'arn:aws:sts::111122223333:federated-user/bob',
  ])('accepts %s', (arn) => {
    expect(readConfig(contextOf({ protectedPrincipalArns: [arn] })).protectedPrincipalArns).toEqual([arn]);
  });

  test.each([
    ['a name', 'bob'],
    ['a lone wildcard', '*'],
    ['a short account ID', 'arn:aws:iam::12345:role/break-glass'],
    ['a missing account ID', 'arn:aws:iam:::role/break-glass'],
    ['a Region in an IAM ARN', 'arn:aws:iam:us-east-1:111122223333:role/break-glass'],
    ['an S3 ARN', 'arn:aws:s3:::phi-bucket'],
    ['an Identity Center ARN', 'arn:aws:identitystore:::user/1234'],
    ['a misspelled resource type', 'arn:aws:iam::111122223333:roles/break-glass'],
    ['a role without a name', 'arn:aws:iam::111122223333:role/'],
    ['an unknown partition', 'arn:amazon:iam::111122223333:role/break-glass'],
    ['a space in the name', 'arn:aws:iam::111122223333:role/break glass'],
  ])('rejects %s', (_case, arn) => {
    const message = readConfigError({ protectedPrincipalArns: [arn] }).message;

    expect(message).toContain('Context value "protectedPrincipalArns"');
    expect(message).toContain(JSON.stringify(arn));
    expect(message).toContain('arn:aws:iam::111122223333:role/break-glass');
  });

  test('rejects text from -c', () => {
    const message = readConfigError({ protectedPrincipalArns: 'bob' }).message;

    expect(message).toContain('has an entry that is not an IAM or STS principal ARN: "bob".');
  });

  test('lists every invalid entry', () => {
    const message = readConfigError({
      protectedPrincipalArns: ['bob', 'arn:aws:iam::111122223333:role/ok', 'alice'],
    }).message;

    expect(message).toContain('has entries that are not IAM or STS principal ARNs: "bob", "alice".');
    expect(message).not.toContain('role/ok"');
  });

  test('lone wildcard suggests monitorMode', () => {
    expect(readConfigError({ protectedPrincipalArns: ['*'] }).message).toContain('set monitorMode=true');
  });

  test('rejects comma in JSON entry', () => {
    const message = readConfigError({
      protectedPrincipalArns: ['arn:aws:iam::111122223333:role/a,b'],
    }).message;

    expect(message).toContain('has an entry with a comma');
    expect(message).toContain('"arn:aws:iam::111122223333:role/a,b"');
  });
});

describe('readConfig reconciliationSchedule', () => {
  test.each([
    'rate(1 day)',
    'rate(12 hours)',
    'rate(24 hours)',
    'rate(1 minute)',
    'rate(1440 minutes)',
    'cron(0 3 * * ? *)',
    'cron(0/15 * ? * * *)',
    'cron(30 1,13 * * ? *)',
  ])('accepts %s', (schedule) => {
    expect(readConfig(contextOf({ reconciliationSchedule: schedule })).reconciliationSchedule).toBe(schedule);
  });

  test.each([
    ['one-time', 'at(2030-01-31T03:00:00)', 'An at(...) schedule runs only once'],
    ['25 hours', 'rate(25 hours)', 'rate(25 hours) runs less often than once a day'],
    ['2 days', 'rate(2 days)', 'rate(2 days) runs less often than once a day'],
    ['1441 minutes', 'rate(1441 minutes)', 'rate(1441 minutes) runs less often than once a day'],
    ['weekdays', 'cron(0 3 ? * MON-FRI *)', 'A cron schedule must run every day'],
    ['one weekday', 'cron(0 3 ? * 2 *)', 'A cron schedule must run every day'],
    ['first of month', 'cron(0 3 1 * ? *)', 'A cron schedule must run every day'],
    ['last day of month', 'cron(0 3 L * ? *)', 'A cron schedule must run every day'],
    ['every other day', 'cron(0 3 */2 * ? *)', 'A cron schedule must run every day'],
    ['some months', 'cron(0 3 * 1-6 ? *)', 'A cron schedule must run every day'],
    ['one year', 'cron(0 3 * * ? 2030)', 'A cron schedule must run every day'],
  ])('rejects %s', (_case, schedule, problem) => {
    const message = readConfigError({ reconciliationSchedule: schedule }).message;

    expect(message).toContain(
      `Context value "reconciliationSchedule" must run at least once every 24 hours, got "${schedule}".`,
    );
    expect(message).toContain(problem);
    expect(message).toContain('rate(1 day) or cron(0 3 * * ? *)');
  });

  test('gap message gives the reason', () => {
    expect(readConfigError({ reconciliationSchedule: 'rate(2 days)' }).message).toBe(
      'Context value "reconciliationSchedule" must run at least once every 24 hours, got "rate(2 days)". ' +
        'rate(2 days) runs less often than once a day. Each run checks a 26-hour window of events, ' +
        'so runs must be at most 24 hours apart for the windows to overlap. ' +
        'Use a schedule such as rate(1 day) or cron(0 3 * * ? *).',
    );
  });

  test('syntax errors come first', () => {
    const message = readConfigError({ reconciliationSchedule: 'rate(2 day)' }).message;

    expect(message).toContain('must be an EventBridge Scheduler expression');
    expect(message).toContain('singular with the value 1');
  });

  test('window matches Reconciliation default', () => {
    const functions = synthTemplate().findResources('AWS::Lambda::Function');
    const windows = Object.values(functions)
      .map((resource) => resource.Properties?.Environment?.Variables?.WINDOW_HOURS)
      .filter((value) => value !== undefined);

    expect(windows).toEqual([String(RECONCILIATION_WINDOW_HOURS)]);
  });

  test('rejects every-day with key name', () => {
    const message = readConfigError({ reconciliationSchedule: 'every-day' }).message;

    expect(message).toContain('Context value "reconciliationSchedule"');
    expect(message).toContain('got "every-day"');
    expect(message).toContain('rate(1 day)');
  });
});
