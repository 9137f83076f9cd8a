import type { KinesisStreamRecord } from 'aws-lambda';
import { extractRecords } from '../domain/cloudtrail-input';
import { InvalidRecordError } from '../domain/errors';
import { parseRecord } from '../domain/parse';
import type { ObjectAccess, SkipReason } from '../domain/types';

/** A CloudTrail record (or the whole Kinesis record) that cannot be decided, with the reason. */
export interface InvalidContent {
  readonly reason: string;
  readonly eventId?: string;
}

/** A valid CloudTrail record that contains nothing to decide. */
export interface SkippedContent {
  readonly reason: SkipReason;
  readonly detail: string;
  readonly eventId?: string;
  readonly eventName?: string;
}

/** Content of one Kinesis record after decoding. It is usually one CloudTrail record, so only one of the lists has items. */
export interface DecodedRecord {
  readonly sequenceNumber: string;
  readonly accesses: readonly ObjectAccess[];
  readonly skipped: readonly SkippedContent[];
  readonly invalid: readonly InvalidContent[];
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one Kinesis record: base64 `kinesis.data` -> UTF-8 -> JSON -> CloudTrail records -> accesses.
 * Invalid content does not throw: it is returned in `invalid`, so the caller can log and report it while
 * deciding the valid CloudTrail records of the same Kinesis record.
 */
export function decodeKinesisRecord(record: KinesisStreamRecord): DecodedRecord {
  const sequenceNumber = record.kinesis.sequenceNumber;
  let rawRecords: unknown[];
  try {
    rawRecords = extractRecords(JSON.parse(decodeData(record.kinesis.data)));
  } catch (error) {
    return { sequenceNumber, accesses: [], skipped: [], invalid: [{ reason: describeError(error) }] };
  }

  const accesses: ObjectAccess[] = [];
  const skipped: SkippedContent[] = [];
  const invalid: InvalidContent[] = [];
  for (const raw of rawRecords) {
    try {
      const parsed = parseRecord(raw);
      if (parsed.status === 'accesses') {
        accesses.push(...parsed.accesses);
      } else {
        skipped.push({
          reason: parsed.reason,
          detail: parsed.detail,
          eventId: parsed.eventId,
          eventName: parsed.eventName,
        });
      }
    } catch (error) {
      invalid.push({
        reason: describeError(error),
        eventId: error instanceof InvalidRecordError ? error.eventId : undefined,
      });
    }
  }
  if (rawRecords.length === 0) {
    invalid.push({ reason: 'The document holds no CloudTrail records.' });
  }
  return { sequenceNumber, accesses, skipped, invalid };
}

function decodeData(data: string): string {
  const bytes = decodeBase64(data);
  if (bytes === undefined) {
    throw new InvalidRecordError('kinesis.data is not valid base64.');
  }
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new InvalidRecordError('kinesis.data does not decode to valid UTF-8 text.');
  }
}

/**
 * Decodes standard padded base64, or returns undefined when `data` is not base64. `Buffer.from` skips
 * characters outside the alphabet and accepts the URL-safe one, so any such character makes the decoded
 * length fall short of the length the text implies. This check replaced a regular expression over the
 * whole text, which cost about as much CPU as `JSON.parse` of the decoded record.
 */
function decodeBase64(data: string): Buffer | undefined {
  if (data.length % 4 !== 0 || data.includes('-') || data.includes('_')) {
    return undefined;
  }
  const bytes = Buffer.from(data, 'base64');
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return bytes.length === (data.length / 4) * 3 - padding ? bytes : undefined;
}

function describeError(error: unknown): string {
  if (error instanceof SyntaxError) {
    return `kinesis.data is not valid JSON: ${error.message}`;
  }
  if (error instanceof InvalidRecordError) {
    return error.message;
  }
  // The parser throws only InvalidRecordError for bad input, so anything else is a parser defect. It is
  // reported with this record alone instead of failing the whole batch.
  return `Unexpected parser error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}
