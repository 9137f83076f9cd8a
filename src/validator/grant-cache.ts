import type { Grant } from '../domain/types';

/** Default time a principal's grants stay cached, in seconds. */
export const DEFAULT_GRANT_CACHE_TTL_SECONDS = 60;

/** Entries kept before the oldest are evicted, so that a scan by many principals cannot exhaust memory. */
const DEFAULT_MAX_ENTRIES = 10_000;

interface CacheEntry {
  readonly grants: readonly Grant[];
  readonly expiresAtMs: number;
}

export interface GrantCacheOptions {
  /** Seconds an entry stays valid; 0 disables the cache. @default 60 */
  readonly ttlSeconds?: number;
  /** Source of the current time. @default () => new Date() */
  readonly clock?: () => Date;
  /** Entries kept at most; the oldest entry is evicted first. @default 10000 */
  readonly maxEntries?: number;
}

/**
 * Principal key -> grants, kept for a fixed time after each read, including empty results. A cached result
 * can be stale by up to the TTL, so it may miss a new grant or still contain a revoked one. The validator
 * therefore confirms every violation with a consistent read.
 *
 * NOTE: a revoked grant still authorizes accesses decided from the cache until its entry expires (60 s by
 * default). Set the TTL to 0 where revocations must apply at once.
 */
export class GrantCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly ttlMs: number;
  private readonly clock: () => Date;
  private readonly maxEntries: number;

  constructor(options: GrantCacheOptions = {}) {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_GRANT_CACHE_TTL_SECONDS;
    if (!Number.isFinite(ttlSeconds) || ttlSeconds < 0) {
      throw new RangeError(`Grant cache TTL must be a number of seconds >= 0, got ${ttlSeconds}.`);
    }
    this.ttlMs = ttlSeconds * 1000;
    this.clock = options.clock ?? (() => new Date());
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Returns the cached grants of a principal, or undefined when none are cached or the entry expired. */
  get(principalKey: string): readonly Grant[] | undefined {
    const entry = this.entries.get(principalKey);
    if (entry === undefined) {
      return undefined;
    }
    if (entry.expiresAtMs <= this.clock().getTime()) {
      this.entries.delete(principalKey);
      return undefined;
    }
    return entry.grants;
  }

  /** Stores a principal's grants (an empty list too) for the TTL, replacing any earlier entry. */
  set(principalKey: string, grants: readonly Grant[]): void {
    if (!this.enabled) {
      return;
    }
    this.entries.delete(principalKey);
    if (this.entries.size >= this.maxEntries) {
      const oldestKey = this.entries.keys().next().value as string;
      this.entries.delete(oldestKey);
    }
    this.entries.set(principalKey, { grants, expiresAtMs: this.clock().getTime() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
