/**
 * Typed reads and conditional writes of incidents table items. Every write returns false, instead of
 * throwing, when its condition fails, so that callers can read again and retry.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  fromIncidentItem,
  fromOpenWindowItem,
  toIncident,
  toIncidentItem,
  toOpenWindowItem,
  type OpenWindow,
  type StoredIncident,
} from './incident-item';
import type { IncidentState } from './incident-state';
import {
  INCIDENT_LIST_PARTITION,
  INCIDENTS_BY_OPENED_AT_INDEX,
  REPORT_CHAIN_PARTITION,
  REPORT_LINK_PREFIX,
  incidentKey,
  openWindowKey,
  type ItemKey,
  reportLinkKey,
} from './incidents-table';
import type { Incident } from './types';

/** One report in the hash chain. */
export interface ReportLink {
  /** 1 for the first report. */
  readonly sequence: number;
  readonly incidentId: string;
  /** SHA-256 (hex) of the report's JSON file. */
  readonly sha256: string;
  readonly previousSha256: string;
  readonly jsonKey: string;
  /** When the link was written, ISO 8601 UTC. */
  readonly linkedAt: string;
}

export class IncidentTableClient {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async getOpenWindow(principalKey: string): Promise<OpenWindow | undefined> {
    const item = await this.get(openWindowKey(principalKey));
    return item === undefined ? undefined : fromOpenWindowItem(item);
  }

  /** Writes the window if the principal's window still points to `expectedIncidentId` (or to none when undefined). */
  async replaceOpenWindow(window: OpenWindow, expectedIncidentId: string | undefined): Promise<boolean> {
    return this.putIf(
      toOpenWindowItem(window),
      expectedIncidentId === undefined ? 'attribute_not_exists(pk)' : 'incidentId = :expected',
      expectedIncidentId === undefined ? undefined : { ':expected': expectedIncidentId },
    );
  }

  async getIncident(incidentId: string): Promise<StoredIncident | undefined> {
    const item = await this.get(incidentKey(incidentId));
    return item === undefined ? undefined : fromIncidentItem(item);
  }

  /** Writes the incident with version `expectedVersion + 1` if the stored version is `expectedVersion`. */
  async putIncident(state: IncidentState, expectedVersion: number): Promise<boolean> {
    return this.putIf(
      toIncidentItem(state, expectedVersion + 1),
      expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
      expectedVersion === 0 ? undefined : { ':expected': expectedVersion },
    );
  }

  /** Returns up to `limit` incidents, newest first, from the `incidents-by-opened-at` index. */
  async listIncidents(limit: number): Promise<Incident[]> {
    const output = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INCIDENTS_BY_OPENED_AT_INDEX,
        KeyConditionExpression: 'listPartition = :partition',
        ExpressionAttributeValues: { ':partition': INCIDENT_LIST_PARTITION },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (output.Items ?? []).map(toIncident);
  }

  /** Returns report links from the newest back, `pageSize` at a time, until `visit` returns false. */
  async walkReportLinks(pageSize: number, visit: (link: ReportLink) => boolean): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :partition AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':partition': REPORT_CHAIN_PARTITION, ':prefix': REPORT_LINK_PREFIX },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: pageSize,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of output.Items ?? []) {
        if (!visit(toReportLink(item))) return;
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Writes the link if no link has its sequence number yet. */
  async putReportLink(link: ReportLink): Promise<boolean> {
    return this.putIf({ ...reportLinkKey(link.sequence), ...link }, 'attribute_not_exists(pk)', undefined);
  }

  private async get(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const output = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { ...key }, ConsistentRead: true }),
    );
    return output.Item;
  }

  private async putIf(
    item: Record<string, unknown>,
    condition: string,
    values: Record<string, unknown> | undefined,
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

function toReportLink(item: Record<string, unknown>): ReportLink {
  const { pk: _pk, sk: _sk, ...link } = item;
  return link as unknown as ReportLink;
}
