/**
 * The line that each reconciliation run appends to the reconciliation report (JSON lines in the
 * evidence bucket). Pure: no AWS imports.
 */

/** Event ids listed in one report line at most; a run with more missing events sets `missingEventIdsTruncated`. */
export const MAX_LISTED_EVENT_IDS = 1000;

/** Key prefix of the report objects in the evidence bucket. */
export const REPORT_PREFIX = 'reconciliation/';

export interface ReconciliationReportLine {
  /** ISO 8601 UTC time of the run. */
  readonly runAt: string;
  /** Event time range [windowStart, windowEnd) that the run compared. */
  readonly windowStart: string;
  readonly windowEnd: string;
  /** S3 data events of the monitored buckets that CloudTrail recorded in the window. */
  readonly expected: number;
  /** Of those, the events found in the evidence archive. */
  readonly received: number;
  /** Expected events that the archive lacked. */
  readonly missing: number;
  /** Missing events put back into the stream. */
  readonly reinjected: number;
  /** Missing events left for a later run because the run reached its re-injection limit. */
  readonly deferred: number;
  /** Missing events that Athena reported but whose log files did not hold them as the rules select them. */
  readonly unconfirmed: number;
  /** Runs in a row, this one included, that had to re-inject events; 0 when this run re-injected none. */
  readonly consecutiveRunsWithReinjection: number;
  /** Ids of the re-injected events, at most `MAX_LISTED_EVENT_IDS`. */
  readonly reinjectedEventIds: readonly string[];
  readonly missingEventIdsTruncated: boolean;
}

/** Returns the report object key of the month of `runAt`: `reconciliation/report-yyyy-MM.jsonl`. */
export function reportKey(runAt: Date): string {
  return `${REPORT_PREFIX}report-${runAt.toISOString().slice(0, 7)}.jsonl`;
}

/** Returns the report object key of the month before the month of `runAt`. */
export function previousReportKey(runAt: Date): string {
  return reportKey(new Date(Date.UTC(runAt.getUTCFullYear(), runAt.getUTCMonth() - 1, 1)));
}

/** Counts the runs in a row with re-injection, from the previous line and this run's re-injected count. */
export function consecutiveRuns(previous: ReconciliationReportLine | undefined, reinjected: number): number {
  if (reinjected === 0) return 0;
  return (previous?.consecutiveRunsWithReinjection ?? 0) + 1;
}

/** Returns the last line of a report object as a report line, or undefined when it has none. */
export function lastReportLine(text: string): ReconciliationReportLine | undefined {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return undefined;
  return JSON.parse(lines[lines.length - 1]) as ReconciliationReportLine;
}
