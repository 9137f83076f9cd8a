import type { Logger } from '@aws-lambda-powertools/logger';
import type { Decision } from '../domain/types';
import type { DecodedRecord } from './decode-record';

/** A Kinesis record that is reported as a batch item failure, with the reasons in the message. */
export class RecordFailedError extends Error {
  constructor(
    readonly sequenceNumber: string,
    readonly reasons: readonly string[],
  ) {
    super(`Record ${sequenceNumber} failed: ${reasons.join('; ')}`);
    this.name = 'RecordFailedError';
  }
}

/** Input of the per-record step: one decoded Kinesis record and its decisions. */
export interface RecordOutcome {
  readonly decoded: DecodedRecord;
  readonly decisions: readonly Decision[];
}

/** Keys appended to every log line of one record and removed afterwards. */
const RECORD_LOG_KEYS = ['sequenceNumber', 'eventId', 'principalKey'];

/**
 * Logs one record's outcome and throws `RecordFailedError` when the record must be retried (and, after
 * the retries, sent to the on-failure destination): invalid content, or a principal whose grants,
 * publishing or triage failed.
 * @param principalFailures reason per principal key that failed anywhere in the batch.
 */
export function settleRecord(
  outcome: RecordOutcome,
  principalFailures: ReadonlyMap<string, string>,
  logger: Logger,
  loggedPrincipalKeys: ReadonlySet<string> = new Set(),
): void {
  logger.appendKeys(recordLogKeys(outcome.decoded));
  try {
    logContent(outcome, logger, loggedPrincipalKeys);
    const reasons = failureReasons(outcome.decoded, principalFailures);
    if (reasons.length > 0) {
      logger.error('Record reported as a batch item failure', { reasons });
      throw new RecordFailedError(outcome.decoded.sequenceNumber, reasons);
    }
  } finally {
    logger.removeKeys(RECORD_LOG_KEYS);
  }
}

/** Returns the per-record log keys. The event id and principal key are included only when the record contains exactly one of each. */
function recordLogKeys(decoded: DecodedRecord): Record<string, string> {
  const keys: Record<string, string> = { sequenceNumber: decoded.sequenceNumber };
  const eventIds = new Set(decoded.accesses.map((access) => access.eventId));
  const principalKeys = new Set(decoded.accesses.map((access) => access.principal.key));
  if (eventIds.size === 1) {
    keys.eventId = [...eventIds][0];
  }
  if (principalKeys.size === 1) {
    keys.principalKey = [...principalKeys][0];
  }
  return keys;
}

function failureReasons(decoded: DecodedRecord, principalFailures: ReadonlyMap<string, string>): string[] {
  const reasons = decoded.invalid.map((content) => `invalid content: ${content.reason}`);
  const principalKeys = new Set(decoded.accesses.map((access) => access.principal.key));
  for (const key of principalKeys) {
    const reason = principalFailures.get(key);
    if (reason !== undefined) {
      reasons.push(`principal ${key}: ${reason}`);
    }
  }
  return reasons;
}

/** Object keys appear only in violation log lines; other lines carry ids and the decision type. */
function logContent(outcome: RecordOutcome, logger: Logger, loggedPrincipalKeys: ReadonlySet<string>): void {
  for (const content of outcome.decoded.invalid) {
    logger.warn('Invalid record', { eventId: content.eventId, reason: content.reason });
  }
  for (const content of outcome.decoded.skipped) {
    logger.info('Skipped record', {
      eventId: content.eventId,
      eventName: content.eventName,
      skipReason: content.reason,
      detail: content.detail,
    });
  }
  for (const decision of outcome.decisions) {
    logDecision(decision, logger, loggedPrincipalKeys);
  }
}

function logDecision(decision: Decision, logger: Logger, loggedPrincipalKeys: ReadonlySet<string>): void {
  const ids = { decisionId: decision.decisionId, decision: decision.decision, grantId: decision.grantId };
  if (decision.decision === 'violation') {
    logger.warn('Violation', {
      ...ids,
      principalKey: decision.principalKey,
      eventName: decision.eventName,
      bucket: decision.bucket,
      objectKey: decision.key,
      reason: decision.reason,
    });
  } else if (decision.decision === 'break-glass') {
    logger.warn('Break-glass access', { ...ids, bucket: decision.bucket, reason: decision.reason });
  } else if (loggedPrincipalKeys.has(decision.principalKey)) {
    logger.info('Decision', { ...ids, principalKey: decision.principalKey, bucket: decision.bucket });
  } else {
    logger.debug('Decision', { ...ids, bucket: decision.bucket });
  }
}
