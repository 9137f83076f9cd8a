/**
 * Local inputs of `phi-guard reconcile`: CloudTrail files and a replay's decisions file. No AWS imports.
 */
import { readFile } from 'node:fs/promises';
import { type CloudTrailFileContent, readCloudTrailContent } from '../domain/cloudtrail-input';
import { InvalidRecordError } from '../domain/errors';
import { isJsonObject, readString } from '../domain/json-value';
import { parseRecord } from '../domain/parse';
import { isSelectedByRule, type MonitoredBuckets } from './rule-scope';

/** A local input that cannot be read; the message names the file and, for the decisions file, the line. */
export class LocalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalInputError';
  }
}

/** One record of a CloudTrail file and where it is. */
export interface TrailRecord {
  readonly file: string;
  /** 1-based position of the record in its file, in the order the file lists records. */
  readonly position: number;
  readonly record: unknown;
  /** Set for a JSON line that is not valid JSON or not a CloudTrail document, which has no record. */
  readonly invalid?: string;
}

/**
 * Reads every CloudTrail record of the given files, in file order, with the rule of `readCloudTrailContent`
 * that `replay` uses too. A bad JSON line becomes a record with `invalid` set, and the other lines of its
 * file are kept. A file that cannot be read as a whole makes the comparison incomplete, so one
 * `LocalInputError` lists every such file.
 */
export async function readTrailRecords(files: readonly string[]): Promise<TrailRecord[]> {
  const records: TrailRecord[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    const read = await readTrailFile(file);
    if ('unreadable' in read) {
      unreadable.push(`${file}: ${read.unreadable}`);
    } else {
      records.push(...read.entries.map((entry, index) => ({ file, position: index + 1, ...entry })));
    }
  }

  if (unreadable.length === 1) {
    throw new LocalInputError(`Invalid CloudTrail file ${unreadable[0]}`);
  }
  if (unreadable.length > 1) {
    const list = unreadable.map((problem) => `\n  ${problem}`).join('');
    throw new LocalInputError(
      `${unreadable.length} CloudTrail files are invalid, so nothing was compared. Fix or remove them and run again:${list}`,
    );
  }
  return records;
}

async function readTrailFile(file: string): Promise<CloudTrailFileContent> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    return { unreadable: `Failed to read the file: ${(error as Error).message}` };
  }
  return readCloudTrailContent(content, file);
}

/**
 * Reads the event ids of a decisions file (JSON lines, one decision per line, as `phi-guard replay --out`
 * writes it). A record with several accesses has several lines with one event id.
 */
export async function readDecisionEventIds(file: string): Promise<Set<string>> {
  const text = await readFile(file, 'utf8');
  const eventIds = new Set<string>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const eventId = parseDecisionLine(line, file, index + 1);
    eventIds.add(eventId);
  });
  return eventIds;
}

function parseDecisionLine(line: string, file: string, lineNumber: number): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new LocalInputError(`Invalid JSON in ${file} on line ${lineNumber}: ${(error as Error).message}.`);
  }
  const eventId = isJsonObject(value) ? readString(value, 'eventId') : undefined;
  if (eventId === undefined) {
    throw new LocalInputError(`Line ${lineNumber} of ${file} is not a decision: it has no eventId string.`);
  }
  return eventId;
}

/** A record that the rules would forward but the validator rejects as invalid, so it can never have a decision. */
export interface UncomparedRecord extends TrailRecord {
  readonly eventId?: string;
  readonly reason: string;
}

/** Trail records sorted for the comparison with a decisions file. */
export interface SortedTrailRecords {
  /** Records of which the validator decides at least one access. */
  readonly comparable: unknown[];
  readonly uncompared: UncomparedRecord[];
}

/**
 * Sorts records into those that a comparison with a decisions file can use and those it cannot. The rules
 * also forward records that the validator skips (events that touch no object), which leave no decision and
 * are left out. A record that the validator rejects as invalid is listed as uncompared when the rules would
 * select it, or when that is unknown because the record is not a JSON object or is an invalid JSON line.
 */
export function sortTrailRecords(
  records: readonly TrailRecord[],
  monitoredBuckets: MonitoredBuckets,
): SortedTrailRecords {
  const comparable: unknown[] = [];
  const uncompared: UncomparedRecord[] = [];
  for (const trailRecord of records) {
    const { record, invalid } = trailRecord;
    if (invalid !== undefined) {
      uncompared.push({ ...trailRecord, reason: invalid });
      continue;
    }
    try {
      if (parseRecord(record).status === 'accesses') comparable.push(record);
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      if (!isJsonObject(record) || isSelectedByRule(record, monitoredBuckets)) {
        uncompared.push({ ...trailRecord, eventId: error.eventId, reason: error.message });
      }
    }
  }
  return { comparable, uncompared };
}
