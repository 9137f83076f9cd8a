import { GrantCache } from '../../src/validator/grant-cache';
import { CLINICIAN_ROLE_KEY, makeGrant } from './support/fixtures';

describe('GrantCache', () => {
  const grant = makeGrant({ grantId: 'g-1', principalKey: CLINICIAN_ROLE_KEY });

  function cacheAt(start: string, ttlSeconds?: number, maxEntries?: number) {
    let now = new Date(start);
    const cache = new GrantCache({ ttlSeconds, clock: () => now, maxEntries });
    const advance = (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    };
    return { cache, advance };
  }

  it('expires entries after the TTL', () => {
    const { cache, advance } = cacheAt('2025-03-01T10:00:00Z');
    cache.set(CLINICIAN_ROLE_KEY, [grant]);
    advance(59);
    expect(cache.get(CLINICIAN_ROLE_KEY)).toEqual([grant]);
    advance(1);
    expect(cache.get(CLINICIAN_ROLE_KEY)).toBeUndefined();
  });

  it('keeps empty results', () => {
    const { cache } = cacheAt('2025-03-01T10:00:00Z');
    cache.set('arn:aws:iam::111122223333:user/nobody', []);
    expect(cache.get('arn:aws:iam::111122223333:user/nobody')).toEqual([]);
  });

  it('TTL 0 disables caching', () => {
    const { cache } = cacheAt('2025-03-01T10:00:00Z', 0);
    cache.set(CLINICIAN_ROLE_KEY, [grant]);
    expect(cache.enabled).toBe(false);
    expect(cache.get(CLINICIAN_ROLE_KEY)).toBeUndefined();
  });

  it('evicts the oldest entry', () => {
    const { cache } = cacheAt('2025-03-01T10:00:00Z', 60, 2);
    cache.set('a', []);
    cache.set('b', []);
    cache.set('c', []);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual([]);
    expect(cache.size).toBe(2);
  });

  it('rejects a negative TTL', () => {
    expect(() => new GrantCache({ ttlSeconds: -1 })).toThrow(/>= 0, got -1/);
  });
});
