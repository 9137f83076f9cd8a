import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { revokeGrant } from '../domain/grants';
import type { Grant } from '../domain/types';
import {
  DuplicateGrantIdError,
  GrantAlreadyRevokedError,
  GrantNotFoundError,
  UnprocessedGrantsError,
} from './errors';
import { grantFromItem, grantToItem, type GrantItem } from './grant-item';
import { DEFAULT_RETRY, backoffDelayMs, mapWithConcurrency, sleep, type RetryOptions } from './retry';
import { GRANT_ID_INDEX_NAME, GRANTS_PARTITION_KEY, GRANTS_SORT_KEY } from './table-definition';

/** A grants table and the client that sends requests to it. */
export interface GrantsTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** Outcome of looking up one principal's grants: every grant stored under the key, or the error of the lookup. */
export type GrantLookupResult =
  { readonly ok: true; readonly grants: readonly Grant[] } | { readonly ok: false; readonly error: Error };

export interface FetchGrantsOptions {
  /** Strongly consistent reads see every write acknowledged before the read. @default false */
  readonly consistentRead?: boolean;
  /** Queries in flight at once. @default 8 */
  readonly concurrency?: number;
}

export interface RevocationDetails {
  /** ISO 8601 UTC. */
  readonly revokedAt: string;
  readonly revokedBy: string;
  readonly reason: string;
}

/** BatchWriteItem accepts at most 25 put or delete requests per call. */
const BATCH_WRITE_LIMIT = 25;

/**
 * Writes grants with BatchWriteItem, 25 per call, overwriting items with the same key.
 * Unprocessed items are retried with exponential backoff.
 * @throws UnprocessedGrantsError when some grants are still unprocessed after `retry.maxAttempts` calls.
 */
export async function putGrants(
  table: GrantsTable,
  grants: readonly Grant[],
  retry: RetryOptions = {},
): Promise<void> {
  assertUniqueGrantIds(grants);
  const options = { ...DEFAULT_RETRY, ...retry };

  for (let start = 0; start < grants.length; start += BATCH_WRITE_LIMIT) {
    const requests = grants.slice(start, start + BATCH_WRITE_LIMIT).map((grant) => ({
      PutRequest: { Item: grantToItem(grant) },
    }));
    await writeWithRetry(table, requests, options);
  }
}

async function writeWithRetry(
  table: GrantsTable,
  requests: WriteRequest[],
  options: Required<RetryOptions>,
): Promise<void> {
  let pending = requests;
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    if (attempt > 1) {
      await sleep(backoffDelayMs(attempt - 1, options));
    }
    const output = await table.client.send(
      new BatchWriteItemCommand({ RequestItems: { [table.tableName]: pending } }),
    );
    pending = output.UnprocessedItems?.[table.tableName] ?? [];
    if (pending.length === 0) {
      return;
    }
  }
  const grantIds = pending.map((request) => request.PutRequest?.Item?.[GRANTS_SORT_KEY]?.S ?? '(unknown)');
  throw new UnprocessedGrantsError(grantIds, options.maxAttempts);
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

/**
 * Reads the grants of each principal key with one Query per key (more only when a result spans
 * several 1 MB pages). A failed Query fails only its own key, and the map contains an outcome for every key.
 */
export async function fetchGrantsByPrincipal(
  table: GrantsTable,
  principalKeys: readonly string[],
  options: FetchGrantsOptions = {},
): Promise<Map<string, GrantLookupResult>> {
  const keys = [...new Set(principalKeys)];
  const results = await mapWithConcurrency(keys, options.concurrency ?? 8, async (key) => {
    try {
      const grants = await queryGrantsOfPrincipal(table, key, options.consistentRead ?? false);
      return { ok: true, grants } as const;
    } catch (error) {
      return { ok: false, error: toError(error) } as const;
    }
  });
  return new Map(keys.map((key, index) => [key, results[index]]));
}

/** Reads every grant stored under one principal key, following pagination. */
export async function queryGrantsOfPrincipal(
  table: GrantsTable,
  principalKey: string,
  consistentRead: boolean,
): Promise<Grant[]> {
  const grants: Grant[] = [];
  let startKey: GrantItem | undefined;
  do {
    const output = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GRANTS_PARTITION_KEY },
        ExpressionAttributeValues: { ':pk': { S: principalKey } },
        ConsistentRead: consistentRead,
        ExclusiveStartKey: startKey,
      }),
    );
    grants.push(...(output.Items ?? []).map(grantFromItem));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return grants;
}

/**
 * Finds a grant by id through the `grantId-index` global secondary index.
 * The index is eventually consistent, so a grant written moments ago may not be found yet.
 * @throws DuplicateGrantIdError when several principals hold a grant with this id.
 */
export async function findGrant(table: GrantsTable, grantId: string): Promise<Grant | undefined> {
  const output = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: GRANT_ID_INDEX_NAME,
      KeyConditionExpression: '#id = :id',
      ExpressionAttributeNames: { '#id': GRANTS_SORT_KEY },
      ExpressionAttributeValues: { ':id': { S: grantId } },
    }),
  );
  const grants = (output.Items ?? []).map(grantFromItem);
  if (grants.length > 1) {
    throw new DuplicateGrantIdError(
      grantId,
      grants.map((grant) => grant.principalKey),
    );
  }
  return grants[0];
}

/**
 * Revokes a grant by setting `revokedAt`, `revokedBy` and `revocationReason`. The item is never deleted,
 * so the grant stays on record for audits. The update is conditional: a revocation is never overwritten.
 * @returns the revoked grant.
 * @throws GrantNotFoundError, GrantAlreadyRevokedError
 */
export async function revokeGrantById(
  table: GrantsTable,
  grantId: string,
  details: RevocationDetails,
): Promise<Grant> {
  const grant = await findGrant(table, grantId);
  if (grant === undefined) {
    throw new GrantNotFoundError(grantId);
  }
  if (grant.revokedAt !== undefined) {
    throw new GrantAlreadyRevokedError(grantId, grant.revokedAt);
  }
  const revoked = revokeGrant(grant, details.revokedAt, details.revokedBy, details.reason);
  await updateRevocation(table, revoked);
  return revoked;
}

async function updateRevocation(table: GrantsTable, revoked: Grant): Promise<void> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: {
          [GRANTS_PARTITION_KEY]: { S: revoked.principalKey },
          [GRANTS_SORT_KEY]: { S: revoked.grantId },
        },
        UpdateExpression: 'SET revokedAt = :at, revokedBy = :by, revocationReason = :reason',
        ConditionExpression: 'attribute_exists(#id) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeNames: { '#id': GRANTS_SORT_KEY },
        ExpressionAttributeValues: {
          ':at': { S: revoked.revokedAt ?? '' },
          ':by': { S: revoked.revokedBy ?? '' },
          ':reason': { S: revoked.revocationReason ?? '' },
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw await explainConditionFailure(table, revoked);
    }
    throw error;
  }
}

/** Explains a failed revocation condition: another writer revoked the grant, or removed the item, after it was read. */
async function explainConditionFailure(table: GrantsTable, grant: Grant): Promise<Error> {
  const output = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { [GRANTS_PARTITION_KEY]: { S: grant.principalKey }, [GRANTS_SORT_KEY]: { S: grant.grantId } },
      ConsistentRead: true,
    }),
  );
  if (output.Item === undefined) {
    return new GrantNotFoundError(grant.grantId);
  }
  return new GrantAlreadyRevokedError(grant.grantId, output.Item.revokedAt?.S);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
