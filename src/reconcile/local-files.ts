/**
 * Local inputs of `phi-guard reconcile`: CloudTrail files and a replay's decisions file. No AWS imports.
 */
import { readFile } from 'node:fs/promises';
import { parseCloudTrailText } from '../domain/cloudtrail-input';
import { InvalidRecordError } from '../domain/errors';
import { isJsonObject, readString } from '../domain/json-value';
import { parseRecord } from '../domain/parse';

/** A local input that cannot be read; the message names the file and, for the decisions file, the line. */
export class LocalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalInputError';
  }
}

/**
 * Reads every CloudTrail record of the given files, in file order. Throws one `LocalInputError` that lists
 * every invalid file, because a comparison that leaves out a file is not complete.
 */
export async function readTrailRecords(files: readonly string[]): Promise<unknown[]> {
  const records: unknown[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      records.push(...parseCloudTrailText(await readFile(file)));
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      problems.push(`${file}: ${error.message}`);
    }
  }

  if (problems.length === 1) {
    throw new LocalInputError(`Invalid CloudTrail file ${problems[0]}`);
  }
  if (problems.length > 1) {
    const list = problems.map((problem) => `\n  ${problem}`).join('');
    throw new LocalInputError(
      `${problems.length} CloudTrail files are invalid, so nothing was compared. Fix or remove them and run again:${list}`,
    );
  }
  return records;
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

/**
 * True when the validator decides at least one access of the record. The rules also forward records
 * that the validator skips (events that touch no object) or rejects as invalid, and those leave no
 * decision, so a comparison with a decisions file leaves them out.
 */
export function yieldsDecision(record: unknown): boolean {
  try {
    return parseRecord(record).status === 'accesses';
  } catch (error) {
    if (error instanceof InvalidRecordError) return false;
    throw error;
  }
}
