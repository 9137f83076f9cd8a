/**
 * Checks the names of CDK context keys. `readConfig` looks up each of its keys by exact name and reads no
 * other key, so without this check a misspelled `monitormode=true` or `monitoringMode=true` would leave
 * containment on.
 */
import type { ContextReader } from './config';
import { ConfigError } from './config-error';
import { quoteAll, readStringList } from './config-values';

/** Context key of the list of keys that other tools set, which `checkContextKeys` then accepts. */
export const IGNORE_LIST_KEY = 'ignoreContextKeys';

/** Every context key of phi-guard: the keys that `readConfig` reads, and `ignoreContextKeys`. */
export const PHI_GUARD_CONTEXT_KEYS = [
  IGNORE_LIST_KEY,
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
 * Maximum edit distance at which an unknown key counts as a misspelled phi-guard key. It is two edits, or one
 * edit per `CHARACTERS_PER_EDIT` characters of the phi-guard key when that allows more.
 */
const MIN_TYPO_DISTANCE = 2;
const CHARACTERS_PER_EDIT = 7;

/** Minimum length of a key fragment, such as `emails`, that is taken for part of a phi-guard key. */
const MIN_FRAGMENT_LENGTH = 6;

/**
 * Checks every context key, and throws a `ConfigError` that names each key that is neither a phi-guard key,
 * a CDK key nor in `ignoredKeys`. The message names the phi-guard key that a misspelled key probably means.
 */
export function checkContextKeys(keys: Iterable<string>, ignoredKeys: readonly string[] = []): void {
  const unknownKeys = [...keys].filter(
    (key) => !isPhiGuardKey(key) && !isCdkContextKey(key) && !ignoredKeys.includes(key),
  );
  if (unknownKeys.length > 0) {
    throw new ConfigError(unknownKeysMessage(unknownKeys));
  }
}

/**
 * Reads `ignoreContextKeys`, a comma-separated or JSON list of keys that other tools keep in the CDK context.
 * Rejects phi-guard keys in the list, because listing one does not stop phi-guard from reading it.
 */
export function readIgnoredContextKeys(read: ContextReader): string[] {
  const keys = readStringList(read, IGNORE_LIST_KEY);
  const phiGuardKeys = keys.filter(isPhiGuardKey);
  if (phiGuardKeys.length > 0) {
    throw new ConfigError(
      `Context value "${IGNORE_LIST_KEY}" lists the phi-guard ` +
        `${phiGuardKeys.length === 1 ? 'key' : 'keys'} ${quoteAll(phiGuardKeys)}, which phi-guard reads anyway. ` +
        `Remove ${phiGuardKeys.length === 1 ? 'it' : 'them'} from ${IGNORE_LIST_KEY}.`,
    );
  }
  return keys;
}

function unknownKeysMessage(unknownKeys: readonly string[]): string {
  const intendedKeys = new Map(unknownKeys.map((key) => [key, findIntendedKey(key)]));
  const misspelled = unknownKeys.filter((key) => intendedKeys.get(key) !== undefined);
  const unrelated = unknownKeys.filter((key) => intendedKeys.get(key) === undefined);
  const sentences = unknownKeys.map((key) => describeUnknownKey(key, intendedKeys.get(key)));

  if (misspelled.length > 0) {
    sentences.push(
      `Correct the key ${misspelled.length === 1 ? 'name' : 'names'}, ` +
        'because phi-guard reads each setting only under its exact name and would use the default value instead.',
    );
  }
  if (unrelated.length > 0) {
    sentences.push(unrelatedKeysFix(unrelated));
  }
  return sentences.join(' ');
}

function describeUnknownKey(key: string, intended: string | undefined): string {
  return intended === undefined
    ? `Context key "${key}" is not a phi-guard or CDK setting.`
    : `Context key "${key}" is not a phi-guard setting. Did you mean "${intended}"?`;
}

function unrelatedKeysFix(keys: readonly string[]): string {
  const pronoun = keys.length === 1 ? 'it' : 'them';
  return (
    `Remove ${pronoun}, or list ${pronoun} in ${IGNORE_LIST_KEY} ` +
    `(-c ${IGNORE_LIST_KEY}=${keys.join(',')}) when another tool reads ${pronoun}. ` +
    'Synthesis stops on unknown keys because a misspelled setting would have no effect. ' +
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
