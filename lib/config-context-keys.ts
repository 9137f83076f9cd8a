/**
 * Checks the names of CDK context keys. `readConfig` looks up each of its keys by exact name and reads no
 * other key, so without this check a misspelled `monitormode=true` would leave containment on.
 */
import { ConfigError } from './config-error';

/** Every context key that `readConfig` reads. */
export const PHI_GUARD_CONTEXT_KEYS = [
  'profile',
  'phiBucketNames',
  'monitorMode',
  'protectedPrincipalArns',
  'roleContainmentMode',
  'alertEmails',
  'operationsEmails',
  'grantCacheTtlSeconds',
  'incidentWindowMinutes',
  'evidenceRetentionDays',
  'evidenceTransitionDays',
  'decisionIndexRetentionDays',
  'investigationLookbackDays',
  'streamShardCount',
  'canaryEnabled',
  'canaryIntervalMinutes',
  'reconciliationSchedule',
] as const;

/** Prefixes of the keys that the CDK CLI, aws-cdk-lib and CDK feature flags use. */
const CDK_KEY_PREFIXES = ['@', 'aws:cdk:', 'aws-cdk:', 'cdk-'];

/** CDK keys without one of those prefixes: CLI settings and a key of the legacy stack synthesizer. */
const CDK_KEYS = new Set(['cli-telemetry', 'acknowledged-issue-numbers', 'assets-ecr-repository-name']);

/**
 * Cached lookups in `cdk.context.json`, named `PROVIDER:prop=value:...`, such as
 * `availability-zones:account=111122223333:region=us-east-1`.
 */
const CDK_LOOKUP_KEY = /^[a-z][a-z0-9-]*:[A-Za-z0-9.]+=/;

/**
 * Edit distance at which an unknown key is taken for a misspelled phi-guard key: two edits, or one edit per
 * `CHARACTERS_PER_EDIT` characters of the phi-guard key when that allows more.
 */
const MIN_TYPO_DISTANCE = 2;
const CHARACTERS_PER_EDIT = 7;

/** Minimum length of a key fragment, such as `emails`, that is taken for part of a phi-guard key. */
const MIN_FRAGMENT_LENGTH = 6;

/**
 * Checks every context key. Throws a `ConfigError` that names each key that looks like a misspelled
 * phi-guard key together with the key it probably means. Returns the other keys that neither phi-guard
 * nor CDK uses, so that the caller can warn about them.
 */
export function checkContextKeys(keys: Iterable<string>): string[] {
  const unknownKeys = [...keys].filter((key) => !isPhiGuardKey(key) && !isCdkContextKey(key));
  const misspelled = unknownKeys.flatMap((key) => {
    const intended = findIntendedKey(key);
    return intended === undefined ? [] : [{ key, intended }];
  });

  if (misspelled.length > 0) {
    const sentences = misspelled.map(
      ({ key, intended }) => `Context key "${key}" is not a phi-guard setting. Did you mean "${intended}"?`,
    );
    throw new ConfigError(
      `${sentences.join(' ')} Correct the key ${misspelled.length === 1 ? 'name' : 'names'}, ` +
        'because phi-guard ignores keys that it does not know ' +
        'and would use the default value instead.',
    );
  }
  return unknownKeys;
}

/** Returns the warning for a key that neither phi-guard nor CDK uses. */
export function unknownContextKeyWarning(key: string): string {
  return (
    `Context key "${key}" is not a phi-guard or CDK setting, so it has no effect. ` +
    'The phi-guard settings are listed under "Context values" in docs/deploy.md.'
  );
}

export function isCdkContextKey(key: string): boolean {
  return (
    CDK_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)) || CDK_KEYS.has(key) || CDK_LOOKUP_KEY.test(key)
  );
}

function isPhiGuardKey(key: string): boolean {
  return (PHI_GUARD_CONTEXT_KEYS as readonly string[]).includes(key);
}

/**
 * Returns the phi-guard key that `key` probably means, or undefined when it resembles none. Keys are compared
 * in lower case. A key resembles a phi-guard key when the edit distance is within `maxTypoDistance`
 * (`protectedPrincipals` for `protectedPrincipalArns`), or when one contains the other and the shorter one
 * has at least `MIN_FRAGMENT_LENGTH` characters (`bucketNames` for `phiBucketNames`).
 */
export function findIntendedKey(key: string): string | undefined {
  const candidate = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;

  for (const known of PHI_GUARD_CONTEXT_KEYS) {
    const target = known.toLowerCase();
    const distance = editDistance(candidate, target);
    if (distance > maxTypoDistance(target) && !isFragmentOf(candidate, target)) {
      continue;
    }
    if (best === undefined || distance < best.distance) {
      best = { key: known, distance };
    }
  }
  return best?.key;
}

function maxTypoDistance(key: string): number {
  return Math.max(MIN_TYPO_DISTANCE, Math.floor(key.length / CHARACTERS_PER_EDIT));
}

function isFragmentOf(a: string, b: string): boolean {
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  return shorter.length >= MIN_FRAGMENT_LENGTH && longer.includes(shorter);
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);

  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
