/**
 * Canonical JSON text, so that the SHA-256 of a report is reproducible. Pure: no AWS imports.
 */
import { createHash } from 'node:crypto';

/**
 * Serializes a JSON value with object keys sorted by UTF-16 code units and no whitespace. Numbers and
 * strings are written as `JSON.stringify` writes them, which is also how RFC 8785 (JSON Canonicalization
 * Scheme) writes them. Object fields that are undefined are left out, as `JSON.stringify` does.
 * @throws TypeError for values that JSON cannot represent (non-finite numbers, bigint, functions, symbols).
 */
export function canonicalJson(value: unknown): string {
  const json = toJsonValue(value);
  if (json === null || typeof json !== 'object') return serializeScalar(json);
  if (Array.isArray(json))
    return `[${json.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;

  const record = json as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((name) => record[name] !== undefined)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
  return `{${fields.join(',')}}`;
}

/** Returns the SHA-256 of the UTF-8 text as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function toJsonValue(value: unknown): unknown {
  const withToJson = value as { toJSON?: () => unknown } | null;
  return typeof withToJson?.toJSON === 'function' ? withToJson.toJSON() : value;
}

function serializeScalar(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`Canonical JSON cannot represent the number ${value}.`);
  }
  if (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean'
  ) {
    return JSON.stringify(value);
  }
  throw new TypeError(`Canonical JSON cannot represent a value of type ${typeof value}.`);
}
