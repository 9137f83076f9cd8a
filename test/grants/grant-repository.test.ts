import { DescribeTableCommand, PutItemCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { InvalidGrantError } from '../../src/domain/errors';
import {
  DuplicateGrantIdError,
  GrantAlreadyRevokedError,
  GrantNotFoundError,
  InvalidGrantItemError,
} from '../../src/grants/errors';
import { grantToItem } from '../../src/grants/grant-item';
import {
  fetchGrantsByPrincipal,
  findGrant,
  putGrants,
  revokeGrantById,
  type GrantLookupResult,
} from '../../src/grants/grant-repository';
import type { Grant } from '../../src/domain/types';
import { GRANT_ID_INDEX_NAME } from '../../src/grants/table-definition';
import { ANALYST_USER_KEY, CLINICIAN_ROLE_KEY, makeGrant } from '../validator/support/fixtures';
import { countRequests } from '../validator/support/request-counter';
import { useLocalGrantsTables } from './support/local-grants-tables';

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
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: grantToItem(makeGrant({ grantId: 'g-shared', principalKey: ANALYST_USER_KEY })),
      }),
    );
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
