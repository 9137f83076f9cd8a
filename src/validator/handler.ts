import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { addBatchMetrics, type BatchSummary } from './batch-summary';
import { GrantCache } from './grant-cache';
import type { DecisionPublisher, TriageStarter } from './ports';
import { validateBatch } from './validate-batch';

export interface ValidatorHandlerDependencies {
  readonly dynamoDb: DynamoDBClient;
  readonly grantsTableName: string;
  /** Buckets that hold PHI; undefined means every bucket. */
  readonly monitoredBuckets?: ReadonlySet<string>;
  /** Seconds a principal's grants stay cached; 0 disables the cache. @default 60 */
  readonly grantCacheTtlSeconds?: number;
  /** Undefined: decisions are not archived (the handler logs this at creation). */
  readonly publisher?: DecisionPublisher;
  /** Undefined: violations are logged and counted but not triaged. */
  readonly triageStarter?: TriageStarter;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * Principals whose every decision is logged at INFO with its principal key (other authorized decisions
   * are logged at DEBUG), so that the canary's log metric filters can count them.
   * @default - none
   */
  readonly loggedPrincipalKeys?: ReadonlySet<string>;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/**
 * Creates the Lambda handler for the Kinesis event source of the validator. It returns
 * `{ batchItemFailures }`, so the event source mapping needs `ReportBatchItemFailures` in its
 * function response types. The grant cache lives as long as the returned handler.
 *
 * @example
 * export const handler = createValidatorHandler({ dynamoDb, grantsTableName, logger, metrics });
 */
export function createValidatorHandler(dependencies: ValidatorHandlerDependencies) {
  const grantCache = new GrantCache({
    ttlSeconds: dependencies.grantCacheTtlSeconds,
    clock: dependencies.clock,
  });
  warnAboutMissingPorts(dependencies);

  const handleBatch = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const result = await validateBatch(event, { ...dependencies, grantCache });
    addBatchMetrics(dependencies.metrics, result.summary);
    dependencies.logger.info('Batch validated', describeSummary(result.summary));
    return { batchItemFailures: result.batchItemFailures };
  };

  return middy(handleBatch)
    .use(injectLambdaContext(dependencies.logger, { resetKeys: true }))
    .use(logMetrics(dependencies.metrics, { captureColdStartMetric: true }));
}

function warnAboutMissingPorts(dependencies: ValidatorHandlerDependencies): void {
  if (dependencies.publisher === undefined) {
    dependencies.logger.warn('No decision publisher is configured; decisions are logged but not archived');
  }
  if (dependencies.triageStarter === undefined) {
    dependencies.logger.warn('No triage starter is configured; violations are logged but not triaged');
  }
}

/** Returns the summary without the per-event lag values, which go to the DecisionLagSeconds metric instead. */
function describeSummary(summary: BatchSummary): Record<string, unknown> {
  const { decisionLagSeconds, ...counts } = summary;
  const maxDecisionLagSeconds = decisionLagSeconds.length > 0 ? Math.max(...decisionLagSeconds) : undefined;
  return { ...counts, maxDecisionLagSeconds };
}
