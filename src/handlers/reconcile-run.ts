/**
 * Lambda entry of the scheduled reconciliation run: Athena compares the trail with the evidence
 * archive, and missing events go back into the ingestion stream. Clients are built once per execution
 * environment; an invalid environment variable fails the cold start with a message that names it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AthenaClient } from '@aws-sdk/client-athena';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AthenaQueryRunner } from '../reconcile/adapters/athena-query-runner';
import { KinesisReinjector } from '../reconcile/adapters/kinesis-reinjector';
import { readTrailLogFile, ReportStore } from '../reconcile/adapters/s3-objects';
import { readReconcileEnvironment } from '../reconcile/environment';
import { buildComparisonQueries } from '../reconcile/queries';
import { createReconcileHandler } from '../reconcile/reconcile-handler';
import type { ReconcilePorts } from '../reconcile/run-reconciliation';
import type { ReconciliationWindow } from '../reconcile/window';

const environment = readReconcileEnvironment(process.env);
const requestHandler = () =>
  new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 30_000, throwOnRequestTimeout: true });
const logger = new Logger();
const metrics = new Metrics();

const s3 = new S3Client({ requestHandler: requestHandler() });
const athena = new AthenaQueryRunner({
  client: new AthenaClient({ requestHandler: requestHandler() }),
  workGroup: environment.workGroup,
  timeoutMs: environment.queryTimeoutSeconds * 1000,
});
const reinjector = new KinesisReinjector({
  client: new KinesisClient({ requestHandler: requestHandler() }),
  streamName: environment.streamName,
});
const reports = new ReportStore(s3, environment.evidenceBucket);
const queries = (window: ReconciliationWindow, runAt: Date) =>
  buildComparisonQueries(environment.tables, window, environment.monitoredBuckets, runAt);

const ports: ReconcilePorts = {
  countEvents: async (window, runAt) => {
    const [row] = await athena.run(queries(window, runAt).counts);
    return { expected: Number(row?.[0] ?? 0), received: Number(row?.[1] ?? 0) };
  },
  findMissing: async (window, runAt) =>
    (await athena.run(queries(window, runAt).missing)).map(([eventId, logFile]) => ({ eventId, logFile })),
  readLogFile: (location) => readTrailLogFile(s3, location),
  putRecords: (records) => reinjector.put(records),
  readPreviousLine: (time) => reports.readPreviousLine(time),
  appendLine: (line) => reports.appendLine(line),
};

export const handler = createReconcileHandler({
  ports,
  monitoredBuckets: new Set(environment.monitoredBuckets),
  maxReinjectedEvents: environment.maxReinjectedEvents,
  windowHours: environment.windowHours,
  settleHours: environment.settleHours,
  logger,
  metrics,
});
