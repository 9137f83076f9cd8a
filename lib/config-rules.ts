/**
 * Rules for values that both `readConfig` and the constructs that receive them check. `readConfig` checks
 * first, so that `cdk synth` prints one error line, and the constructs check again for direct users.
 */

/** A local part, an @ and a domain that contains a dot, with no spaces and no second @. */
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** S3 general purpose bucket names: 3-63 characters, lowercase letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Returns true when `text` has the form of an e-mail address, such as `security@example.org`. */
export function isEmailAddress(text: string): boolean {
  return EMAIL_ADDRESS.test(text);
}

/**
 * Returns true when `name` is a valid S3 general purpose bucket name: 3 to 63 lowercase letters, digits,
 * dots and hyphens, starting and ending with a letter or digit, without two dots in a row.
 */
export function isBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes('..');
}

/** Returns the entries that occur more than once in `entries`, each once, in the order of their first repeat. */
export function findDuplicates(entries: readonly string[]): string[] {
  return [...new Set(entries.filter((entry, index) => entries.indexOf(entry) !== index))];
}
