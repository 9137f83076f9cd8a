/**
 * Checks the entries of `protectedPrincipalArns`. Containment compares each entry, as a glob where `*`
 * matches any text, with the ARNs that CloudTrail reports for a principal (see
 * `src/response/containment/protected-principals.ts`). An entry of another shape, such as a bare role name,
 * matches no principal, so the principal that it was meant to protect could be contained.
 */
import { checkEntries, type EntryRule } from './config-values';

/** IAM user, role or root ARN. The partition, the account ID and the name may be `*`. */
const IAM_PRINCIPAL_ARN = /^arn:(?:aws[a-z-]*|\*):iam::(?:\d{12}|\*):(?:root|user\/\S+|role\/\S+|\*\S*)$/;

/** STS role session or federated user ARN. The partition, the account ID and the names may be `*`. */
const STS_PRINCIPAL_ARN =
  /^arn:(?:aws[a-z-]*|\*):sts::(?:\d{12}|\*):(?:assumed-role\/\S+|federated-user\/\S+|\*\S*)$/;

const EXAMPLE_ARNS =
  'arn:aws:iam::111122223333:role/break-glass or arn:aws:sts::111122223333:assumed-role/break-glass/*';

/**
 * Rule that rejects entries with a comma, because the containment function receives the whole list in one
 * comma-separated environment variable.
 */
const NO_COMMA_RULE: EntryRule = {
  isValid: (entry) => !entry.includes(','),
  singular: 'an entry with a comma',
  plural: 'entries with a comma',
  fix: 'The containment function splits the list at commas, so write * in place of each comma.',
};

/** Throws a `ConfigError` that lists every entry of `key` that containment could never match. */
export function checkProtectedPrincipalArns(key: string, entries: readonly string[]): void {
  checkEntries(key, entries, NO_COMMA_RULE);
  checkEntries(key, entries, {
    isValid: isPrincipalArnPattern,
    singular: 'an entry that is not an IAM or STS principal ARN',
    plural: 'entries that are not IAM or STS principal ARNs',
    fix:
      'Containment compares each entry with principal ARNs, so such an entry does not protect the ' +
      `principal that it names. Use an ARN such as ${EXAMPLE_ARNS}, ` +
      'where the account ID and names may contain * as a wildcard.' +
      wildcardOnlyHint(entries),
  });
}

/**
 * The principals that an entry with the account ID `*` protects when its resource is one of these, by
 * service and then resource. Runs of `*` count as one, because the glob matches them alike.
 */
const EVERY_PRINCIPAL_OF_KIND = new Map([
  ['iam:*', 'IAM user and role'],
  ['iam:role/*', 'IAM role'],
  ['iam:user/*', 'IAM user'],
  ['sts:*', 'role session and federated user'],
  ['sts:assumed-role/*', 'role session'],
  ['sts:federated-user/*', 'federated user'],
]);

/**
 * Returns one warning for each entry that protects every principal of a kind in every account, such as
 * `arn:aws:iam::*:*` or `arn:aws:iam::*:role/*`. Such an entry is valid, but containment then skips all
 * those principals, which a list of break-glass roles rarely intends.
 */
export function findBroadPrincipalWarnings(key: string, entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const kind = everyPrincipalKind(entry);
    if (kind === undefined) {
      return [];
    }
    return [
      `Context value "${key}" has the entry ${JSON.stringify(entry)}, which protects every ${kind} ` +
        'in every account, so containment will never act on them. ' +
        `List only the principals that containment must not touch, such as ${EXAMPLE_ARNS}, ` +
        'or set monitorMode=true to turn containment off.',
    ];
  });
}

function everyPrincipalKind(entry: string): string | undefined {
  const match = /^arn:[^:]+:(iam|sts)::\*:(.+)$/.exec(entry);
  if (match === null) {
    return undefined;
  }
  const [, service, resource] = match;
  return EVERY_PRINCIPAL_OF_KIND.get(`${service}:${resource.replace(/\*+/g, '*')}`);
}

export function isPrincipalArnPattern(entry: string): boolean {
  return IAM_PRINCIPAL_ARN.test(entry) || STS_PRINCIPAL_ARN.test(entry);
}

function wildcardOnlyHint(entries: readonly string[]): string {
  const protectsEveryone = entries.some((entry) => /^\*+$/.test(entry));
  return protectsEveryone
    ? ' To turn containment off for every principal, set monitorMode=true instead.'
    : '';
}
