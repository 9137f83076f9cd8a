/**
 * Layout of the incidents table. One table contains three kinds of items under a string partition key `pk`
 * and a string sort key `sk`:
 *
 * | item          | pk                      | sk                  | contents                                   |
 * | ------------- | ----------------------- | ------------------- | ------------------------------------------ |
 * | incident      | `INCIDENT#<incidentId>` | `INCIDENT`          | the `Incident`, `version`, tracked tokens  |
 * | open window   | `PRINCIPAL#<principal>` | `OPEN_WINDOW`       | the principal's current incident id        |
 * | report link   | `REPORT_CHAIN`          | `LINK#<sequence>`   | one report's SHA-256 and its predecessor's |
 *
 * The open window item is the lock that lets concurrent triage executions open exactly one incident per
 * principal: it changes only with a condition on the incident id it held when read. Incident items change
 * only with a condition on `version`. A report link is written only if its sequence number is free, so two
 * reports can never follow the same predecessor. The sparse index `incidents-by-opened-at` lists incident
 * items (the only items with `listPartition`) newest first.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

export const INCIDENTS_BY_OPENED_AT_INDEX = 'incidents-by-opened-at';

/** Value of `listPartition` on every incident item. */
export const INCIDENT_LIST_PARTITION = 'INCIDENTS';

/** Incident attributes projected into `incidents-by-opened-at`: all but the tracked tokens. */
export const INCIDENT_LIST_ATTRIBUTES = [
  'incidentId',
  'kind',
  'status',
  'principal',
  'windowEndsAt',
  'lastSeenAt',
  'firstSeenAt',
  'closedAt',
  'containmentRecordedAt',
  'severity',
  'score',
  'counts',
  'prefixes',
  'objectKeys',
  'decisionIds',
  'containment',
  'release',
  'report',
  'countsAreLowerBounds',
  'distinctCountsAreLowerBounds',
  'version',
] as const;

/** Key schema and index of the incidents table, for the CDK construct and for local tables. */
export const INCIDENTS_TABLE_DEFINITION: Required<
  Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'GlobalSecondaryIndexes'>
> = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'listPartition', AttributeType: 'S' },
    { AttributeName: 'openedAt', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: INCIDENTS_BY_OPENED_AT_INDEX,
      KeySchema: [
        { AttributeName: 'listPartition', KeyType: 'HASH' },
        { AttributeName: 'openedAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...INCIDENT_LIST_ATTRIBUTES] },
    },
  ],
};

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export function incidentKey(incidentId: string): ItemKey {
  return { pk: `INCIDENT#${incidentId}`, sk: 'INCIDENT' };
}

export function openWindowKey(principalKey: string): ItemKey {
  return { pk: `PRINCIPAL#${principalKey}`, sk: 'OPEN_WINDOW' };
}

export const REPORT_CHAIN_PARTITION = 'REPORT_CHAIN';
export const REPORT_LINK_PREFIX = 'LINK#';

/** Sort key of report link `sequence`, zero-padded so that string order is sequence order. */
export function reportLinkKey(sequence: number): ItemKey {
  return { pk: REPORT_CHAIN_PARTITION, sk: `${REPORT_LINK_PREFIX}${String(sequence).padStart(12, '0')}` };
}

/** Creates the incidents table with on-demand capacity and waits until it is active (local use and tests). */
export async function createIncidentsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      ...INCIDENTS_TABLE_DEFINITION,
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}
