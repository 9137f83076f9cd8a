/**
 * Reads CloudTrail records out of the documents they arrive in: single records, EventBridge events,
 * CloudTrail log files (`{"Records": [...]}`, usually gzipped) and JSON lines exports.
 */
import { gunzipSync } from 'node:zlib';
import { InvalidRecordError } from './errors';
import { describeJsonValue, isJsonObject, type JsonObject } from './json-value';
import { parseJsonText, type JsonLine } from './json-text';

/** `detail-type` that EventBridge gives to API calls recorded by CloudTrail. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** Fields of which at least one is present in every CloudTrail record. */
const RECORD_MARKER_FIELDS = ['eventVersion', 'eventID', 'eventName', 'eventSource', 'userIdentity'];

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Extracts CloudTrail records from a parsed document.
 *
 * Accepts one CloudTrail record, an EventBridge event with detail-type "AWS API Call via CloudTrail"
 * (returns its `detail`), a CloudTrail log file object `{"Records": [...]}`, or an array of those.
 * The records themselves are validated later by `parseRecord`.
 *
 * @throws InvalidRecordError when the document matches none of these shapes.
 */
export function extractRecords(document: unknown): unknown[] {
  if (Array.isArray(document)) {
    return document.flatMap((item, index) => extractFromItem(item, index));
  }

  return extractFromObject(document);
}

function extractFromItem(item: unknown, index: number): unknown[] {
  if (Array.isArray(item)) {
    throw new InvalidRecordError(
      `Item ${index} of the array is itself an array; expected a CloudTrail record, an EventBridge event or a log file object.`,
    );
  }

  return extractFromObject(item);
}

function extractFromObject(document: unknown): unknown[] {
  if (!isJsonObject(document)) {
    throw new InvalidRecordError(
      `Expected a CloudTrail record, an EventBridge event or a log file object; received ${describeJsonValue(document)}.`,
    );
  }

  if ('detail-type' in document) return [readEventBridgeDetail(document)];
  if ('Records' in document) return readLogFileRecords(document);
  if (RECORD_MARKER_FIELDS.some((field) => field in document)) return [document];

  throw new InvalidRecordError(
    `The object has none of the fields Records, detail-type, ${RECORD_MARKER_FIELDS.join(', ')}; ` +
      'expected a CloudTrail record, an EventBridge event or a log file object.',
  );
}

function readEventBridgeDetail(event: JsonObject): unknown {
  const detailType = event['detail-type'];
  if (detailType !== CLOUDTRAIL_DETAIL_TYPE) {
    throw new InvalidRecordError(
      `EventBridge event has detail-type ${describeJsonValue(detailType)}; expected "${CLOUDTRAIL_DETAIL_TYPE}".`,
    );
  }

  if (!isJsonObject(event.detail)) {
    throw new InvalidRecordError(
      `The CloudTrail record in the detail of the EventBridge event is ${describeJsonValue(event.detail)}, not a JSON object.`,
    );
  }

  return event.detail;
}

function readLogFileRecords(logFile: JsonObject): unknown[] {
  if (!Array.isArray(logFile.Records)) {
    throw new InvalidRecordError(
      `CloudTrail log file has Records ${describeJsonValue(logFile.Records)}; expected an array of records.`,
    );
  }

  return [...logFile.Records];
}

/** A record of a CloudTrail file as found (not yet validated), or a JSON line of the file that has none. */
export interface CloudTrailFileEntry {
  /** Undefined when `invalid` is set. */
  readonly record: unknown;
  /** Why a JSON line yields no record: it is not valid JSON, or not a record, event or log file. */
  readonly invalid?: string;
}

/** The entries of a CloudTrail file, or why the file cannot be read at all. */
export type CloudTrailFileContent =
  { readonly entries: CloudTrailFileEntry[] } | { readonly unreadable: string };

/**
 * Reads the records of a CloudTrail file with the rule that `phi-guard replay` and `reconcile` share.
 *
 * The content may be gzipped (as CloudTrail delivers log files) or plain UTF-8. It is parsed as one JSON
 * document first, and as JSON lines only when that fails and `parseJsonText` finds JSON lines (a `.jsonl`
 * or `.ndjson` `fileName`, or a first line that is a JSON object or array). Then each bad line becomes
 * one invalid entry and the other lines keep their records. Content that cannot be decompressed, a
 * document that does not parse and is not JSON lines, and a document of another shape are unreadable as
 * a whole. An empty file yields no entries.
 */
export function readCloudTrailContent(
  content: string | Uint8Array,
  fileName?: string,
): CloudTrailFileContent {
  try {
    return { entries: readEntries(content, fileName) };
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    return { unreadable: error.message };
  }
}

/**
 * Parses the text of a CloudTrail document and extracts its records with `extractRecords`. The content is
 * read as `readCloudTrailContent` reads a file without a name, but it is rejected when any line is invalid.
 *
 * @throws InvalidRecordError when the content is unreadable or has an invalid JSON line.
 */
export function parseCloudTrailText(content: string | Uint8Array): unknown[] {
  const entries = readEntries(content, undefined);
  const firstInvalid = entries.find((entry) => entry.invalid !== undefined);
  if (firstInvalid?.invalid !== undefined) {
    throw new InvalidRecordError(firstInvalid.invalid);
  }

  return entries.map((entry) => entry.record);
}

/** @throws InvalidRecordError when the content is unreadable as a whole. */
function readEntries(content: string | Uint8Array, fileName: string | undefined): CloudTrailFileEntry[] {
  const text = decodeContent(content).replace(/^\uFEFF/, '');
  if (text.trim() === '') return [];

  const parsed = parseJsonText(text, fileName);
  switch (parsed.format) {
    case 'document':
      return extractRecords(parsed.value).map((record) => ({ record }));
    case 'lines':
      return parsed.lines.flatMap(readJsonLine);
    case 'invalid':
      throw new InvalidRecordError(`CloudTrail content is not valid JSON: ${parsed.error}.`);
  }
}

function readJsonLine(line: JsonLine): CloudTrailFileEntry[] {
  if ('error' in line) {
    return [{ record: undefined, invalid: `Line ${line.lineNumber} is not valid JSON: ${line.error}.` }];
  }

  try {
    return extractRecords(line.value).map((record) => ({ record }));
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    return [
      {
        record: undefined,
        invalid: `Line ${line.lineNumber} is not a CloudTrail document: ${error.message}`,
      },
    ];
  }
}

function decodeContent(content: string | Uint8Array): string {
  if (typeof content === 'string') return content;

  const gzipped = content.length >= 2 && content[0] === GZIP_MAGIC[0] && content[1] === GZIP_MAGIC[1];
  if (!gzipped) return Buffer.from(content).toString('utf8');

  try {
    return gunzipSync(content).toString('utf8');
  } catch (error) {
    throw new InvalidRecordError(
      `Failed to decompress gzipped CloudTrail content: ${(error as Error).message}.`,
    );
  }
}
