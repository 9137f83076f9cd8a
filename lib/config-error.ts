/**
 * An invalid or misspelled CDK context setting. `bin/tap.ts` prints only its message, because the message
 * already names the key, the value and the fix, and a stack trace would hide them.
 */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';
}
