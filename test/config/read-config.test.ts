import { ConfigError, readConfig, type ContextReader } from '../../lib/config';
import { PHI_GUARD_CONTEXT_KEYS } from '../../lib/config-context-keys';
import { catchConfigError } from './catch-config-error';

/** Returns a reader over `values`, as `node.tryGetContext` reads CDK context. */
function contextOf(values: Record<string, unknown>): ContextReader {
  return (key) => values[key];
}

function readError(values: Record<string, unknown>): ConfigError {
  return catchConfigError(() => readConfig(contextOf(values)), JSON.stringify(values));
}

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

    expect([...readKeys].sort()).toEqual([...PHI_GUARD_CONTEXT_KEYS].sort());
  });

  test('keeps existing messages', () => {
    expect(readError({ profile: 'bad' }).message).toBe(
      'Context value "profile" must be one of production, sandbox, got "bad".',
    );
    expect(readError({ monitorMode: 'yes' }).message).toBe(
      'Context value "monitorMode" must be true or false, got "yes".',
    );
    expect(readError({ grantCacheTtlSeconds: '3601' }).message).toBe(
      'Context value "grantCacheTtlSeconds" must be a whole number from 0 to 3600, got "3601".',
    );
    expect(readError({ alertEmails: [''] }).message).toBe(
      'Context value "alertEmails" must be a list of non-empty strings, got [""].',
    );
    expect(readError({ reconciliationSchedule: '' }).message).toBe(
      'Context value "reconciliationSchedule" must be a non-empty string, got "".',
    );
  });

  test('errors are ConfigError', () => {
    const error = readError({ profile: 'bad' });

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
  });
});

describe('readConfig list values', () => {
  test.each([
    ['comma-separated text', 'a, b,,c', ['a', 'b', 'c']],
    ['JSON array text', '["a","b"]', ['a', 'b']],
    ['array from cdk.json', ['a', 'b'], ['a', 'b']],
    ['empty text', '', []],
  ])('accepts %s', (_case, value, expected) => {
    expect(readConfig(contextOf({ phiBucketNames: value })).phiBucketNames).toEqual(expected);
  });

  test('invalid JSON names key and value', () => {
    const message = readError({ phiBucketNames: '[bad' }).message;

    expect(message).toContain('Context value "phiBucketNames"');
    expect(message).toContain('not a valid JSON array');
    expect(message).toContain('got "[bad"');
    expect(message).toContain('["a","b"]');
  });

  test('JSON that is not an array of strings', () => {
    expect(readError({ alertEmails: '[1, 2]' }).message).toBe(
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
    const message = readError({ protectedPrincipalArns: [arn] }).message;

    expect(message).toContain('Context value "protectedPrincipalArns"');
    expect(message).toContain(JSON.stringify(arn));
    expect(message).toContain('arn:aws:iam::111122223333:role/break-glass');
  });

  test('rejects text from -c', () => {
    const message = readError({ protectedPrincipalArns: 'bob' }).message;

    expect(message).toContain('has an entry that is not an IAM or STS principal ARN: "bob".');
  });

  test('lists every invalid entry', () => {
    const message = readError({
      protectedPrincipalArns: ['bob', 'arn:aws:iam::111122223333:role/ok', 'alice'],
    }).message;

    expect(message).toContain('has entries that are not IAM or STS principal ARNs: "bob", "alice".');
    expect(message).not.toContain('role/ok"');
  });

  test('lone wildcard suggests monitorMode', () => {
    expect(readError({ protectedPrincipalArns: ['*'] }).message).toContain('set monitorMode=true');
  });

  test('rejects comma in JSON entry', () => {
    const message = readError({ protectedPrincipalArns: ['arn:aws:iam::111122223333:role/a,b'] }).message;

    expect(message).toContain('has an entry with a comma');
    expect(message).toContain('"arn:aws:iam::111122223333:role/a,b"');
  });
});

describe('readConfig reconciliationSchedule', () => {
  test.each(['rate(1 day)', 'rate(12 hours)', 'cron(0 3 * * ? *)', 'at(2030-01-31T03:00:00)'])(
    'accepts %s',
    (schedule) => {
      expect(readConfig(contextOf({ reconciliationSchedule: schedule })).reconciliationSchedule).toBe(
        schedule,
      );
    },
  );

  test('rejects every-day with key name', () => {
    const message = readError({ reconciliationSchedule: 'every-day' }).message;

    expect(message).toContain('Context value "reconciliationSchedule"');
    expect(message).toContain('got "every-day"');
    expect(message).toContain('rate(1 day)');
  });
});
