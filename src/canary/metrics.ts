// Names that the canary Lambda and its CDK construct share. No runtime imports, so the CDK app can load it.

/** The canary role that runs a read: the role with a grant, or the role without one. */
export type CanaryRole = 'granted' | 'ungranted';

/** Metric names and dimension of the canary, as the alarms refer to them. */
export const CANARY_METRICS = {
  reads: 'CanaryReads',
  readFailures: 'CanaryReadFailures',
  roleDimension: 'CanaryRole',
} as const;
