import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { ReconciliationReportLine } from './report';
import { runReconciliation, type ReconcilePorts } from './run-reconciliation';
import { parseWindow, windowBefore, type WindowSettings } from './window';
import { RECONCILE_METRICS } from './metrics';

export { RECONCILE_METRICS };

/** Input of a run. Scheduled runs send `{}`; a manual run may name the window. */
export interface ReconcileEvent {
  /** ISO 8601 start of the event time window (inclusive); needs `windowEnd`. */
  readonly windowStart?: string;
  /** ISO 8601 end of the event time window (exclusive). */
  readonly windowEnd?: string;
}

/** A manual window may span two weeks at most, so one run's queries stay bounded. */
const MAX_MANUAL_WINDOW_DAYS = 14;

export interface ReconcileHandlerDependencies extends WindowSettings {
  readonly ports: ReconcilePorts;
  readonly monitoredBuckets: ReadonlySet<string>;
  readonly maxReinjectedEvents: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Creates the Lambda handler of the scheduled reconciliation run. */
export function createReconcileHandler(dependencies: ReconcileHandlerDependencies) {
  const handleRun = async (event: ReconcileEvent | undefined): Promise<ReconciliationReportLine> => {
    const runAt = (dependencies.clock ?? (() => new Date()))();
    const window =
      event?.windowStart !== undefined || event?.windowEnd !== undefined
        ? parseWindow(event.windowStart ?? '', event.windowEnd ?? '', MAX_MANUAL_WINDOW_DAYS)
        : windowBefore(runAt, dependencies);
    dependencies.logger.info('Reconciliation started', {
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
    });

    const line = await runReconciliation(dependencies.ports, {
      window,
      runAt,
      monitoredBuckets: dependencies.monitoredBuckets,
      maxReinjectedEvents: dependencies.maxReinjectedEvents,
    });
    addRunMetrics(dependencies.metrics, line);
    logRun(dependencies.logger, line);
    return line;
  };

  return middy(handleRun)
    .use(injectLambdaContext(dependencies.logger, { resetKeys: true }))
    .use(logMetrics(dependencies.metrics, { captureColdStartMetric: true }));
}

function addRunMetrics(metrics: Metrics, line: ReconciliationReportLine): void {
  metrics.addMetric(RECONCILE_METRICS.expected, MetricUnit.Count, line.expected);
  metrics.addMetric(RECONCILE_METRICS.received, MetricUnit.Count, line.received);
  metrics.addMetric(RECONCILE_METRICS.reinjected, MetricUnit.Count, line.reinjected);
  metrics.addMetric(RECONCILE_METRICS.consecutiveRuns, MetricUnit.Count, line.consecutiveRunsWithReinjection);
}

function logRun(logger: Logger, line: ReconciliationReportLine): void {
  const { reinjectedEventIds, ...counts } = line;
  if (line.reinjected > 0 || line.deferred > 0 || line.unconfirmed > 0) {
    logger.warn('Reconciliation re-injected missing events', { ...counts, reinjectedEventIds });
  } else {
    logger.info('Reconciliation found no missing events', counts);
  }
}
