/**
 * Compares the events that CloudTrail recorded with the events that reached the evidence archive (or
 * the validator), by CloudTrail event id. Pure: no AWS imports.
 */
import { readString, type JsonObject } from '../domain/json-value';
import { isSelectedByRule, type MonitoredBuckets } from './rule-scope';

/** Counts of one comparison, by distinct CloudTrail event id. */
export interface ReconciliationCounts {
  /** Events that the rules select: S3 data events of the monitored buckets. */
  readonly expected: number;
  /** Expected events that the archive (or the decisions file) holds. */
  readonly received: number;
  /** Expected events that it does not hold. */
  readonly missing: number;
  /** Selected records without an `eventID`, which cannot be matched and are left out of the other counts. */
  readonly withoutEventId: number;
}

/** One expected event that did not arrive, with its CloudTrail record as written in the log file. */
export interface MissingEvent {
  readonly eventId: string;
  readonly record: JsonObject;
}

export interface Comparison {
  /** Missing events in the order the records were given, each event id once. */
  readonly missing: readonly MissingEvent[];
  readonly counts: ReconciliationCounts;
}

/**
 * Compares CloudTrail records with the ids of the events that arrived. Records that the rules would not
 * select are ignored, and an event id that CloudTrail delivered twice counts once. One record may hold
 * several object accesses (DeleteObjects, CopyObject); it is still one event.
 *
 * @param isReceived true when the event id reached the archive.
 */
export function compareWithArchive(
  records: readonly unknown[],
  isReceived: (eventId: string) => boolean,
  monitoredBuckets: MonitoredBuckets,
): Comparison {
  const seen = new Set<string>();
  const missing: MissingEvent[] = [];
  let received = 0;
  let withoutEventId = 0;

  for (const record of records) {
    if (!isSelectedByRule(record, monitoredBuckets)) continue;

    const eventId = readString(record, 'eventID');
    if (eventId === undefined) {
      withoutEventId += 1;
      continue;
    }
    if (seen.has(eventId)) continue;
    seen.add(eventId);

    if (isReceived(eventId)) {
      received += 1;
    } else {
      missing.push({ eventId, record });
    }
  }

  return { missing, counts: { expected: seen.size, received, missing: missing.length, withoutEventId } };
}
