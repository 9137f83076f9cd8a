import { readConfig } from '../../lib/config';
import { findDuplicates, isBucketName, isEmailAddress } from '../../lib/config-rules';
import { contextOf, readConfigError } from './catch-config-error';

function readMessage(values: Record<string, unknown>): string {
  return readConfigError(values).message;
}

/** Every whole-number setting with its range. */
const NUMBER_KEYS: readonly [string, number, number][] = [
  ['grantCacheTtlSeconds', 0, 3600],
  ['incidentWindowMinutes', 1, 1440],
  ['evidenceRetentionDays', 1, 36500],
  ['evidenceTransitionDays', 1, 36500],
  ['decisionIndexRetentionDays', 1, 36500],
  ['investigationLookbackDays', 1, 365],
  ['streamShardCount', 1, 1000],
  ['canaryIntervalMinutes', 1, 1440],
];

describe('readConfig e-mail lists', () => {
  test.each(['alertEmails', 'operationsEmails'])('%s accepts addresses', (key) => {
    const config = readConfig(contextOf({ [key]: 'security@example.org, ops.team@mail.example.co.uk' }));

    expect(config[key as 'alertEmails' | 'operationsEmails']).toEqual([
      'security@example.org',
      'ops.team@mail.example.co.uk',
    ]);
  });

  test.each(['alertEmails', 'operationsEmails'])('%s rejects non-address', (key) => {
    expect(readMessage({ [key]: 'not-an-email' })).toBe(
      `Context value "${key}" has an entry that is not an e-mail address: "not-an-email". ` +
        'Write each address in the form security@example.org, and separate addresses with commas.',
    );
  });

  test('lists every invalid address', () => {
    const message = readMessage({
      alertEmails: ['a@example.org', 'bob', 'carol@localhost', 'x y@example.org'],
    });

    expect(message).toContain(
      'has entries that are not e-mail addresses: "bob", "carol@localhost", "x y@example.org".',
    );
    expect(message).not.toContain('"a@example.org"');
  });

  test.each(['alertEmails', 'operationsEmails'])('%s rejects duplicates', (key) => {
    expect(readMessage({ [key]: 'a@example.org,b@example.org,a@example.org' })).toBe(
      `Context value "${key}" lists "a@example.org" more than once. List each entry once.`,
    );
  });
});

describe('readConfig phiBucketNames', () => {
  test('accepts valid names', () => {
    const names = ['phi-records', 'my.bucket-1', 'abc', 'a'.repeat(63)];

    expect(readConfig(contextOf({ phiBucketNames: names })).phiBucketNames).toEqual(names);
  });

  test('rejects uppercase and underscore', () => {
    expect(readMessage({ phiBucketNames: 'My_Bucket' })).toBe(
      'Context value "phiBucketNames" has an invalid S3 bucket name: "My_Bucket". ' +
        'A bucket name has 3 to 63 lowercase letters, digits, dots and hyphens, starts and ends with a letter ' +
        'or digit and has no two dots in a row, such as phi-records-111122223333.',
    );
  });

  test.each([
    ['two characters', 'ab'],
    ['64 characters', 'a'.repeat(64)],
    ['two dots in a row', 'phi..records'],
    ['leading hyphen', '-phi'],
    ['trailing dot', 'phi.'],
    ['an ARN', 'arn:aws:s3:::phi-records'],
  ])('rejects %s', (_case, name) => {
    expect(readMessage({ phiBucketNames: [name] })).toContain(
      `has an invalid S3 bucket name: ${JSON.stringify(name)}.`,
    );
  });

  test('lists every invalid name', () => {
    expect(readMessage({ phiBucketNames: 'ok-bucket,Bad,also_bad' })).toContain(
      'has invalid S3 bucket names: "Bad", "also_bad".',
    );
  });

  test('rejects duplicates', () => {
    expect(readMessage({ phiBucketNames: 'phi-a,phi-b,phi-a,phi-b,phi-a' })).toBe(
      'Context value "phiBucketNames" lists "phi-a", "phi-b" more than once. List each entry once.',
    );
  });
});

describe('readConfig whole numbers', () => {
  test.each(NUMBER_KEYS)('%s rejects empty text', (key, min, max) => {
    expect(readMessage({ [key]: '' })).toBe(
      `Context value "${key}" is empty. Set a whole number from ${min} to ${max}, ` +
        'or remove the key to use the default.',
    );
  });

  test.each(NUMBER_KEYS)('%s rejects blank text', (key) => {
    expect(readMessage({ [key]: '  ' })).toContain(`Context value "${key}" is empty.`);
  });

  test.each(['0x10', '1e2', '60.0', '6 0', '60s', 'sixty'])('rejects non-decimal text %s', (text) => {
    expect(readMessage({ grantCacheTtlSeconds: text })).toBe(
      `Context value "grantCacheTtlSeconds" must be a whole number from 0 to 3600, got ${JSON.stringify(text)}.`,
    );
  });

  test.each([
    ['text', '120', 120],
    ['padded text', ' 120 ', 120],
    ['signed text', '+120', 120],
    ['zero', '0', 0],
    ['number from cdk.json', 120, 120],
  ])('accepts %s', (_case, value, expected) => {
    expect(readConfig(contextOf({ grantCacheTtlSeconds: value })).grantCacheTtlSeconds).toBe(expected);
  });

  test('rejects negative text', () => {
    expect(readMessage({ grantCacheTtlSeconds: '-1' })).toContain('got "-1"');
  });

  test('rejects null from cdk.json', () => {
    expect(readMessage({ streamShardCount: null })).toBe(
      'Context value "streamShardCount" must be a whole number from 1 to 1000, got null.',
    );
  });
});

describe('shared value rules', () => {
  test.each([
    ['security@example.org', true],
    ['a@b.co', true],
    ['no-at-sign', false],
    ['two@@example.org', false],
    ['no-dot@localhost', false],
    ['space @example.org', false],
  ])('isEmailAddress %s', (text, expected) => {
    expect(isEmailAddress(text)).toBe(expected);
  });

  test.each([
    ['phi-records', true],
    ['a.b.c', true],
    ['My_Bucket', false],
    ['a..b', false],
    ['ab', false],
  ])('isBucketName %s', (name, expected) => {
    expect(isBucketName(name)).toBe(expected);
  });

  test('findDuplicates lists each repeat once', () => {
    expect(findDuplicates(['a', 'b', 'a', 'c', 'b', 'a'])).toEqual(['a', 'b']);
    expect(findDuplicates(['a', 'b'])).toEqual([]);
  });
});
