import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { DecisionType } from '../domain/types';

/** Counts of one validated batch, which the handler publishes as CloudWatch metrics. */
export interface BatchSummary {
  /** Kinesis records in the batch. */
  readonly recordsReceived: number;
  /** Invalid contents: Kinesis records that do not decode, and CloudTrail records that do not parse. */
  readonly invalidRecords: number;
  /** Valid CloudTrail records with nothing to decide, such as management events. */
  readonly skippedRecords: number;
  readonly decisionsByType: Readonly<Partial<Record<DecisionType, number>>>;
  /** Principal keys whose grants were read from DynamoDB. */
  readonly grantLookups: number;
  /** Principal keys whose grants came from the cache. */
  readonly grantCacheHits: number;
  /** Principal keys whose grants could not be read. Their records are reported as failures. */
  readonly lookupFailures: number;
  readonly triageStarts: number;
  readonly triageFailures: number;
  /** Decisions that the publisher did not accept. */
  readonly publishFailures: number;
  /** Kinesis records reported as batch item failures. */
  readonly failedRecords: number;
  /** Seconds from `eventTime` to the decision, one value per CloudTrail record that was decided. */
  readonly decisionLagSeconds: readonly number[];
}

/** Metric names of the validator, as alarms and dashboards refer to them. */
export const VALIDATOR_METRICS = {
  recordsReceived: 'RecordsReceived',
  decisions: 'Decisions',
  invalidRecords: 'InvalidRecords',
  skippedRecords: 'SkippedRecords',
  grantLookups: 'GrantLookups',
  grantCacheHits: 'GrantCacheHits',
  lookupFailures: 'LookupFailures',
  triageStarts: 'TriageStarts',
  triageFailures: 'TriageFailures',
  publishFailures: 'PublishFailures',
  failedRecords: 'FailedRecords',
  decisionLagSeconds: 'DecisionLagSeconds',
} as const;

/** Dimension that splits the `Decisions` metric by decision type. */
export const DECISION_TYPE_DIMENSION = 'DecisionType';

/**
 * Adds the summary to `metrics`. Counts go into the invocation's metric set. `Decisions` is emitted as one
 * single metric per decision type with a `DecisionType` dimension, so that alarms can watch violations alone.
 */
export function addBatchMetrics(metrics: Metrics, summary: BatchSummary): void {
  metrics.addMetric(VALIDATOR_METRICS.recordsReceived, MetricUnit.Count, summary.recordsReceived);
  metrics.addMetric(VALIDATOR_METRICS.invalidRecords, MetricUnit.Count, summary.invalidRecords);
  metrics.addMetric(VALIDATOR_METRICS.skippedRecords, MetricUnit.Count, summary.skippedRecords);
  metrics.addMetric(VALIDATOR_METRICS.grantLookups, MetricUnit.Count, summary.grantLookups);
  metrics.addMetric(VALIDATOR_METRICS.grantCacheHits, MetricUnit.Count, summary.grantCacheHits);
  metrics.addMetric(VALIDATOR_METRICS.lookupFailures, MetricUnit.Count, summary.lookupFailures);
  metrics.addMetric(VALIDATOR_METRICS.triageStarts, MetricUnit.Count, summary.triageStarts);
  metrics.addMetric(VALIDATOR_METRICS.triageFailures, MetricUnit.Count, summary.triageFailures);
  metrics.addMetric(VALIDATOR_METRICS.publishFailures, MetricUnit.Count, summary.publishFailures);
  metrics.addMetric(VALIDATOR_METRICS.failedRecords, MetricUnit.Count, summary.failedRecords);
  for (const lag of summary.decisionLagSeconds) {
    metrics.addMetric(VALIDATOR_METRICS.decisionLagSeconds, MetricUnit.Seconds, lag);
  }

  for (const [type, count] of Object.entries(summary.decisionsByType)) {
    const single = metrics.singleMetric();
    single.addDimension(DECISION_TYPE_DIMENSION, type);
    single.addMetric(VALIDATOR_METRICS.decisions, MetricUnit.Count, count);
  }
}
