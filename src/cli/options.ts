/** Parsers for option values, which report invalid values through commander (exit code 1). */
import { InvalidArgumentError } from 'commander';

/** Returns a parser of a whole number from `min` to `max`, for commander's `argParser`. */
export function integerInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}, got "${value}".`);
    }
    return number;
  };
}

/** Parses a comma-separated list of S3 bucket names. */
export function bucketList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const invalid = names.filter((name) => !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name));
  if (names.length === 0 || invalid.length > 0) {
    throw new InvalidArgumentError(
      `Expected comma-separated S3 bucket names (3-63 lowercase letters, digits, dots and hyphens), got "${value}".`,
    );
  }
  return names;
}
