/**
 * One reconciliation run: find the expected events that the archive lacks, confirm them in their log
 * files, put them back into the stream and record the counts. The AWS calls sit behind `ReconcilePorts`.
 */
import { compareWithArchive } from './compare';
import { toStreamRecord, type StreamRecord } from './envelope';
import { consecutiveRuns, MAX_LISTED_EVENT_IDS, type ReconciliationReportLine } from './report';
import type { ReconciliationWindow } from './window';

/** An expected event that the archive lacks, and the S3 URI of the log file that contains it. */
export interface MissingEventLocation {
  readonly eventId: string;
  readonly logFile: string;
}

export interface ReconcilePorts {
  /**
   * Counts the expected events of the window and those of them the archive holds. The run time bounds
   * the archive partitions to read.
   */
  countEvents(window: ReconciliationWindow, runAt: Date): Promise<{ expected: number; received: number }>;
  /** Lists the expected events of the window that the archive lacks. */
  findMissing(window: ReconciliationWindow, runAt: Date): Promise<MissingEventLocation[]>;
  /** Reads the CloudTrail records of one log file. */
  readLogFile(location: string): Promise<unknown[]>;
  /** Puts records into the stream; throws when some could not be put. */
  putRecords(records: readonly StreamRecord[]): Promise<void>;
  /** Returns the last report line written before this run, if any. */
  readPreviousLine(runAt: Date): Promise<ReconciliationReportLine | undefined>;
  appendLine(line: ReconciliationReportLine): Promise<void>;
}

export interface ReconcileOptions {
  readonly window: ReconciliationWindow;
  readonly runAt: Date;
  readonly monitoredBuckets: ReadonlySet<string>;
  /** Missing events re-injected by one run at most; the rest are reported as deferred. */
  readonly maxReinjectedEvents: number;
}

/** Runs one reconciliation and returns the report line it appended. */
export async function runReconciliation(
  ports: ReconcilePorts,
  options: ReconcileOptions,
): Promise<ReconciliationReportLine> {
  const [counts, missing] = await Promise.all([
    ports.countEvents(options.window, options.runAt),
    ports.findMissing(options.window, options.runAt),
  ]);
  const selected = missing.slice(0, options.maxReinjectedEvents);
  const records = await confirmMissing(ports, selected, options.monitoredBuckets);
  if (records.length > 0) {
    await ports.putRecords(records);
  }

  const previous = await ports.readPreviousLine(options.runAt);
  const line: ReconciliationReportLine = {
    runAt: options.runAt.toISOString(),
    windowStart: options.window.start.toISOString(),
    windowEnd: options.window.end.toISOString(),
    expected: counts.expected,
    received: counts.received,
    missing: missing.length,
    reinjected: records.length,
    deferred: missing.length - selected.length,
    unconfirmed: selected.length - records.length,
    consecutiveRunsWithReinjection: consecutiveRuns(previous, records.length),
    reinjectedEventIds: records.slice(0, MAX_LISTED_EVENT_IDS).map((record) => record.eventId),
    missingEventIdsTruncated: records.length > MAX_LISTED_EVENT_IDS,
  };
  await ports.appendLine(line);
  return line;
}

/**
 * Reads the log files of the missing events and returns the stream records of those that the rules
 * select, so the TypeScript selection has the last word over the SQL one.
 */
async function confirmMissing(
  ports: ReconcilePorts,
  missing: readonly MissingEventLocation[],
  monitoredBuckets: ReadonlySet<string>,
): Promise<StreamRecord[]> {
  const missingIds = new Set(missing.map((event) => event.eventId));
  const logFiles = [...new Set(missing.map((event) => event.logFile))];
  const records: unknown[] = [];
  for (const logFile of logFiles) {
    records.push(...(await ports.readLogFile(logFile)));
  }

  const comparison = compareWithArchive(records, (eventId) => !missingIds.has(eventId), monitoredBuckets);
  return comparison.missing.map((event) => toStreamRecord(event.eventId, event.record));
}
