import {
  ProvisionedThroughputExceededException,
  type DynamoDBClient,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Grant } from '../../src/domain/types';
import { DuplicateGrantIdError, GrantsRejectedError, UnprocessedGrantsError } from '../../src/grants/errors';
import { findGrant, putGrants, revokeGrantById, writeGrants } from '../../src/grants/grant-repository';
import { ANALYST_USER_KEY, CLINICIAN_ROLE_KEY, makeGrant } from '../validator/support/fixtures';
import { countRequests } from '../validator/support/request-counter';
import { putRawGrant, scanGrants, useLocalGrantsTables } from './support/local-grants-tables';

const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

const REVOCATION = {
  revokedAt: '2025-03-02T12:00:00Z',
  revokedBy: 'security@example.org',
  reason: 'left the team',
};

const tables = useLocalGrantsTables();

function grantsOf(principalKey: string, count: number): Grant[] {
  return Array.from({ length: count }, (_, index) =>
    makeGrant({ grantId: `g-${String(index).padStart(3, '0')}`, principalKey }),
  );
}

function revokedCopy(grant: Grant): Grant {
  return {
    ...grant,
    revokedAt: REVOCATION.revokedAt,
    revokedBy: REVOCATION.revokedBy,
    revocationReason: REVOCATION.reason,
  };
}

/**
 * Adds a middleware that runs `before` ahead of each PutItem and sends the PutItem only when `before`
 * returns normally, as DynamoDB does when it throttles or fails a request. Returns a function that removes it.
 */
function beforeEachPut(
  client: DynamoDBClient,
  before: (grantId: string) => Promise<void> | void,
): () => void {
  const name = `beforeEachPut-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutItemCommand') {
        await before((args.input as PutItemCommandInput).Item?.grantId?.S ?? '');
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => client.middlewareStack.remove(name);
}

function throttled(): ProvisionedThroughputExceededException {
  return new ProvisionedThroughputExceededException({ message: 'simulated throttling', $metadata: {} });
}

describe('putGrants', () => {
  it('round trip of a new table', async () => {
    const table = await tables.newTable();
    const grants = grantsOf(ANALYST_USER_KEY, 3);
    const report = await putGrants(table, grants);
    expect(report.created).toEqual(['g-000', 'g-001', 'g-002']);
    expect(await scanGrants(table)).toEqual(grants);
  });

  it('bounds writes in flight', async () => {
    const table = await tables.newTable();
    const counter = countRequests(table.client);
    let inFlight = 0;
    let maxInFlight = 0;
    const removeGauge = beforeEachPut(table.client, async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
    });
    try {
      await putGrants(table, grantsOf(ANALYST_USER_KEY, 30), { concurrency: 3 });
    } finally {
      removeGauge();
      counter.remove();
    }
    expect(maxInFlight).toBe(3);
    expect(counter.count('PutItemCommand')).toBe(30);
    expect(counter.count('BatchWriteItemCommand')).toBe(0);
    expect(await scanGrants(table)).toHaveLength(30);
  });

  it('retries throttled writes', async () => {
    const table = await tables.newTable();
    // The first attempt of each grant is throttled, and the second succeeds.
    const throttledIds: string[] = [];
    const removeThrottle = beforeEachPut(table.client, (grantId) => {
      if (!throttledIds.includes(grantId)) {
        throttledIds.push(grantId);
        throw throttled();
      }
    });
    try {
      const report = await putGrants(table, grantsOf(ANALYST_USER_KEY, 10), FAST_RETRY);
      expect(report.created).toHaveLength(10);
    } finally {
      removeThrottle();
    }
    expect(throttledIds).toHaveLength(10);
    expect(await scanGrants(table)).toHaveLength(10);
  });

  it('fails when writes stay throttled', async () => {
    const table = await tables.newTable();
    const removeThrottle = beforeEachPut(table.client, (grantId) => {
      if (grantId === 'g-003' || grantId === 'g-004') {
        throw throttled();
      }
    });
    let error: unknown;
    try {
      error = await putGrants(table, grantsOf(ANALYST_USER_KEY, 5), FAST_RETRY).catch(
        (caught: unknown) => caught,
      );
    } finally {
      removeThrottle();
    }
    expect(error).toBeInstanceOf(UnprocessedGrantsError);
    expect((error as UnprocessedGrantsError).grantIds).toEqual(['g-003', 'g-004']);
    expect((error as Error).message).toContain('after 3 attempts');
    expect((await scanGrants(table)).map((grant) => grant.grantId)).toEqual(['g-000', 'g-001', 'g-002']);
  });

  it('rejects duplicate grant ids', async () => {
    const table = await tables.newTable();
    const grants = [
      makeGrant({ grantId: 'g-same', principalKey: ANALYST_USER_KEY }),
      makeGrant({ grantId: 'g-same', principalKey: CLINICIAN_ROLE_KEY }),
    ];
    await expect(putGrants(table, grants)).rejects.toBeInstanceOf(DuplicateGrantIdError);
    expect(await scanGrants(table)).toEqual([]);
  });

  it('throws rejections after writing the rest', async () => {
    const table = await tables.newTable();
    await putGrants(table, [makeGrant({ grantId: 'g-taken', principalKey: CLINICIAN_ROLE_KEY })]);

    const error = await putGrants(table, [
      makeGrant({ grantId: 'g-taken', principalKey: ANALYST_USER_KEY }),
      makeGrant({ grantId: 'g-new', principalKey: ANALYST_USER_KEY }),
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GrantsRejectedError);
    expect((error as GrantsRejectedError).rejections.map((rejection) => rejection.grantId)).toEqual([
      'g-taken',
    ]);
    expect((await scanGrants(table)).map((grant) => grant.grantId)).toEqual(['g-new', 'g-taken']);
  });

  it('stops at an unexpected error', async () => {
    const table = await tables.newTable();
    const removeFailure = beforeEachPut(table.client, (grantId) => {
      if (grantId === 'g-001') {
        throw new Error('simulated network failure');
      }
    });
    try {
      await expect(
        putGrants(table, grantsOf(ANALYST_USER_KEY, 5), { ...FAST_RETRY, concurrency: 1 }),
      ).rejects.toThrow('simulated network failure');
    } finally {
      removeFailure();
    }
    expect((await scanGrants(table)).map((grant) => grant.grantId)).toEqual(['g-000']);
  });
});

describe('writeGrants', () => {
  it('reports created, replaced and unchanged', async () => {
    const table = await tables.newTable();
    const [first, second, third] = grantsOf(ANALYST_USER_KEY, 3);
    await writeGrants(table, [first, second]);

    const changed = { ...second, purpose: 'operations' };
    const report = await writeGrants(table, [first, changed, third]);
    expect(report).toEqual({
      created: ['g-002'],
      replaced: ['g-001'],
      unchanged: ['g-000'],
      rejected: [],
      unprocessed: [],
    });
    expect(await scanGrants(table)).toEqual([first, changed, third]);
  });

  it('identical re-import changes nothing', async () => {
    const table = await tables.newTable();
    const grants = [
      ...grantsOf(ANALYST_USER_KEY, 2),
      revokedCopy(makeGrant({ grantId: 'g-revoked', principalKey: ANALYST_USER_KEY })),
    ];
    await writeGrants(table, grants);
    const before = await scanGrants(table);

    const report = await writeGrants(table, grants);
    expect(report.unchanged).toEqual(['g-000', 'g-001', 'g-revoked']);
    expect(report.created).toEqual([]);
    expect(report.replaced).toEqual([]);
    expect(report.rejected).toEqual([]);
    expect(await scanGrants(table)).toEqual(before);
  });

  it('re-import keeps a revocation', async () => {
    const table = await tables.newTable();
    const grant = makeGrant({ grantId: 'g-alice', principalKey: ANALYST_USER_KEY });
    await writeGrants(table, [grant]);
    await revokeGrantById(table, 'g-alice', REVOCATION);

    const report = await writeGrants(table, [grant]);
    expect(report.rejected).toEqual([
      {
        grantId: 'g-alice',
        reason: 'revoked',
        revokedAt: REVOCATION.revokedAt,
        message:
          'Grant g-alice was revoked at 2025-03-02T12:00:00Z, and revocations are permanent, so the stored ' +
          'grant was kept. Give the new grant a new grantId.',
      },
    ]);
    expect(report.unchanged).toEqual([]);
    expect(await scanGrants(table)).toEqual([revokedCopy(grant)]);
  });

  it.each([
    ['an active copy', (active: Grant) => active],
    ['a changed purpose', (active: Grant) => ({ ...revokedCopy(active), purpose: 'operations' })],
    [
      'another revocation',
      (active: Grant) => ({ ...revokedCopy(active), revokedAt: '2025-03-05T00:00:00Z' }),
    ],
  ])('revoked grant rejects %s', async (_, change) => {
    const table = await tables.newTable();
    const active = makeGrant({ grantId: 'g-revoked', principalKey: ANALYST_USER_KEY });
    await writeGrants(table, [revokedCopy(active)]);

    const report = await writeGrants(table, [change(active)]);
    expect(report.rejected.map((rejection) => rejection.reason)).toEqual(['revoked']);
    expect(await scanGrants(table)).toEqual([revokedCopy(active)]);
  });

  it('file revocation revokes an active grant', async () => {
    const table = await tables.newTable();
    const grant = makeGrant({ grantId: 'g-active', principalKey: ANALYST_USER_KEY });
    await writeGrants(table, [grant]);

    const report = await writeGrants(table, [revokedCopy(grant)]);
    expect(report.replaced).toEqual(['g-active']);
    expect(await scanGrants(table)).toEqual([revokedCopy(grant)]);
  });

  it('rejects an id of another principal', async () => {
    const table = await tables.newTable();
    const original = makeGrant({ grantId: 'g-alice', principalKey: CLINICIAN_ROLE_KEY });
    await writeGrants(table, [original]);

    const report = await writeGrants(table, [
      makeGrant({ grantId: 'g-alice', principalKey: ANALYST_USER_KEY }),
    ]);
    expect(report.rejected).toEqual([
      {
        grantId: 'g-alice',
        reason: 'other-principal',
        principalKeys: [CLINICIAN_ROLE_KEY],
        message: expect.stringContaining(
          `Grant id g-alice is already stored under principal key ${CLINICIAN_ROLE_KEY}`,
        ) as string,
      },
    ]);
    expect(report.rejected[0].message).toContain('Give it a new grantId.');
    expect(await scanGrants(table)).toEqual([original]);
    await expect(revokeGrantById(table, 'g-alice', REVOCATION)).resolves.toMatchObject({
      principalKey: CLINICIAN_ROLE_KEY,
    });
  });

  it('rejects an id already shared', async () => {
    const table = await tables.newTable();
    const clinician = makeGrant({ grantId: 'g-shared', principalKey: CLINICIAN_ROLE_KEY });
    const analyst = makeGrant({ grantId: 'g-shared', principalKey: ANALYST_USER_KEY });
    // Both items written directly, as an older version of phi-guard did.
    await putRawGrant(table, clinician);
    await putRawGrant(table, analyst);

    const report = await writeGrants(table, [{ ...analyst, purpose: 'operations' }]);
    expect(report.rejected).toMatchObject([{ grantId: 'g-shared', principalKeys: [CLINICIAN_ROLE_KEY] }]);
    expect(await scanGrants(table)).toHaveLength(2);
  });

  it('writes the good grants of a mix', async () => {
    const table = await tables.newTable();
    const clinicianGrant = makeGrant({ grantId: 'g-taken', principalKey: CLINICIAN_ROLE_KEY });
    const revoked = makeGrant({ grantId: 'g-revoked', principalKey: ANALYST_USER_KEY });
    await writeGrants(table, [clinicianGrant, revoked]);
    await revokeGrantById(table, 'g-revoked', REVOCATION);

    const fresh = makeGrant({ grantId: 'g-fresh', principalKey: ANALYST_USER_KEY });
    const report = await writeGrants(table, [
      makeGrant({ grantId: 'g-taken', principalKey: ANALYST_USER_KEY }),
      fresh,
      revoked,
    ]);
    expect(report.created).toEqual(['g-fresh']);
    expect(report.rejected.map((rejection) => [rejection.grantId, rejection.reason])).toEqual([
      ['g-taken', 'other-principal'],
      ['g-revoked', 'revoked'],
    ]);
    expect(await scanGrants(table)).toEqual([fresh, revokedCopy(revoked), clinicianGrant]);
  });

  it('keeps a revocation made during the write', async () => {
    const table = await tables.newTable();
    const grant = makeGrant({ grantId: 'g-race', principalKey: ANALYST_USER_KEY });
    await writeGrants(table, [grant]);

    // The revocation lands after writeGrants read the grantId index and before its PutItem arrives.
    let revoked = false;
    const removeRevoker = beforeEachPut(table.client, async () => {
      if (!revoked) {
        revoked = true;
        await revokeGrantById(table, 'g-race', REVOCATION);
      }
    });
    try {
      const report = await writeGrants(table, [{ ...grant, purpose: 'operations' }]);
      expect(report.rejected).toMatchObject([{ grantId: 'g-race', reason: 'revoked' }]);
    } finally {
      removeRevoker();
    }
    await expect(findGrant(table, 'g-race')).resolves.toEqual(revokedCopy(grant));
  });
});

describe('writeGrants over a pending revocation', () => {
  const NOW = new Date('2025-03-20T09:00:00.000Z');
  const now = () => NOW;
  const active = makeGrant({ grantId: 'g-pending', principalKey: ANALYST_USER_KEY });
  const pending = {
    ...active,
    revokedAt: '2098-01-01T00:00:00Z',
    revokedBy: 'import',
    revocationReason: 'contract end',
  };

  async function tableWith(grant: Grant) {
    const table = await tables.newTable();
    await writeGrants(table, [grant]);
    return table;
  }

  it('moves the revocation earlier', async () => {
    const table = await tableWith(pending);
    const earlier = { ...revokedCopy(active), purpose: 'operations' };

    const report = await writeGrants(table, [earlier], { now });

    expect(report.replaced).toEqual(['g-pending']);
    expect(report.rejected).toEqual([]);
    expect(await scanGrants(table)).toEqual([earlier]);
  });

  it('rejects clearing the revocation', async () => {
    const table = await tableWith(pending);

    const report = await writeGrants(table, [active], { now });

    expect(report.rejected).toEqual([
      {
        grantId: 'g-pending',
        reason: 'revoked',
        revokedAt: '2098-01-01T00:00:00Z',
        message:
          'Grant g-pending is scheduled to be revoked at 2098-01-01T00:00:00Z, and an import never clears or ' +
          'postpones a revocation, so the stored grant was kept. To end the grant now, run phi-guard grants ' +
          'revoke g-pending, or import it with a revokedAt that has passed.',
      },
    ]);
    expect(await scanGrants(table)).toEqual([pending]);
  });

  it.each([
    ['a later time', '2099-01-01T00:00:00Z'],
    ['the same time', '2098-01-01T00:00:00.000Z'],
  ])('rejects a revocation at %s', async (_name, revokedAt) => {
    const table = await tableWith(pending);

    const report = await writeGrants(table, [{ ...pending, revokedAt, revokedBy: 'other' }], { now });

    expect(report.rejected.map((rejection) => rejection.reason)).toEqual(['revoked']);
    expect(await scanGrants(table)).toEqual([pending]);
  });

  it('treats a passed revocation as permanent', async () => {
    const stored = { ...pending, revokedAt: '2025-03-10T00:00:00Z' };
    const table = await tableWith(stored);

    const report = await writeGrants(table, [revokedCopy(active)], { now });

    expect(report.rejected.map((rejection) => rejection.message)).toEqual([
      'Grant g-pending was revoked at 2025-03-10T00:00:00Z, and revocations are permanent, so the stored ' +
        'grant was kept. Give the new grant a new grantId.',
    ]);
    expect(await scanGrants(table)).toEqual([stored]);
  });

  it('uses the system clock by default', async () => {
    // 2025-03-30 is pending at the fixed clock but has passed by the time these tests run.
    const stored = { ...pending, revokedAt: '2025-03-30T00:00:00Z' };
    const table = await tableWith(stored);

    expect((await writeGrants(table, [revokedCopy(active)])).rejected).toHaveLength(1);
    expect((await writeGrants(table, [revokedCopy(active)], { now })).replaced).toEqual(['g-pending']);
  });

  it('keeps a revocation made during the write', async () => {
    const table = await tableWith(pending);

    // The revocation lands after writeGrants read the stored item and before its second PutItem arrives.
    let puts = 0;
    const removeRevoker = beforeEachPut(table.client, async () => {
      puts += 1;
      if (puts === 2) {
        await revokeGrantById(table, 'g-pending', { ...REVOCATION, revokedAt: '2025-03-01T00:00:00Z' });
      }
    });
    let report;
    try {
      report = await writeGrants(table, [revokedCopy(active)], { now });
    } finally {
      removeRevoker();
    }

    expect(report.rejected).toMatchObject([
      { grantId: 'g-pending', reason: 'revoked', revokedAt: '2025-03-01T00:00:00Z' },
    ]);
    expect((await findGrant(table, 'g-pending'))?.revokedAt).toBe('2025-03-01T00:00:00Z');
  });
});
