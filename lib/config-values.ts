/**
 * Readers for single CDK context values. Each one returns a default when the key is not set (the fallback,
 * an empty list or undefined). On an invalid value, each throws a `ConfigError` that names the key and shows
 * the received value.
 */
import type { ContextReader } from './config';
import { ConfigError } from './config-error';
import { findDuplicates, isBucketName, isEmailAddress } from './config-rules';

export function readStringList(read: ContextReader, key: string): string[] {
  const value = read(key);
  if (value === undefined || value === '') {
    return [];
  }
  // `-c key=a,b` arrives as a string; cdk.json can hold a JSON array.
  const items = typeof value === 'string' ? parseListText(key, value) : value;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new ConfigError(
      `Context value "${key}" must be a list of non-empty strings, got ${JSON.stringify(value)}.`,
    );
  }
  return items;
}

function parseListText(key: string, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    return parseJsonList(key, trimmed);
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function parseJsonList(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      throw error;
    }
    throw new ConfigError(
      `Context value "${key}" starts with "[" but is not a valid JSON array (${error.message}), ` +
        `got ${JSON.stringify(text)}. Write a JSON array of strings such as ["a","b"] ` +
        'or a comma-separated list such as a,b.',
    );
  }
}

/** A rule for the entries of a list value, and the words that an error message uses for rejected entries. */
export interface EntryRule {
  /** Predicate that is true for an entry that the rule accepts. */
  readonly isValid: (entry: string) => boolean;
  /** Noun phrase for one rejected entry, such as `an invalid S3 bucket name`. */
  readonly singular: string;
  /** Noun phrase for several rejected entries, such as `invalid S3 bucket names`. */
  readonly plural: string;
  /** Sentences after the quoted entries that say how to correct them. */
  readonly fix: string;
}

const EMAIL_ADDRESS_RULE: EntryRule = {
  isValid: isEmailAddress,
  singular: 'an entry that is not an e-mail address',
  plural: 'entries that are not e-mail addresses',
  fix: 'Write each address in the form security@example.org, and separate addresses with commas.',
};

const BUCKET_NAME_RULE: EntryRule = {
  isValid: isBucketName,
  singular: 'an invalid S3 bucket name',
  plural: 'invalid S3 bucket names',
  fix:
    'A bucket name has 3 to 63 lowercase letters, digits, dots and hyphens, starts and ends with a letter ' +
    'or digit and has no two dots in a row, such as phi-records-111122223333.',
};

/** Reads a list of e-mail addresses, such as the subscribers of a topic. Each address may occur once. */
export function readEmailAddresses(read: ContextReader, key: string): string[] {
  return readUniqueEntries(read, key, EMAIL_ADDRESS_RULE);
}

/** Reads a list of S3 bucket names. Each name may occur once. */
export function readBucketNames(read: ContextReader, key: string): string[] {
  return readUniqueEntries(read, key, BUCKET_NAME_RULE);
}

function readUniqueEntries(read: ContextReader, key: string, rule: EntryRule): string[] {
  const entries = readStringList(read, key);
  checkEntries(key, entries, rule);
  checkNoDuplicates(key, entries);
  return entries;
}

/** Throws a `ConfigError` that quotes every entry of `key` that `rule` rejects, followed by its fix. */
export function checkEntries(key: string, entries: readonly string[], rule: EntryRule): void {
  const invalid = entries.filter((entry) => !rule.isValid(entry));
  if (invalid.length > 0) {
    const description = invalid.length === 1 ? rule.singular : rule.plural;
    throw new ConfigError(`Context value "${key}" has ${description}: ${quoteAll(invalid)}. ${rule.fix}`);
  }
}

function checkNoDuplicates(key: string, entries: readonly string[]): void {
  const duplicates = findDuplicates(entries);
  if (duplicates.length > 0) {
    throw new ConfigError(
      `Context value "${key}" lists ${quoteAll(duplicates)} more than once. List each entry once.`,
    );
  }
}

/** Returns the entries as JSON strings separated by commas, such as `"a", "b"`. */
export function quoteAll(entries: readonly string[]): string {
  return entries.map((entry) => JSON.stringify(entry)).join(', ');
}

export function readBoolean(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (value === undefined) {
    return fallback;
  }
  if (value === true || value === 'true') {
    return true;
  }
  if (value === false || value === 'false') {
    return false;
  }
  throw new ConfigError(`Context value "${key}" must be true or false, got ${JSON.stringify(value)}.`);
}

export function readInteger(
  read: ContextReader,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  return readOptionalInteger(read, key, min, max) ?? fallback;
}

export function readOptionalInteger(
  read: ContextReader,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = read(key);
  if (value === undefined) {
    return undefined;
  }
  if (typeof value === 'string' && value.trim() === '') {
    // `-c key=` passes an empty string, which Number() would read as 0.
    throw new ConfigError(
      `Context value "${key}" is empty. Set a whole number from ${min} to ${max}, ` +
        'or remove the key to use the default.',
    );
  }
  const number = typeof value === 'string' ? parseDecimalInteger(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(
      `Context value "${key}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
    );
  }
  return number;
}

/**
 * Parses decimal digits with an optional sign. Returns NaN for any other text, including forms that Number()
 * accepts, such as 0x10, 1e3 and 60.0.
 */
function parseDecimalInteger(text: string): number {
  const trimmed = text.trim();
  return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
}

export function readString(read: ContextReader, key: string, fallback: string): string {
  const value = read(key);
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`Context value "${key}" must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function readEnum<T extends string>(
  read: ContextReader,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = read(key);
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new ConfigError(
      `Context value "${key}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}.`,
    );
  }
  return value as T;
}
