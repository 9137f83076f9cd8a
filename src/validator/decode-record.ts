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

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

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
  if (!BASE64_PATTERN.test(data)) {
    throw new InvalidRecordError('kinesis.data is not valid base64.');
  }
  try {
    return utf8Decoder.decode(Buffer.from(data, 'base64'));
  } catch {
    throw new InvalidRecordError('kinesis.data does not decode to valid UTF-8 text.');
  }
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
