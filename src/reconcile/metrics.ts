// Names that the reconciliation Lambda and its CDK construct share. No runtime imports, so the CDK app can
// load it.

/** Metric names of a reconciliation run, as the alarms refer to them. */
export const RECONCILE_METRICS = {
  expected: 'ReconciliationExpectedEvents',
  received: 'ReconciliationReceivedEvents',
  reinjected: 'ReconciliationReinjectedEvents',
  consecutiveRuns: 'ReconciliationConsecutiveRunsWithReinjection',
} as const;
