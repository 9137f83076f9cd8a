/**
 * Readers for single CDK context values. Each one returns the fallback when the key is not set and throws
 * a `ConfigError` that names the key and shows the received value when the value is invalid.
 */
import type { ContextReader } from './config';
import { ConfigError } from './config-error';

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
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(
      `Context value "${key}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
    );
  }
  return number;
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
