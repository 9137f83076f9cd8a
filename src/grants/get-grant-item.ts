import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { GrantItem } from './grant-item';
import type { GrantsTable } from './grant-repository';
import { GRANTS_PARTITION_KEY, GRANTS_SORT_KEY } from './table-definition';

/** Reads one item by its primary key with a strongly consistent read, which returns every acknowledged write. */
export async function getGrantItem(
  table: GrantsTable,
  principalKey: string,
  grantId: string,
): Promise<GrantItem | undefined> {
  const output = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { [GRANTS_PARTITION_KEY]: { S: principalKey }, [GRANTS_SORT_KEY]: { S: grantId } },
      ConsistentRead: true,
    }),
  );
  return output.Item;
}
