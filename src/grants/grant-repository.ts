import {
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { revokeGrant } from '../domain/grants';
import type { Grant } from '../domain/types';
import { DuplicateGrantIdError, GrantAlreadyRevokedError, GrantNotFoundError } from './errors';
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
