/**
 * Reads CloudTrail records out of the documents they arrive in: single records, EventBridge events,
 * CloudTrail log files (`{"Records": [...]}`, usually gzipped) and JSON lines exports.
 */
import { gunzipSync } from 'node:zlib';
import { InvalidRecordError } from './errors';
import { describeJsonValue, isJsonObject, type JsonObject } from './json-value';

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

/**
 * Parses the text of a CloudTrail document and extracts its records with `extractRecords`.
 *
 * The content may be gzipped (as CloudTrail delivers log files) or plain UTF-8, and may hold one JSON
 * value (object or array) or JSON lines (one JSON value per line). An empty document yields no records.
 *
 * @throws InvalidRecordError when the content cannot be decompressed or parsed.
 */
export function parseCloudTrailText(content: string | Uint8Array): unknown[] {
  const text = decodeContent(content)
    .replace(/^\uFEFF/, '')
    .trim();
  if (text === '') return [];

  const whole = tryParseJson(text);
  if (whole.ok) return extractRecords(whole.value);

  return parseJsonLines(text, whole.message).flatMap((value) => extractRecords(value));
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

type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string };

function tryParseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function parseJsonLines(text: string, wholeDocumentError: string): unknown[] {
  const lines = text.split(/\r?\n/);

  // A document whose first line is not complete JSON is a broken JSON document rather than JSON lines,
  // so the error of the whole-document parse is the useful one.
  if (!tryParseJson(lines[0]).ok) {
    throw new InvalidRecordError(
      `CloudTrail content is not valid JSON or JSON lines: ${wholeDocumentError}.`,
    );
  }

  return lines.flatMap((line, index) => parseJsonLine(line, index + 1));
}

function parseJsonLine(line: string, lineNumber: number): unknown[] {
  if (line.trim() === '') return [];

  const parsed = tryParseJson(line);
  if (!parsed.ok) {
    throw new InvalidRecordError(
      `JSON lines content has invalid JSON on line ${lineNumber}: ${parsed.message}.`,
    );
  }

  return [parsed.value];
}
