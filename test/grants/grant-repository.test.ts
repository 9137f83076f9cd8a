import { DescribeTableCommand, PutItemCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { InvalidGrantError } from '../../src/domain/errors';
import {
  DuplicateGrantIdError,
  GrantAlreadyRevokedError,
  GrantChangedError,
  GrantNotFoundError,
  InvalidGrantItemError,
} from '../../src/grants/errors';
import {
  fetchGrantsByPrincipal,
  findGrant,
  getGrant,
  putGrants,
  revokeGrantById,
  type GrantLookupResult,
} from '../../src/grants/grant-repository';
import type { Grant } from '../../src/domain/types';
import { GRANT_ID_INDEX_NAME } from '../../src/grants/table-definition';
import { ANALYST_USER_KEY, CLINICIAN_ROLE_KEY, makeGrant } from '../validator/support/fixtures';
import { countRequests } from '../validator/support/request-counter';
import { putRawGrant, scanGrants, useLocalGrantsTables } from './support/local-grants-tables';

const tables = useLocalGrantsTables();
const newTable = () => tables.newTable();

/** Returns the grants of a successful lookup and fails the test when the lookup failed. */
function grantsOf(results: Map<string, GrantLookupResult>, key: string): readonly Grant[] {
  const result = results.get(key);
  if (result === undefined || !result.ok) {
    throw new Error(`Expected grants for ${key}, got ${result ? result.error.message : 'no result'}.`);
  }
  return result.grants;
}

/** Returns the error of a failed lookup and fails the test when the lookup succeeded. */
function errorOf(results: Map<string, GrantLookupResult>, key: string): Error {
  const result = results.get(key);
  if (result === undefined || result.ok) {
    throw new Error(`Expected a failed lookup for ${key}.`);
  }
  return result.error;
}

describe('grants table', () => {
  it('createGrantsTable adds the grantId index', async () => {
    const table = await newTable();
    const output = await tables.local().client.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(output.Table?.KeySchema).toEqual([
      { AttributeName: 'principalKey', KeyType: 'HASH' },
      { AttributeName: 'grantId', KeyType: 'RANGE' },
    ]);
    expect(output.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([
      GRANT_ID_INDEX_NAME,
    ]);
  });
});

describe('fetchGrantsByPrincipal', () => {
  it('round trip keeps every field', async () => {
    const table = await newTable();
    const revoked = makeGrant({
      grantId: 'g-revoked',
      principalKey: CLINICIAN_ROLE_KEY,
      principal: `${CLINICIAN_ROLE_KEY}`,
      sessionName: 'dana@example.org',
      prefix: 'patients/',
      actions: ['read', 'write', 'delete', 'list'],
      breakGlass: true,
      revokedAt: '2025-02-01T00:00:00Z',
      revokedBy: 'security@example.org',
      revocationReason: 'role change',
    });
    const plain = makeGrant({ grantId: 'g-plain', principalKey: CLINICIAN_ROLE_KEY });
    await putGrants(table, [revoked, plain]);

    const results = await fetchGrantsByPrincipal(table, [CLINICIAN_ROLE_KEY]);
    const grants = [...grantsOf(results, CLINICIAN_ROLE_KEY)].sort((a, b) =>
      a.grantId.localeCompare(b.grantId),
    );
    expect(grants).toEqual([plain, revoked]);
  });

  it('unknown principal yields empty list', async () => {
    const table = await newTable();
    const results = await fetchGrantsByPrincipal(table, [ANALYST_USER_KEY]);
    expect(results.get(ANALYST_USER_KEY)).toEqual({ ok: true, grants: [] });
  });

  it('follows pagination past 1 MB', async () => {
    const table = await newTable();
    // About 20 KB per grant, so 80 grants span two 1 MB query pages.
    const padding = 'p'.repeat(20_000);
    const grants = Array.from({ length: 80 }, (_, index) =>
      makeGrant({
        grantId: `g-${String(index).padStart(3, '0')}`,
        principalKey: ANALYST_USER_KEY,
        purpose: padding,
      }),
    );
    await putGrants(table, grants);
    const counter = countRequests(tables.local().client);

    const results = await fetchGrantsByPrincipal(table, [ANALYST_USER_KEY]);
    counter.remove();
    expect(grantsOf(results, ANALYST_USER_KEY)).toHaveLength(80);
    expect(counter.count('QueryCommand')).toBeGreaterThanOrEqual(2);
  });

  it('bounds queries in flight', async () => {
    const table = await newTable();
    let inFlight = 0;
    let maxInFlight = 0;
    tables.local().client.middlewareStack.add(
      (next) => async (args) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await next(args);
        } finally {
          inFlight -= 1;
        }
      },
      { step: 'initialize', name: 'inFlightCounter' },
    );
    try {
      const keys = Array.from({ length: 12 }, (_, index) => `arn:aws:iam::111122223333:user/user-${index}`);
      const results = await fetchGrantsByPrincipal(table, keys, { concurrency: 3 });
      expect(results.size).toBe(12);
      expect(maxInFlight).toBe(3);
    } finally {
      tables.local().client.middlewareStack.remove('inFlightCounter');
    }
  });

  it('isolates a failed principal query', async () => {
    const table = await newTable();
    await putGrants(table, [makeGrant({ grantId: 'g-1', principalKey: CLINICIAN_ROLE_KEY })]);
    tables.local().client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as QueryCommandInput;
        if (
          context.commandName === 'QueryCommand' &&
          input.ExpressionAttributeValues?.[':pk']?.S === ANALYST_USER_KEY
        ) {
          throw new Error('simulated network failure');
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOneKey' },
    );
    try {
      const results = await fetchGrantsByPrincipal(table, [ANALYST_USER_KEY, CLINICIAN_ROLE_KEY]);
      expect(errorOf(results, ANALYST_USER_KEY).message).toBe('simulated network failure');
      expect(results.get(CLINICIAN_ROLE_KEY)?.ok).toBe(true);
    } finally {
      tables.local().client.middlewareStack.remove('failOneKey');
    }
  });

  it('damaged item fails the lookup', async () => {
    const table = await newTable();
    await tables.local().client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          principalKey: { S: ANALYST_USER_KEY },
          grantId: { S: 'g-damaged' },
          bucket: { S: 'example-phi-records' },
        },
      }),
    );
    const results = await fetchGrantsByPrincipal(table, [ANALYST_USER_KEY]);
    expect(errorOf(results, ANALYST_USER_KEY)).toBeInstanceOf(InvalidGrantItemError);
  });
});

describe('findGrant and revokeGrantById', () => {
  const revocation = {
    revokedAt: '2025-03-02T12:00:00Z',
    revokedBy: 'security@example.org',
    reason: 'left the team',
  };

  it('findGrant reads the grantId index', async () => {
    const table = await newTable();
    const grant = makeGrant({ grantId: 'g-find', principalKey: CLINICIAN_ROLE_KEY });
    await putGrants(table, [grant]);
    await expect(findGrant(table, 'g-find')).resolves.toEqual(grant);
    await expect(findGrant(table, 'g-missing')).resolves.toBeUndefined();
  });

  it('findGrant rejects a shared id', async () => {
    const table = await newTable();
    // putGrants rejects a shared id, so the second item is written as an older version of phi-guard did.
    await putGrants(table, [makeGrant({ grantId: 'g-shared', principalKey: CLINICIAN_ROLE_KEY })]);
    await putRawGrant(table, makeGrant({ grantId: 'g-shared', principalKey: ANALYST_USER_KEY }));
    await expect(findGrant(table, 'g-shared')).rejects.toBeInstanceOf(DuplicateGrantIdError);
  });

  it('revoke keeps the item', async () => {
    const table = await newTable();
    const grant = makeGrant({ grantId: 'g-revoke', principalKey: CLINICIAN_ROLE_KEY });
    await putGrants(table, [grant]);

    const revoked = await revokeGrantById(table, 'g-revoke', revocation);
    expect(revoked).toEqual({
      ...grant,
      revokedAt: revocation.revokedAt,
      revokedBy: revocation.revokedBy,
      revocationReason: revocation.reason,
    });
    const stored = await fetchGrantsByPrincipal(table, [CLINICIAN_ROLE_KEY], { consistentRead: true });
    expect(stored.get(CLINICIAN_ROLE_KEY)).toEqual({ ok: true, grants: [revoked] });
  });

  it('revoke twice fails clearly', async () => {
    const table = await newTable();
    await putGrants(table, [makeGrant({ grantId: 'g-twice', principalKey: CLINICIAN_ROLE_KEY })]);
    await revokeGrantById(table, 'g-twice', revocation);

    const error = await revokeGrantById(table, 'g-twice', {
      ...revocation,
      revokedAt: '2025-03-03T00:00:00Z',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GrantAlreadyRevokedError);
    expect((error as Error).message).toContain('2025-03-02T12:00:00Z');
  });

  it('concurrent revokes: exactly one wins', async () => {
    const table = await newTable();
    await putGrants(table, [makeGrant({ grantId: 'g-race', principalKey: CLINICIAN_ROLE_KEY })]);
    const outcomes = await Promise.allSettled([
      revokeGrantById(table, 'g-race', revocation),
      revokeGrantById(table, 'g-race', { ...revocation, revokedBy: 'other@example.org' }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(GrantAlreadyRevokedError);
  });

  it('revoke of unknown grant fails', async () => {
    const table = await newTable();
    await expect(revokeGrantById(table, 'g-unknown', revocation)).rejects.toBeInstanceOf(GrantNotFoundError);
  });

  it('revoke validates the revocation', async () => {
    const table = await newTable();
    await putGrants(table, [makeGrant({ grantId: 'g-bad', principalKey: CLINICIAN_ROLE_KEY })]);
    await expect(
      revokeGrantById(table, 'g-bad', { ...revocation, revokedAt: 'yesterday' }),
    ).rejects.toBeInstanceOf(InvalidGrantError);
  });
});

describe('revokeGrantById with a pending revocation', () => {
  const revocation = {
    revokedAt: '2025-03-02T12:00:00.000Z',
    revokedBy: 'security@example.org',
    reason: 'left the team',
  };
  const pendingGrant = (revokedAt = '2098-01-01T00:00:00Z') =>
    makeGrant({
      grantId: 'g-pending',
      principalKey: CLINICIAN_ROLE_KEY,
      revokedAt,
      revokedBy: 'import',
      revocationReason: 'contract end',
    });

  it('moves a future revocation to now', async () => {
    const table = await newTable();
    const grant = pendingGrant();
    await putGrants(table, [grant]);

    const revoked = await revokeGrantById(table, 'g-pending', revocation);

    const expected = {
      ...grant,
      revokedAt: '2025-03-02T12:00:00.000Z',
      revokedBy: 'security@example.org',
      revocationReason: 'left the team',
    };
    expect(revoked).toEqual(expected);
    expect(await scanGrants(table)).toEqual([expected]);
  });

  it('compares times, not strings', async () => {
    const table = await newTable();
    // As strings "12:00:00.500Z" sorts before "12:00:00Z", but it is the later time.
    await putGrants(table, [pendingGrant('2025-03-02T12:00:00.500Z')]);

    const revoked = await revokeGrantById(table, 'g-pending', {
      ...revocation,
      revokedAt: '2025-03-02T12:00:00Z',
    });

    expect(revoked.revokedAt).toBe('2025-03-02T12:00:00Z');
    expect((await scanGrants(table))[0].revokedAt).toBe('2025-03-02T12:00:00Z');
  });

  // The first case sorts after the new time "12:00:00.000Z" as a string, but it is the same time.
  it.each([
    ['the same time', '2025-03-02T12:00:00Z'],
    ['an earlier time', '2025-03-02T11:59:59.999Z'],
  ])('rejects a revocation at %s', async (_name, storedRevokedAt) => {
    const table = await newTable();
    const grant = pendingGrant(storedRevokedAt);
    await putGrants(table, [grant]);

    const error = await revokeGrantById(table, 'g-pending', revocation).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(GrantAlreadyRevokedError);
    expect((error as Error).message).toBe(
      `Grant g-pending was already revoked at ${storedRevokedAt}, and a revocation in effect is never overwritten.`,
    );
    expect(await scanGrants(table)).toEqual([grant]);
  });

  it('concurrent revokes: exactly one wins', async () => {
    const table = await newTable();
    await putGrants(table, [pendingGrant()]);

    const outcomes = await Promise.allSettled([
      revokeGrantById(table, 'g-pending', revocation),
      revokeGrantById(table, 'g-pending', { ...revocation, revokedBy: 'other@example.org' }),
    ]);

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(GrantAlreadyRevokedError);
    expect((await scanGrants(table))[0].revokedAt).toBe('2025-03-02T12:00:00.000Z');
  });

  it('reports a revocation moved meanwhile', async () => {
    const table = await newTable();
    await putGrants(table, [pendingGrant()]);
    const moved = pendingGrant('2097-01-01T00:00:00Z');
    const name = 'moveRevocationBeforeUpdate';
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') await putRawGrant(table, moved);
        return next(args);
      },
      { step: 'initialize', name },
    );

    let error: unknown;
    try {
      error = await revokeGrantById(table, 'g-pending', revocation).catch((caught: unknown) => caught);
    } finally {
      table.client.middlewareStack.remove(name);
    }

    expect(error).toBeInstanceOf(GrantChangedError);
    expect((error as Error).message).toBe(
      'Grant g-pending changed while it was being revoked, so it was not revoked. Run the revocation again.',
    );
    expect(await scanGrants(table)).toEqual([moved]);
  });
});

describe('revokeGrantById by principal key', () => {
  const revocation = {
    revokedAt: '2025-03-02T12:00:00.000Z',
    revokedBy: 'security@example.org',
    reason: 'duplicate id',
  };
  const clinician = makeGrant({ grantId: 'g-shared', principalKey: CLINICIAN_ROLE_KEY });
  const analyst = makeGrant({ grantId: 'g-shared', principalKey: ANALYST_USER_KEY });

  it('revokes one of two items sharing an id', async () => {
    const table = await newTable();
    await putRawGrant(table, clinician);
    await putRawGrant(table, analyst);
    await expect(revokeGrantById(table, 'g-shared', revocation)).rejects.toBeInstanceOf(
      DuplicateGrantIdError,
    );

    const revoked = await revokeGrantById(table, 'g-shared', revocation, { principalKey: ANALYST_USER_KEY });

    expect(revoked.principalKey).toBe(ANALYST_USER_KEY);
    expect(await getGrant(table, ANALYST_USER_KEY, 'g-shared')).toEqual({
      ...analyst,
      revokedAt: '2025-03-02T12:00:00.000Z',
      revokedBy: 'security@example.org',
      revocationReason: 'duplicate id',
    });
    expect(await getGrant(table, CLINICIAN_ROLE_KEY, 'g-shared')).toEqual(clinician);
  });

  it('reports a key without the grant', async () => {
    const table = await newTable();
    await putRawGrant(table, clinician);

    const error = await revokeGrantById(table, 'g-shared', revocation, {
      principalKey: ANALYST_USER_KEY,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(GrantNotFoundError);
    expect((error as Error).message).toBe(
      `Grant g-shared was not found under principal key ${ANALYST_USER_KEY} in the grants table.`,
    );
    expect(await scanGrants(table)).toEqual([clinician]);
  });

  it('keeps a revocation in effect', async () => {
    const table = await newTable();
    await putRawGrant(table, clinician);
    await revokeGrantById(table, 'g-shared', revocation, { principalKey: CLINICIAN_ROLE_KEY });

    const error = await revokeGrantById(
      table,
      'g-shared',
      { ...revocation, revokedAt: '2025-03-03T00:00:00.000Z' },
      { principalKey: CLINICIAN_ROLE_KEY },
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(GrantAlreadyRevokedError);
    expect((await getGrant(table, CLINICIAN_ROLE_KEY, 'g-shared'))?.revokedAt).toBe(
      '2025-03-02T12:00:00.000Z',
    );
  });
});
