import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Grant } from '../../../src/domain/types';
import { grantFromItem, grantToItem } from '../../../src/grants/grant-item';
import type { GrantsTable } from '../../../src/grants/grant-repository';
import { createGrantsTable } from '../../../src/grants/table-definition';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../../src/local/local-dynamodb';

/** dynalite for one test file, and a new empty grants table on it per test. */
export interface LocalGrantsTables {
  local(): LocalDynamoDb;
  newTable(): Promise<GrantsTable>;
}

/** Starts dynalite before the tests of the calling file and stops it after them. */
export function useLocalGrantsTables(): LocalGrantsTables {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  let local: LocalDynamoDb | undefined;
  let tableCounter = 0;

  beforeAll(async () => {
    local = await startLocalDynamoDb();
  });

  afterAll(async () => {
    await local?.stop();
  });

  const started = (): LocalDynamoDb => {
    if (local === undefined) {
      throw new Error('dynalite is not running yet: call local() and newTable() inside a test or a hook.');
    }
    return local;
  };

  return {
    local: started,
    newTable: async () => {
      tableCounter += 1;
      const tableName = `grants-${tableCounter}`;
      await createGrantsTable(started().client, tableName);
      return { client: started().client, tableName };
    },
  };
}

/** Reads every item of the table with a strongly consistent Scan, sorted by grantId. */
export async function scanGrants(table: GrantsTable): Promise<Grant[]> {
  const output = await table.client.send(
    new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
  );
  return (output.Items ?? []).map(grantFromItem).sort((a, b) => a.grantId.localeCompare(b.grantId));
}

/**
 * Writes the grant with a plain PutItem, bypassing the checks of `putGrants`, as an older version of
 * phi-guard or one of two racing imports could have stored it.
 */
export async function putRawGrant(table: GrantsTable, grant: Grant): Promise<void> {
  await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: grantToItem(grant) }));
}
