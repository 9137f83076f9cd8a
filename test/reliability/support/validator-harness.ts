/**
 * Runs Kinesis events through the validator Lambda handler (`createValidatorHandler`) with recording
 * ports, and sorts every Kinesis record of a run into decided, skipped or rejected from the handler's
 * response and its per-record log lines.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import type { Decision, Grant } from '../../../src/domain/types';
import { putGrants } from '../../../src/grants/grant-repository';
import { createGrantsTable } from '../../../src/grants/table-definition';
import { createValidatorHandler } from '../../../src/validator/handler';
import type { TriageStarter } from '../../../src/validator/ports';
import { PHI_BUCKET, kinesisEvent, makeGrant } from '../../validator/support/fixtures';
import {
  RecordingLogger,
  RecordingPublisher,
  RecordingTriageStarter,
  lambdaContext,
  type LogLine,
} from '../../validator/support/recording';

// The handler's EMF output would flood the test log; counts are read from its summary log line instead.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export const GRANTS_TABLE = 'reliability-grants';

/** The events of the reliability fixtures happen on 2025-03-01 between 10:00 and 10:01 UTC. */
export const NOW = new Date('2025-03-01T10:05:00Z');

/** Outcome of one Kinesis record: decided (at least one decision), skipped (nothing to decide) or rejected. */
export type RecordOutcome = 'decided' | 'skipped' | 'rejected';

export interface ValidatorHarnessOptions {
  readonly dynamoDb: DynamoDBClient;
  /** @default a RecordingTriageStarter */
  readonly triageStarter?: TriageStarter;
  /** @default 60 */
  readonly grantCacheTtlSeconds?: number;
}

export interface RunResult {
  readonly response: KinesisStreamBatchResponse;
  readonly failedSequenceNumbers: ReadonlySet<string>;
  /** Outcome per sequence number, for every record of the event. */
  readonly outcomes: ReadonlyMap<string, RecordOutcome>;
  /** The handler's `Batch validated` log line. */
  readonly summary: LogLine;
  /** Decisions published during this run. */
  readonly decisions: readonly Decision[];
}

export interface ValidatorHarness {
  readonly logger: RecordingLogger;
  readonly publisher: RecordingPublisher;
  readonly triageStarter: TriageStarter;
  run(records: readonly KinesisStreamRecord[]): Promise<RunResult>;
}

/** Creates the grants table and writes `grants` into it. */
export async function createGrants(client: DynamoDBClient, grants: readonly Grant[]): Promise<void> {
  await createGrantsTable(client, GRANTS_TABLE);
  await putGrants({ client, tableName: GRANTS_TABLE }, grants);
}

/** Grants of the principals that the reliability fixtures treat as authorized. */
export function reliabilityGrants(): Grant[] {
  return [
    makeGrant({ grantId: 'g-clinician', principalKey: 'arn:aws:iam::111122223333:role/clinician' }),
    makeGrant({
      grantId: 'g-records-clerk',
      principalKey: 'arn:aws:iam::111122223333:user/records-clerk',
      actions: ['read', 'write', 'delete', 'list'],
    }),
  ];
}

export function createValidatorHarness(options: ValidatorHarnessOptions): ValidatorHarness {
  const logger = new RecordingLogger();
  const publisher = new RecordingPublisher();
  const triageStarter = options.triageStarter ?? new RecordingTriageStarter();
  const handler = createValidatorHandler({
    dynamoDb: options.dynamoDb,
    grantsTableName: GRANTS_TABLE,
    monitoredBuckets: new Set([PHI_BUCKET]),
    grantCacheTtlSeconds: options.grantCacheTtlSeconds ?? 60,
    publisher,
    triageStarter,
    logger,
    metrics: new Metrics({ namespace: 'PhiGuardReliability', serviceName: 'validator-reliability', logger }),
    clock: () => NOW,
  });

  const run = async (records: readonly KinesisStreamRecord[]): Promise<RunResult> => {
    const firstLine = logger.lines.length;
    const firstDecision = publisher.published.length;
    const response = await handler(kinesisEvent(records), lambdaContext());
    const lines = logger.lines.slice(firstLine);
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const summaries = lines.filter((line) => line.message === 'Batch validated');
    if (summaries.length !== 1) {
      throw new Error(`Expected one 'Batch validated' log line, found ${summaries.length}.`);
    }
    return {
      response,
      failedSequenceNumbers: failed,
      outcomes: classifyRecords(records, lines, failed),
      summary: summaries[0],
      decisions: publisher.published.slice(firstDecision),
    };
  };

  return { logger, publisher, triageStarter, run };
}

const DECISION_MESSAGES = new Set(['Decision', 'Violation', 'Break-glass access']);

function classifyRecords(
  records: readonly KinesisStreamRecord[],
  lines: readonly LogLine[],
  failed: ReadonlySet<string>,
): Map<string, RecordOutcome> {
  const messages = new Map<string, Set<string>>();
  for (const line of lines) {
    const sequenceNumber = line.sequenceNumber;
    if (typeof sequenceNumber === 'string') {
      const set = messages.get(sequenceNumber) ?? new Set<string>();
      set.add(line.message);
      messages.set(sequenceNumber, set);
    }
  }

  const outcomes = new Map<string, RecordOutcome>();
  for (const record of records) {
    const sequenceNumber = record.kinesis.sequenceNumber;
    const logged = messages.get(sequenceNumber) ?? new Set<string>();
    if (failed.has(sequenceNumber)) {
      outcomes.set(sequenceNumber, 'rejected');
    } else if ([...logged].some((message) => DECISION_MESSAGES.has(message))) {
      outcomes.set(sequenceNumber, 'decided');
    } else if (logged.has('Skipped record')) {
      outcomes.set(sequenceNumber, 'skipped');
    } else {
      throw new Error(`Record ${sequenceNumber} was neither decided, skipped nor reported as a failure.`);
    }
  }
  return outcomes;
}

/** Counts outcomes by kind. */
export function countOutcomes(outcomes: ReadonlyMap<string, RecordOutcome>): Record<RecordOutcome, number> {
  const counts: Record<RecordOutcome, number> = { decided: 0, skipped: 0, rejected: 0 };
  for (const outcome of outcomes.values()) {
    counts[outcome] += 1;
  }
  return counts;
}
