/**
 * Writes grants into the grants table. A write never overwrites a revoked grant, and it rejects a grantId that
 * the grantId index shows under another principal key, so that revocations stay permanent and each grant id
 * names one grant.
 */
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import type { Grant } from '../domain/types';
import { DuplicateGrantIdError, GrantsRejectedError, UnprocessedGrantsError } from './errors';
import { queryGrantIdIndex } from './grant-id-index';
import { grantToItem, type GrantItem } from './grant-item';
import type { GrantsTable } from './grant-repository';
import { DEFAULT_RETRY, backoffDelayMs, mapWithConcurrency, sleep, type RetryOptions } from './retry';
import { GRANTS_PARTITION_KEY, GRANTS_SORT_KEY } from './table-definition';

export interface WriteGrantsOptions extends RetryOptions {
  /** Grants written at once. Each grant takes one Query of the grantId index and one PutItem. @default 8 */
  readonly concurrency?: number;
}

/** A grant that was not written, with the reason and a message for the user that says what to do instead. */
export type GrantRejection = { readonly grantId: string; readonly message: string } & (
  | { readonly reason: 'revoked'; readonly revokedAt: string | undefined }
  | { readonly reason: 'other-principal'; readonly principalKeys: readonly string[] }
);

/** Outcome of `writeGrants`. Each grant id of the input is in exactly one list, in input order. */
export interface GrantWriteReport {
  /** Grants that had no item yet. */
  readonly created: readonly string[];
  /** Active grants whose stored item differed and was overwritten. */
  readonly replaced: readonly string[];
  /** Grants whose stored item was already identical, revoked or not. */
  readonly unchanged: readonly string[];
  readonly rejected: readonly GrantRejection[];
  /** Grants that were still throttled after every attempt, so nothing was written for them. */
  readonly unprocessed: readonly string[];
}

type GrantOutcome =
  | { readonly status: 'created' | 'replaced' | 'unchanged' | 'unprocessed'; readonly grantId: string }
  | { readonly status: 'rejected'; readonly grantId: string; readonly rejection: GrantRejection };

/** Error names with which DynamoDB rejects a request for lack of capacity. */
const THROTTLING_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/**
 * Writes grants as `writeGrants` does and throws unless every grant is stored.
 * @returns the report, whose `rejected` and `unprocessed` lists are empty.
 * @throws UnprocessedGrantsError when throttling left grants unwritten, because running again can fix that,
 *   else GrantsRejectedError when grants were rejected. The other grants are written in both cases.
 */
export async function putGrants(
  table: GrantsTable,
  grants: readonly Grant[],
  options: WriteGrantsOptions = {},
): Promise<GrantWriteReport> {
  const report = await writeGrants(table, grants, options);
  if (report.unprocessed.length > 0) {
    throw new UnprocessedGrantsError(report.unprocessed, options.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
  }
  if (report.rejected.length > 0) {
    throw new GrantsRejectedError(report.rejected);
  }
  return report;
}

/**
 * Writes each grant with a conditional PutItem, `concurrency` grants at once, and reports the outcome of each.
 * A grant is rejected and not written when its grantId is stored under another principal key, or when the
 * stored grant is revoked and differs from it. A throttled grant is retried with exponential backoff, up to
 * `maxAttempts` tries in all, and is then reported as unprocessed.
 * @throws DuplicateGrantIdError when two grants of the input share a grantId. Nothing is written then.
 * @throws the first other DynamoDB error, once the writes in flight have finished. Grants whose write had not
 *   started are not written.
 */
export async function writeGrants(
  table: GrantsTable,
  grants: readonly Grant[],
  options: WriteGrantsOptions = {},
): Promise<GrantWriteReport> {
  assertUniqueGrantIds(grants);
  const retry = { ...DEFAULT_RETRY, ...options };

  let failure: { readonly error: unknown } | undefined;
  const outcomes = await mapWithConcurrency(grants, options.concurrency ?? 8, async (grant) => {
    if (failure !== undefined) {
      return undefined;
    }
    try {
      return await writeGrantWithRetry(table, grant, retry);
    } catch (error) {
      failure ??= { error };
      return undefined;
    }
  });

  if (failure !== undefined) {
    throw failure.error;
  }
  return buildReport(outcomes.filter((outcome) => outcome !== undefined));
}

async function writeGrantWithRetry(
  table: GrantsTable,
  grant: Grant,
  retry: Required<RetryOptions>,
): Promise<GrantOutcome> {
  for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
    if (attempt > 1) {
      await sleep(backoffDelayMs(attempt - 1, retry));
    }
    try {
      return await writeGrant(table, grant);
    } catch (error) {
      if (!(error instanceof Error && THROTTLING_ERROR_NAMES.has(error.name))) {
        throw error;
      }
    }
  }
  return { status: 'unprocessed', grantId: grant.grantId };
}

async function writeGrant(table: GrantsTable, grant: Grant): Promise<GrantOutcome> {
  const otherKeys = await otherPrincipalKeysOf(table, grant);
  if (otherKeys.length > 0) {
    return rejectedOutcome({
      grantId: grant.grantId,
      reason: 'other-principal',
      principalKeys: otherKeys,
      message:
        `Grant id ${grant.grantId} is already stored under principal key ${otherKeys.join(', ')}, and a grantId ` +
        'must be unique across principals, so this grant was not written. Give it a new grantId. To move a ' +
        'grant to another principal, revoke the stored grant and import the new one under a new grantId.',
    });
  }
  return putUnlessRevoked(table, grant);
}

async function otherPrincipalKeysOf(table: GrantsTable, grant: Grant): Promise<string[]> {
  // NOTE: the grantId index is eventually consistent. An item that another writer stored under another
  // principal key moments before can be missing here. Both items are then stored, and `revokeGrantById`
  // rejects the id as stored under several principal keys.
  const items = await queryGrantIdIndex(table, grant.grantId);
  return items
    .map((item) => item[GRANTS_PARTITION_KEY]?.S ?? '(missing principalKey)')
    .filter((key) => key !== grant.principalKey);
}

/**
 * Puts the grant unless the stored item is revoked. DynamoDB checks the condition and writes in one step,
 * so a revocation made after `otherPrincipalKeysOf` read the index is kept as well.
 */
async function putUnlessRevoked(table: GrantsTable, grant: Grant): Promise<GrantOutcome> {
  const item = grantToItem(grant);
  try {
    const output = await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(revokedAt)',
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { status: compareStoredItem(output.Attributes, item), grantId: grant.grantId };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return compareWithRevokedGrant(table, grant, item);
    }
    throw error;
  }
}

function compareStoredItem(
  stored: GrantItem | undefined,
  item: GrantItem,
): 'created' | 'replaced' | 'unchanged' {
  if (stored === undefined) {
    return 'created';
  }
  return isDeepStrictEqual(stored, item) ? 'unchanged' : 'replaced';
}

/** Re-importing a revoked grant exactly as stored changes nothing, so only a different grant is rejected. */
async function compareWithRevokedGrant(
  table: GrantsTable,
  grant: Grant,
  item: GrantItem,
): Promise<GrantOutcome> {
  const output = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { [GRANTS_PARTITION_KEY]: { S: grant.principalKey }, [GRANTS_SORT_KEY]: { S: grant.grantId } },
      ConsistentRead: true,
    }),
  );
  if (output.Item !== undefined && isDeepStrictEqual(output.Item, item)) {
    return { status: 'unchanged', grantId: grant.grantId };
  }

  const revokedAt = output.Item?.revokedAt?.S;
  return rejectedOutcome({
    grantId: grant.grantId,
    reason: 'revoked',
    revokedAt,
    message:
      `Grant ${grant.grantId} was revoked at ${revokedAt ?? 'an unknown time'}, and revocations are permanent, ` +
      'so the stored grant was kept. Give the new grant a new grantId.',
  });
}

function rejectedOutcome(rejection: GrantRejection): GrantOutcome {
  return { status: 'rejected', grantId: rejection.grantId, rejection };
}

function buildReport(outcomes: readonly GrantOutcome[]): GrantWriteReport {
  const grantIdsWith = (status: GrantOutcome['status']) =>
    outcomes.filter((outcome) => outcome.status === status).map((outcome) => outcome.grantId);
  return {
    created: grantIdsWith('created'),
    replaced: grantIdsWith('replaced'),
    unchanged: grantIdsWith('unchanged'),
    rejected: outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.rejection] : [])),
    unprocessed: grantIdsWith('unprocessed'),
  };
}

function assertUniqueGrantIds(grants: readonly Grant[]): void {
  const principalKeysById = new Map<string, string[]>();
  for (const grant of grants) {
    const keys = principalKeysById.get(grant.grantId) ?? [];
    keys.push(grant.principalKey);
    principalKeysById.set(grant.grantId, keys);
  }
  for (const [grantId, keys] of principalKeysById) {
    if (keys.length > 1) {
      throw new DuplicateGrantIdError(grantId, keys);
    }
  }
}
