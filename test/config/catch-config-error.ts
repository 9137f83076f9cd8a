import { ConfigError, readConfig, type ContextReader } from '../../lib/config';

/** Runs `action` and returns the `ConfigError` it throws. Fails when it throws nothing or another error. */
export function catchConfigError(action: () => unknown, description: string): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error(`Expected a ConfigError, but ${description} was accepted.`);
}

/** Returns a reader over `values`, as `node.tryGetContext` reads CDK context. */
export function contextOf(values: Record<string, unknown>): ContextReader {
  return (key) => values[key];
}

/** Runs `readConfig` over `values` and returns the `ConfigError` it throws. */
export function readConfigError(values: Record<string, unknown>): ConfigError {
  return catchConfigError(() => readConfig(contextOf(values)), JSON.stringify(values));
}
