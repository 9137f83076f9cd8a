import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { DecisionContext } from '../domain/classify';
import type { Decision } from '../domain/types';
import type { BatchSummary } from './batch-summary';
import { decodeKinesisRecord, type DecodedRecord } from './decode-record';
import { collectPrincipals, decideRecord, decideRecords, principalsNeedingGrants } from './decide-records';
import { deliverDecisions } from './deliver-decisions';
import type { GrantCache } from './grant-cache';
import {
  confirmGrants,
  prefetchGrants,
  type BatchGrants,
  type GrantLookupDependencies,
} from './grant-lookup';
import type { DecisionPublisher, TriageStarter } from './ports';
import { settleRecord } from './record-outcome';
import { summarizeBatch } from './summarize-batch';

/** Everything `validateBatch` needs; the Lambda handler and the `phi-guard replay` CLI build it differently. */
export interface ValidateBatchDependencies {
  readonly dynamoDb: DynamoDBClient;
  readonly grantsTableName: string;
  /** Shared across batches; in Lambda it lives as long as the execution environment. */
  readonly grantCache: GrantCache;
  /** Buckets that hold PHI; undefined means every bucket. */
  readonly monitoredBuckets?: ReadonlySet<string>;
  /** Undefined: decisions are only returned and logged. */
  readonly publisher?: DecisionPublisher;
  /** Undefined: no triage starts, and each batch with triage inputs logs a warning. */
  readonly triageStarter?: TriageStarter;
  readonly logger: Logger;
  /**
   * Principals whose every decision is logged at INFO with its principal key (other authorized decisions
   * are logged at DEBUG), so that the canary's log metric filters can count them.
   * @default - none
   */
  readonly loggedPrincipalKeys?: ReadonlySet<string>;
  /** Grant queries in flight at once. @default 8 */
  readonly grantLookupConcurrency?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

export interface ValidateBatchResult extends KinesisStreamBatchResponse {
  /** Every decision taken in the batch, in record order, including those of records reported as failures. */
  readonly decisions: readonly Decision[];
  readonly summary: BatchSummary;
}

/**
 * Validates one batch of Kinesis records that carry CloudTrail S3 data events.
 *
 * Decodes every record, looks up the grants of each distinct principal once (cache first), decides each
 * access, confirms violations with a consistent read, publishes the decisions and starts one triage per
 * principal with violations or break-glass accesses. Records with invalid content, and all records of a
 * principal whose grant lookup, publishing or triage failed, are returned as batch item failures.
 */
export async function validateBatch(
  event: KinesisStreamEvent,
  dependencies: ValidateBatchDependencies,
): Promise<ValidateBatchResult> {
  const clock = dependencies.clock ?? (() => new Date());
  const records = event.Records.map(decodeKinesisRecord);
  const principals = collectPrincipals(records);
  const lookup: GrantLookupDependencies = {
    table: { client: dependencies.dynamoDb, tableName: dependencies.grantsTableName },
    cache: dependencies.grantCache,
    concurrency: dependencies.grantLookupConcurrency,
  };

  const context: DecisionContext = {
    decidedAt: clock().toISOString(),
    monitoredBuckets: dependencies.monitoredBuckets,
  };
  const batchGrants = await prefetchGrants(lookup, principalsNeedingGrants(records, context));
  const decisionsByRecord = await decideWithConfirmedViolations(records, batchGrants, lookup, context);
  const decisions = decisionsByRecord.flat();

  const principalFailures = lookupFailureReasons(batchGrants, dependencies.logger);
  const delivery = await deliverDecisions(dependencies, decisions, principals, principalFailures);
  const { batchItemFailures } = await settleRecords(
    event,
    records,
    decisionsByRecord,
    principalFailures,
    dependencies,
  );

  const summary = summarizeBatch({
    records,
    decisions,
    batchGrants,
    delivery,
    failedRecords: batchItemFailures.length,
  });
  return { batchItemFailures, decisions, summary };
}

/**
 * Decides the batch. When a principal whose grants were looked up has a violation, re-reads its grants
 * consistently and decides again only the records that contain its accesses. Root, anonymous and
 * unresolved principals have no lookup to repeat, because no grant can cover them.
 */
async function decideWithConfirmedViolations(
  records: readonly DecodedRecord[],
  batchGrants: BatchGrants,
  lookup: GrantLookupDependencies,
  context: DecisionContext,
): Promise<Decision[][]> {
  const decisionsByRecord = decideRecords(records, batchGrants.grants, context);
  const violators = findUnconfirmedViolators(decisionsByRecord, batchGrants);
  if (violators.size === 0) {
    return decisionsByRecord;
  }

  await confirmGrants(lookup, batchGrants, violators);
  return decisionsByRecord.map((decisions, index) =>
    records[index].accesses.some((access) => violators.has(access.principal.key))
      ? decideRecord(records[index], batchGrants.grants, context)
      : decisions,
  );
}

/** Returns the principal keys with a violation whose grants came from the cache or an eventually consistent read. */
function findUnconfirmedViolators(
  decisionsByRecord: readonly Decision[][],
  batchGrants: BatchGrants,
): Set<string> {
  const violators = new Set<string>();
  for (const decisions of decisionsByRecord) {
    for (const { decision, principalKey } of decisions) {
      if (
        decision === 'violation' &&
        batchGrants.grants.has(principalKey) &&
        !batchGrants.consistent.has(principalKey)
      ) {
        violators.add(principalKey);
      }
    }
  }
  return violators;
}

function lookupFailureReasons(batchGrants: BatchGrants, logger: Logger): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const [principalKey, error] of batchGrants.failures) {
    logger.error('Grant lookup failed; no access of this principal is decided', { principalKey, error });
    reasons.set(principalKey, `grant lookup failed: ${error.message}`);
  }
  return reasons;
}

/** Runs the per-record step through the Powertools batch processor, sequentially so that log keys stay per record. */
async function settleRecords(
  event: KinesisStreamEvent,
  records: readonly DecodedRecord[],
  decisionsByRecord: readonly Decision[][],
  principalFailures: ReadonlyMap<string, string>,
  dependencies: ValidateBatchDependencies,
): Promise<KinesisStreamBatchResponse> {
  const indexBySequence = new Map(records.map((record, index) => [record.sequenceNumber, index]));
  const handleRecord = async (record: KinesisStreamRecord): Promise<void> => {
    const index = indexBySequence.get(record.kinesis.sequenceNumber) ?? -1;
    settleRecord(
      { decoded: records[index], decisions: decisionsByRecord[index] },
      principalFailures,
      dependencies.logger,
      dependencies.loggedPrincipalKeys,
    );
  };
  return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.KinesisDataStreams), {
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
}
