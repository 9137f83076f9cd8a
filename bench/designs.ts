/**
 * The two designs the benchmark compares. `phi-guard` is `validateBatch`, the core of the validator Lambda.
 * The baseline is the straightforward code: for each record in turn, a GetItem and a Query to the grants
 * table, then the same decision rules.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamEvent } from 'aws-lambda';
import { decideAccess, type DecisionContext } from '../src/domain/classify';
import type { Decision, TriageInput } from '../src/domain/types';
import { queryGrantsOfPrincipal } from '../src/grants/grant-repository';
import { GRANTS_PARTITION_KEY, GRANTS_SORT_KEY } from '../src/grants/table-definition';
import { decodeKinesisRecord } from '../src/validator/decode-record';
import type { GrantCache } from '../src/validator/grant-cache';
import type { DecisionPublisher, TriageStartOutcome, TriageStarter } from '../src/validator/ports';
import { validateBatch } from '../src/validator/validate-batch';
import { PHI_BUCKETS } from './population';

export const GRANTS_TABLE = 'bench-grants';
export const MONITORED_BUCKETS: ReadonlySet<string> = new Set(PHI_BUCKETS);

/** Processing time of every decision; a fixed value keeps runs comparable. */
const DECIDED_AT = '2025-03-01T11:00:00.000Z';

/** Outcome of one batch: the decisions by type, for checking that both designs agree. */
export interface BatchOutcome {
  readonly decisions: number;
  readonly violations: number;
  readonly failedRecords: number;
}

/**
 * A Powertools logger at INFO, the validator's level in Lambda, that formats every line as the Lambda
 * would and then drops it, so the benchmark counts log formatting but no terminal output.
 */
export class DiscardingLogger extends Logger {
  bytes = 0;

  constructor() {
    super({ serviceName: 'phi-guard-bench', logLevel: 'INFO' });
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.bytes += JSON.stringify(log.getAttributes(), this.getJsonReplacer()).length;
  }
}

/** Serializes decisions as the Firehose publisher would before sending them, and drops them. */
class SerializingPublisher implements DecisionPublisher {
  bytes = 0;

  async publish(decisions: readonly Decision[]): Promise<void> {
    for (const decision of decisions) {
      this.bytes += JSON.stringify(decision).length + 1;
    }
  }
}

/** Serializes each triage input as StartExecution input, and reports it started. */
class SerializingTriageStarter implements TriageStarter {
  bytes = 0;

  async start(inputs: readonly TriageInput[]): Promise<TriageStartOutcome[]> {
    return inputs.map((input) => {
      this.bytes += JSON.stringify(input).length;
      return { principalKey: input.principal.key, status: 'started', executionArns: [] };
    });
  }
}

export interface ValidatorDesign {
  run(event: KinesisStreamEvent): Promise<BatchOutcome>;
}

/** Creates the phi-guard design with its own grant cache, as one Lambda execution environment holds one. */
export function createValidatorDesign(dynamoDb: DynamoDBClient, grantCache: GrantCache): ValidatorDesign {
  const logger = new DiscardingLogger();
  const publisher = new SerializingPublisher();
  const triageStarter = new SerializingTriageStarter();
  return {
    run: async (event) => {
      const result = await validateBatch(event, {
        dynamoDb,
        grantsTableName: GRANTS_TABLE,
        grantCache,
        monitoredBuckets: MONITORED_BUCKETS,
        publisher,
        triageStarter,
        logger,
        clock: () => new Date(DECIDED_AT),
      });
      return {
        decisions: result.decisions.length,
        violations: result.decisions.filter((decision) => decision.decision === 'violation').length,
        failedRecords: result.batchItemFailures.length,
      };
    },
  };
}

/**
 * Creates the baseline: each record is decoded, then its principal's whole-bucket grant is read by key
 * (GetItem) and all its grants are listed (Query), one record after another, with no cache.
 */
export function createBaselineDesign(dynamoDb: DynamoDBClient): ValidatorDesign {
  const table = { client: dynamoDb, tableName: GRANTS_TABLE };
  const context: DecisionContext = { decidedAt: DECIDED_AT, monitoredBuckets: MONITORED_BUCKETS };
  return {
    run: async (event) => {
      let decisions = 0;
      let violations = 0;
      let failedRecords = 0;
      for (const record of event.Records) {
        const decoded = decodeKinesisRecord(record);
        failedRecords += decoded.invalid.length > 0 ? 1 : 0;
        const first = decoded.accesses[0];
        if (first === undefined) {
          continue;
        }
        await dynamoDb.send(
          new GetItemCommand({
            TableName: GRANTS_TABLE,
            Key: {
              [GRANTS_PARTITION_KEY]: { S: first.principal.key },
              [GRANTS_SORT_KEY]: { S: `${first.bucket}/*` },
            },
          }),
        );
        const grants = await queryGrantsOfPrincipal(table, first.principal.key, false);
        for (const access of decoded.accesses) {
          const decision = decideAccess(access, grants, context);
          decisions += 1;
          violations += decision.decision === 'violation' ? 1 : 0;
        }
      }
      return { decisions, violations, failedRecords };
    },
  };
}
