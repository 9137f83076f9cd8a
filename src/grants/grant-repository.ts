import {
  ConditionalCheckFailedException,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { canRevokeAt, revokeGrant } from '../domain/grants';
import type { Grant } from '../domain/types';
import {
  DuplicateGrantIdError,
  GrantAlreadyRevokedError,
  GrantChangedError,
  GrantNotFoundError,
} from './errors';
import { getGrantItem } from './get-grant-item';
import { queryGrantIdIndex } from './grant-id-index';
import { grantFromItem, type GrantItem } from './grant-item';
import { mapWithConcurrency } from './retry';
import { GRANTS_PARTITION_KEY, GRANTS_SORT_KEY } from './table-definition';

export {
  putGrants,
  writeGrants,
  type GrantRejection,
  type GrantWriteReport,
  type WriteGrantsOptions,
} from './grant-writer';

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
  const grants = (await queryGrantIdIndex(table, grantId)).map(grantFromItem);
  if (grants.length > 1) {
    throw new DuplicateGrantIdError(
      grantId,
      grants.map((grant) => grant.principalKey),
    );
  }
  return grants[0];
}

export interface RevokeGrantOptions {
  /**
   * Principal key of the grant. The grant is then read by its primary key, which also works for a grant id
   * stored under several principal keys. @default the key found through `grantId-index`
   */
  readonly principalKey?: string;
}

/**
 * Revokes a grant by setting `revokedAt`, `revokedBy` and `revocationReason`. The item is never deleted,
 * so the grant stays on record for audits. A grant whose stored `revokedAt` is later than
 * `details.revokedAt` is revoked again, which moves its revocation earlier. The update is conditional on
 * the `revokedAt` that was read, so a revocation is never cleared or postponed, also by concurrent writers.
 * @returns the revoked grant.
 * @throws GrantNotFoundError, GrantAlreadyRevokedError, GrantChangedError
 * @throws DuplicateGrantIdError when `options.principalKey` is not set and the id is stored under several
 *   principal keys.
 */
export async function revokeGrantById(
  table: GrantsTable,
  grantId: string,
  details: RevocationDetails,
  options: RevokeGrantOptions = {},
): Promise<Grant> {
  const grant =
    options.principalKey === undefined
      ? await findGrant(table, grantId)
      : await getGrant(table, options.principalKey, grantId);
  if (grant === undefined) {
    throw new GrantNotFoundError(grantId, options.principalKey);
  }
  if (!canRevokeAt(grant, details.revokedAt)) {
    throw new GrantAlreadyRevokedError(grantId, grant.revokedAt);
  }

  const revoked = revokeGrant(grant, details.revokedAt, details.revokedBy, details.reason);
  await updateRevocation(table, revoked, grant.revokedAt);
  return revoked;
}

/** Reads one grant by its primary key with a strongly consistent read. */
export async function getGrant(
  table: GrantsTable,
  principalKey: string,
  grantId: string,
): Promise<Grant | undefined> {
  const item = await getGrantItem(table, principalKey, grantId);
  return item === undefined ? undefined : grantFromItem(item);
}

/**
 * Writes the revocation when the item still has the `revokedAt` that was read (`storedRevokedAt`, or none),
 * which the caller checked to be later than the new one. The condition tests the stored string for
 * equality instead of comparing times, because stored times differ in format: an import writes
 * `2025-03-01T08:00:00Z` and a revocation `2025-03-01T08:00:00.000Z`, and such strings do not sort in
 * time order.
 */
async function updateRevocation(
  table: GrantsTable,
  revoked: Grant,
  storedRevokedAt: string | undefined,
): Promise<void> {
  const revocationCondition =
    storedRevokedAt === undefined ? 'attribute_not_exists(revokedAt)' : 'revokedAt = :stored';
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: {
          [GRANTS_PARTITION_KEY]: { S: revoked.principalKey },
          [GRANTS_SORT_KEY]: { S: revoked.grantId },
        },
        UpdateExpression: 'SET revokedAt = :at, revokedBy = :by, revocationReason = :reason',
        ConditionExpression: `attribute_exists(#id) AND ${revocationCondition}`,
        ExpressionAttributeNames: { '#id': GRANTS_SORT_KEY },
        ExpressionAttributeValues: {
          ':at': { S: revoked.revokedAt ?? '' },
          ':by': { S: revoked.revokedBy ?? '' },
          ':reason': { S: revoked.revocationReason ?? '' },
          ...(storedRevokedAt === undefined ? {} : { ':stored': { S: storedRevokedAt } }),
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

/**
 * Explains a failed revocation condition: another writer removed the item, revoked the grant, or moved its
 * pending revocation after it was read.
 */
async function explainConditionFailure(table: GrantsTable, revoked: Grant): Promise<Error> {
  const item = await getGrantItem(table, revoked.principalKey, revoked.grantId);
  if (item === undefined) {
    return new GrantNotFoundError(revoked.grantId, revoked.principalKey);
  }

  const stored = grantFromItem(item);
  return canRevokeAt(stored, revoked.revokedAt ?? '')
    ? new GrantChangedError(revoked.grantId)
    : new GrantAlreadyRevokedError(revoked.grantId, stored.revokedAt);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
