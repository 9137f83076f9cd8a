/**
 * Lambda entry of the triage step: opens or joins the principal's incident for one triage input.
 *
 * Input: `TriageInput`. Output: `TriageResult`. Start the response workflow only when `isNew` is true,
 * with the incident id as the execution name.
 * Environment: `INCIDENTS_TABLE_NAME` (required), `INCIDENT_WINDOW_MINUTES` (1-1440, default 15).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { TriageInput } from '../domain/types';
import { readIntegerEnv, requireEnv } from '../response/handler-config';
import {
  DEFAULT_INCIDENT_WINDOW_MINUTES,
  IncidentRepository,
  type IncidentRepositoryOptions,
} from '../response/incident-repository';
import { historyQueryParameters } from '../response/history-parameters';
import type { TriageResult } from '../response/types';

export interface TriageHandlerOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default 15 */
  readonly windowMinutes?: number;
  /** @default the system clock */
  readonly clock?: () => Date;
  /** @default a Powertools logger with service name `phi-guard-triage` */
  readonly logger?: Logger;
  readonly repositoryOptions?: IncidentRepositoryOptions;
}

export type TriageHandler = (event: TriageInput, context?: Context) => Promise<TriageResult>;

/** Creates the triage handler. Tests and the local runner pass a client of a local DynamoDB. */
export function createTriageHandler(options: TriageHandlerOptions): TriageHandler {
  const repository = new IncidentRepository(options.client, options.tableName, options.repositoryOptions);
  const windowMinutes = options.windowMinutes ?? DEFAULT_INCIDENT_WINDOW_MINUTES;
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? new Logger({ serviceName: 'phi-guard-triage' });

  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    const principalKey = event?.principal?.key;

    try {
      const result = await repository.openOrJoin(event, clock(), windowMinutes);
      const { incident } = result;
      logger.info(result.isNew ? 'Incident opened' : 'Incident joined', {
        incidentId: incident.incidentId,
        principalKey,
        kind: incident.kind,
        severity: incident.severity,
        decisionCount: event.decisions.length,
      });
      return { ...result, historyParameters: historyQueryParameters(incident) };
    } catch (error) {
      logger.error('Triage failed', { principalKey, error: error as Error });
      throw error;
    }
  };
}

const dynamoDb = new DynamoDBClient({});
let configuredHandler: TriageHandler | undefined;

/** Lambda handler. It reads its configuration from the environment on the first invocation. */
export async function handler(event: TriageInput, context: Context): Promise<TriageResult> {
  configuredHandler ??= createTriageHandler({
    client: dynamoDb,
    tableName: requireEnv('INCIDENTS_TABLE_NAME'),
    windowMinutes: readIntegerEnv('INCIDENT_WINDOW_MINUTES', DEFAULT_INCIDENT_WINDOW_MINUTES, {
      min: 1,
      max: 1440,
    }),
  });
  return configuredHandler(event, context);
}
