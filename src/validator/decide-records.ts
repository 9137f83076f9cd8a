import { decideAccess, type DecisionContext } from '../domain/classify';
import type { Decision, DecisionType, Grant, Principal } from '../domain/types';
import type { DecodedRecord } from './decode-record';

/**
 * Decides every access and returns the decisions per record (parallel to `records`). An access whose
 * principal has no entry in `grants` is decided without grants: that settles out-of-scope, service and
 * denied accesses, which no grant can change. When the result would be a violation, the access gets no
 * decision, because its principal's grants are unknown (the lookup failed) and only an error is correct.
 */
export function decideRecords(
  records: readonly DecodedRecord[],
  grants: ReadonlyMap<string, readonly Grant[]>,
  context: DecisionContext,
): Decision[][] {
  return records.map((record) =>
    record.accesses.flatMap((access) => {
      const principalGrants = grants.get(access.principal.key);
      if (principalGrants !== undefined) {
        return [decideAccess(access, principalGrants, context)];
      }
      const withoutGrants = decideAccess(access, [], context);
      return withoutGrants.decision === 'violation' ? [] : [withoutGrants];
    }),
  );
}

/**
 * Returns the principal keys that need a grant lookup: those with at least one access that grants can
 * decide. With no grants such an access is a violation, while out-of-scope, service and denied accesses
 * are decided the same with or without grants.
 */
export function principalsNeedingGrants(
  records: readonly DecodedRecord[],
  context: DecisionContext,
): Set<string> {
  const keys = new Set<string>();
  for (const record of records) {
    for (const access of record.accesses) {
      if (!keys.has(access.principal.key) && decideAccess(access, [], context).decision === 'violation') {
        keys.add(access.principal.key);
      }
    }
  }
  return keys;
}

/** Returns the first principal seen for each principal key in the batch. */
export function collectPrincipals(records: readonly DecodedRecord[]): Map<string, Principal> {
  const principals = new Map<string, Principal>();
  for (const record of records) {
    for (const access of record.accesses) {
      if (!principals.has(access.principal.key)) {
        principals.set(access.principal.key, access.principal);
      }
    }
  }
  return principals;
}

/** Returns the principal keys that have at least one decision of the given type. */
export function principalsWithDecision(decisions: readonly Decision[], type: DecisionType): Set<string> {
  return new Set(
    decisions.filter((decision) => decision.decision === type).map((decision) => decision.principalKey),
  );
}
