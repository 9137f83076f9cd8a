import { ConfigError } from '../../lib/config';

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
