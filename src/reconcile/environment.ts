/** Settings of the reconciliation Lambda, read from its environment variables. Pure: no AWS imports. */
import type { ReconciliationTables } from './queries';

export interface ReconcileEnvironment {
  /** `STREAM_NAME`: the ingestion stream that missing events are put back into. */
  readonly streamName: string;
  /** `EVIDENCE_BUCKET`: the bucket of the reconciliation report. */
  readonly evidenceBucket: string;
  /** `ATHENA_WORKGROUP`. */
  readonly workGroup: string;
  /** `TRAIL_DATABASE`, `TRAIL_TABLE`, `ARCHIVE_DATABASE` and `ARCHIVE_TABLE`. */
  readonly tables: ReconciliationTables;
  /** `MONITORED_BUCKETS`, comma-separated. */
  readonly monitoredBuckets: readonly string[];
  /** `WINDOW_HOURS`: hours of event time that one scheduled run covers. */
  readonly windowHours: number;
  /** `SETTLE_HOURS`: hours before the run time that are left to the next run. */
  readonly settleHours: number;
  /** `MAX_REINJECTED_EVENTS`: missing events that one run re-injects at most. */
  readonly maxReinjectedEvents: number;
  /** `QUERY_TIMEOUT_SECONDS`: time after which an Athena query is stopped. */
  readonly queryTimeoutSeconds: number;
}

/**
 * Reads and validates the environment.
 * @throws Error listing every missing or invalid variable.
 */
export function readReconcileEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): ReconcileEnvironment {
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is missing.`);
    return value ?? '';
  };
  const integer = (name: string, min: number, max: number): number => {
    const value = Number(text(name));
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${env[name] ?? ''}".`);
    }
    return value;
  };

  const settings: ReconcileEnvironment = {
    streamName: text('STREAM_NAME'),
    evidenceBucket: text('EVIDENCE_BUCKET'),
    workGroup: text('ATHENA_WORKGROUP'),
    tables: {
      trailDatabase: text('TRAIL_DATABASE'),
      trailTable: text('TRAIL_TABLE'),
      archiveDatabase: text('ARCHIVE_DATABASE'),
      archiveTable: text('ARCHIVE_TABLE'),
    },
    monitoredBuckets: text('MONITORED_BUCKETS')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    windowHours: integer('WINDOW_HOURS', 1, 24 * 14),
    settleHours: integer('SETTLE_HOURS', 0, 48),
    maxReinjectedEvents: integer('MAX_REINJECTED_EVENTS', 1, 1_000_000),
    queryTimeoutSeconds: integer('QUERY_TIMEOUT_SECONDS', 10, 900),
  };
  if (problems.length > 0) {
    throw new Error(`Invalid reconciliation configuration: ${problems.join(' ')}`);
  }
  return settings;
}
