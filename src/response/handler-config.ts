/**
 * Environment variables of the incident response Lambda functions, read once per cold start.
 */

/** Returns the variable's value. @throws Error naming the variable when it is missing or empty. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is missing; the stack sets it on the function.`);
  }
  return value;
}

/**
 * Returns the variable as an integer within [min, max], or `defaultValue` when it is unset.
 * @throws Error naming the variable and the allowed range when the value is not such an integer.
 */
export function readIntegerEnv(
  name: string,
  defaultValue: number,
  range: IntegerRange,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const text = env[name];
  return text === undefined || text.trim() === '' ? defaultValue : parseInteger(name, text, range);
}

/** Returns the variable as an integer within [min, max]. @throws Error when it is missing or out of range. */
export function requireIntegerEnv(
  name: string,
  range: IntegerRange,
  env: NodeJS.ProcessEnv = process.env,
): number {
  return parseInteger(name, requireEnv(name, env), range);
}

export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

function parseInteger(name: string, text: string, range: IntegerRange): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new Error(
      `Environment variable ${name} is ${JSON.stringify(text)}; expected an integer from ${range.min} to ${range.max}.`,
    );
  }
  return value;
}
