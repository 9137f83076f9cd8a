import {
  CreateTableCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';

/** Partition key of the grants table: `Grant.principalKey`. */
export const GRANTS_PARTITION_KEY = 'principalKey';

/** Sort key of the grants table: `Grant.grantId`. */
export const GRANTS_SORT_KEY = 'grantId';

/** Global secondary index that finds a grant by id alone (partition key `grantId`, all attributes projected). */
export const GRANT_ID_INDEX_NAME = 'grantId-index';

/** Key layout of the grants table, shared by the CDK construct and the local tables that tests create. */
export interface GrantsTableDefinition {
  readonly AttributeDefinitions: AttributeDefinition[];
  readonly KeySchema: KeySchemaElement[];
  readonly GlobalSecondaryIndexes: GlobalSecondaryIndex[];
}

export const GRANTS_TABLE_DEFINITION: GrantsTableDefinition = {
  AttributeDefinitions: [
    { AttributeName: GRANTS_PARTITION_KEY, AttributeType: 'S' },
    { AttributeName: GRANTS_SORT_KEY, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: GRANTS_PARTITION_KEY, KeyType: 'HASH' },
    { AttributeName: GRANTS_SORT_KEY, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: GRANT_ID_INDEX_NAME,
      KeySchema: [{ AttributeName: GRANTS_SORT_KEY, KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
};

/**
 * Creates an on-demand grants table with `GRANTS_TABLE_DEFINITION` and waits until it is active.
 * Used for local tables (dynalite, the CLI); deployed tables come from the CDK construct.
 */
export async function createGrantsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: GRANTS_TABLE_DEFINITION.AttributeDefinitions,
      KeySchema: GRANTS_TABLE_DEFINITION.KeySchema,
      GlobalSecondaryIndexes: GRANTS_TABLE_DEFINITION.GlobalSecondaryIndexes,
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}
