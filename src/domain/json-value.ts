/** Type guards and readers for parsed JSON of unknown shape. */

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the field when it is a non-empty string, otherwise undefined. */
export function readString(object: JsonObject | undefined, field: string): string | undefined {
  const value = object?.[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Returns the field when it is a JSON object, otherwise undefined. */
export function readObject(object: JsonObject | undefined, field: string): JsonObject | undefined {
  const value = object?.[field];
  return isJsonObject(value) ? value : undefined;
}

/** Describes a JSON value for error messages: its type, and the value itself when it is short. */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} ${value.length === 1 ? 'item' : 'items'}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return value.length <= 80 ? `"${value}"` : `a string of ${value.length} characters`;
  return `${typeof value} ${String(value)}`;
}
