/**
 * Lambda entry of the report step: writes the incident's hash-chained report to the evidence bucket.
 *
 * Input: `ReportRequest` (`{ incident, containment, investigation }`). Output: `ReportLocation`.
 * Environment: `EVIDENCE_BUCKET_NAME`, `INCIDENTS_TABLE_NAME`, `REPORT_RETENTION_DAYS` (1-36500) and
 * `OBJECT_LOCK_MODE` (`COMPLIANCE` or `GOVERNANCE`), all required.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { requireEnv, requireIntegerEnv } from '../response/handler-config';
import { IncidentRepository, type IncidentRepositoryOptions } from '../response/incident-repository';
import { writeIncidentReport, type ReportRequest } from '../response/report-service';
import { S3ReportStore, parseObjectLockMode, type ReportStore } from '../response/report-store';
import type { ReportLocation } from '../response/types';

export interface ReportHandlerOptions {
  readonly dynamoDb: DynamoDBClient;
  readonly tableName: string;
  /** An `S3ReportStore`, or a `FileSystemReportStore` for local replays. */
  readonly store: ReportStore;
  /** Days of Object Lock retention from the report's generation time. */
  readonly retentionDays: number;
  /** Time at which the incident closes and the report is dated. @default the system clock */
  readonly clock?: () => Date;
  /** @default a Powertools logger with service name `phi-guard-report` */
  readonly logger?: Logger;
  readonly repositoryOptions?: IncidentRepositoryOptions;
}

export type ReportHandler = (event: ReportRequest, context?: Context) => Promise<ReportLocation>;

/** Creates the report handler. Tests and the local runner pass local clients and stores. */
export function createReportHandler(options: ReportHandlerOptions): ReportHandler {
  const repository = new IncidentRepository(options.dynamoDb, options.tableName, {
    ...options.repositoryOptions,
    clock: options.clock ?? options.repositoryOptions?.clock,
  });
  const logger = options.logger ?? new Logger({ serviceName: 'phi-guard-report' });
  const dependencies = { repository, store: options.store, retentionDays: options.retentionDays };

  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    const incidentId = event?.incident?.incidentId;

    try {
      const location = await writeIncidentReport(dependencies, event);
      logger.info('Report written', { incidentId, jsonKey: location.jsonKey, sha256: location.sha256 });
      return location;
    } catch (error) {
      logger.error('Report failed', { incidentId, error: error as Error });
      throw error;
    }
  };
}

const dynamoDb = new DynamoDBClient({});
const s3 = new S3Client({});
let configuredHandler: ReportHandler | undefined;

/** Lambda handler. It reads its configuration from the environment on the first invocation. */
export async function handler(event: ReportRequest, context: Context): Promise<ReportLocation> {
  configuredHandler ??= createReportHandler({
    dynamoDb,
    tableName: requireEnv('INCIDENTS_TABLE_NAME'),
    store: new S3ReportStore(
      s3,
      requireEnv('EVIDENCE_BUCKET_NAME'),
      parseObjectLockMode(process.env.OBJECT_LOCK_MODE),
    ),
    retentionDays: requireIntegerEnv('REPORT_RETENTION_DAYS', { min: 1, max: 36_500 }),
  });
  return configuredHandler(event, context);
}
