/**
 * Decides whether a principal is protected from containment. Pure: no AWS imports.
 */
import type { Principal } from '../../domain/types';

/**
 * Removes the path from an IAM user or role ARN (`role/a/b/Name` becomes `role/Name`). Names are unique
 * per account whatever the path, so the result still identifies one user or role.
 */
export function withoutPath(arn: string): string {
  return arn.replace(/^(arn:[^:]+:iam::\d{12}:(?:role|user))\/(?:.+\/)?([^/]+)$/, '$1/$2');
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Lists the ARNs that a principal is known by (as reported, its grant key, its role), with and without path. */
function principalArns(principal: Principal): string[] {
  const arns = [principal.arn, principal.key, principal.roleArn].filter(
    (arn): arn is string => arn !== undefined,
  );
  return [...new Set(arns.flatMap((arn) => [arn, withoutPath(arn)]))];
}

/**
 * Returns true when any of the principal's ARNs matches a protected entry. Entries are ARNs of users,
 * roles or role sessions, with or without path, and may use `*` as a wildcard
 * (`arn:aws:iam::111122223333:role/phi-guard-*`). Entries are compared without their path as well.
 */
export function isProtectedPrincipal(principal: Principal, protectedArns: readonly string[]): boolean {
  const arns = principalArns(principal);
  const patterns = protectedArns.flatMap((entry) => [globToRegExp(entry), globToRegExp(withoutPath(entry))]);
  return arns.some((arn) => patterns.some((pattern) => pattern.test(arn)));
}
