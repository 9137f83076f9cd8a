import {
  decideAccess,
  decidePreparedAccess,
  isDecidedByGrants,
  type DecisionContext,
  type PrincipalGrants,
} from '../domain/classify';
import type { Decision, Principal } from '../domain/types';
import type { DecodedRecord } from './decode-record';

/** Decides every access and returns the decisions per record (parallel to `records`). */
export function decideRecords(
  records: readonly DecodedRecord[],
  grants: ReadonlyMap<string, PrincipalGrants>,
  context: DecisionContext,
): Decision[][] {
  return records.map((record) => decideRecord(record, grants, context));
}

/**
 * Decides the accesses of one record. An access whose principal has no entry in `grants` is decided
 * without grants when grants cannot change its decision (out-of-scope, service, denied, and root,
 * anonymous or unresolved principals). Otherwise it gets no decision, because its principal's grants are
 * unknown (the lookup failed) and only an error is correct.
 */
export function decideRecord(
  record: DecodedRecord,
  grants: ReadonlyMap<string, PrincipalGrants>,
  context: DecisionContext,
): Decision[] {
  const decisions: Decision[] = [];
  for (const access of record.accesses) {
    const principalGrants = grants.get(access.principal.key);
    if (principalGrants !== undefined) {
      decisions.push(decidePreparedAccess(access, principalGrants, context));
    } else if (!isDecidedByGrants(access, context)) {
      decisions.push(decideAccess(access, [], context));
    }
  }
  return decisions;
}

/** Returns the principal keys that need a grant lookup: those with at least one access that grants decide. */
export function principalsNeedingGrants(
  records: readonly DecodedRecord[],
  context: DecisionContext,
): Set<string> {
  const keys = new Set<string>();
  for (const record of records) {
    for (const access of record.accesses) {
      if (isDecidedByGrants(access, context)) {
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
