import { preparePrincipalGrants, type PrincipalGrants } from '../domain/classify';
import { fetchGrantsByPrincipal, type GrantsTable } from '../grants/grant-repository';
import type { GrantCache } from './grant-cache';

/** Grants of the principals of one batch, and the principals whose lookup failed. */
export interface BatchGrants {
  /**
   * Grants per resolved principal key (an empty list when the principal has none), prepared once per batch
   * so that deciding an access parses no grant time.
   */
  readonly grants: Map<string, PrincipalGrants>;
  /** Principal keys read with a strongly consistent read during this batch. */
  readonly consistent: Set<string>;
  /** Principal keys whose lookup failed, with the error. No access of theirs that depends on grants is decided. */
  readonly failures: Map<string, Error>;
  /** Principal keys read from DynamoDB (one Query each unless a result spans several pages), and cache hits. */
  lookups: number;
  cacheHits: number;
}

export interface GrantLookupDependencies {
  readonly table: GrantsTable;
  readonly cache: GrantCache;
  /** Queries in flight at once. @default 8 */
  readonly concurrency?: number;
}

/**
 * Resolves the grants of every distinct principal key: cached keys from the cache, the rest with one
 * eventually consistent Query each. A batch whose principals are all cached sends no request.
 */
export async function prefetchGrants(
  dependencies: GrantLookupDependencies,
  principalKeys: Iterable<string>,
): Promise<BatchGrants> {
  const batch: BatchGrants = {
    grants: new Map(),
    consistent: new Set(),
    failures: new Map(),
    lookups: 0,
    cacheHits: 0,
  };
  const uncached: string[] = [];
  for (const key of new Set(principalKeys)) {
    const cached = dependencies.cache.get(key);
    if (cached === undefined) {
      uncached.push(key);
    } else {
      batch.grants.set(key, preparePrincipalGrants(key, cached));
      batch.cacheHits += 1;
    }
  }
  await readInto(dependencies, batch, uncached, false);
  return batch;
}

/**
 * Re-reads the grants of the given principals with strongly consistent reads, so that no violation
 * rests on a cached or stale result. Keys already read consistently in this batch are not read again.
 * A key whose re-read fails moves from `grants` to `failures`.
 */
export async function confirmGrants(
  dependencies: GrantLookupDependencies,
  batch: BatchGrants,
  principalKeys: Iterable<string>,
): Promise<void> {
  const keys = [...new Set(principalKeys)].filter(
    (key) => !batch.consistent.has(key) && !batch.failures.has(key),
  );
  await readInto(dependencies, batch, keys, true);
}

async function readInto(
  dependencies: GrantLookupDependencies,
  batch: BatchGrants,
  keys: readonly string[],
  consistentRead: boolean,
): Promise<void> {
  if (keys.length === 0) {
    return;
  }
  const results = await fetchGrantsByPrincipal(dependencies.table, keys, {
    consistentRead,
    concurrency: dependencies.concurrency,
  });
  batch.lookups += keys.length;
  for (const [key, result] of results) {
    if (result.ok) {
      batch.grants.set(key, preparePrincipalGrants(key, result.grants));
      dependencies.cache.set(key, result.grants);
      if (consistentRead) {
        batch.consistent.add(key);
      }
    } else {
      batch.grants.delete(key);
      batch.failures.set(key, result.error);
    }
  }
}
