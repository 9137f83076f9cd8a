import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { GrantItem } from './grant-item';
import type { GrantsTable } from './grant-repository';
import { GRANT_ID_INDEX_NAME, GRANTS_SORT_KEY } from './table-definition';

/**
 * Reads every item that carries `grantId` through the `grantId-index` global secondary index.
 * Grant ids are meant to be unique, so more than one item means the id is stored under several principal keys.
 * The index is eventually consistent: an item written moments ago may be missing from the result.
 */
export async function queryGrantIdIndex(table: GrantsTable, grantId: string): Promise<GrantItem[]> {
  const output = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: GRANT_ID_INDEX_NAME,
      KeyConditionExpression: '#id = :id',
      ExpressionAttributeNames: { '#id': GRANTS_SORT_KEY },
      ExpressionAttributeValues: { ':id': { S: grantId } },
    }),
  );
  return output.Items ?? [];
}
