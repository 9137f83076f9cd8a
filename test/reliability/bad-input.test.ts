/**
 * Malformed and unusual records sent as Kinesis events through the validator Lambda handler, against a
 * grants table in dynalite on 127.0.0.1. No record may crash the handler: each is decided, skipped, or
 * logged as invalid and reported as a batch item failure (the event source mapping then sends it to its
 * on-failure queue after its retries, which the detection template tests check).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { RECORD_CASES, type RecordCase } from './support/record-cases';
import {
  countOutcomes,
  createGrants,
  createValidatorHarness,
  reliabilityGrants,
} from './support/validator-harness';

let local: LocalDynamoDb;

beforeAll(async () => {
  local = await startLocalDynamoDb();
  await createGrants(local.client, reliabilityGrants());
});

afterAll(async () => {
  await local.stop();
});

function linesOf(harness: ReturnType<typeof createValidatorHarness>, record: KinesisStreamRecord): string[] {
  return harness.logger.lines
    .filter((line) => line.sequenceNumber === record.kinesis.sequenceNumber)
    .map((line) => line.message);
}

function expectedDecisions(testCase: RecordCase): number {
  return testCase.decisions ?? (testCase.expected === 'decided' ? 1 : 0);
}

describe('validator with malformed records', () => {
  it('covers at least fifty cases', () => {
    expect(RECORD_CASES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(RECORD_CASES.map((testCase) => testCase.name)).size).toBe(RECORD_CASES.length);
  });

  it.each(RECORD_CASES.map((testCase): [string, RecordCase] => [testCase.name, testCase]))(
    'handles %s',
    async (_name, testCase) => {
      const harness = createValidatorHarness({ dynamoDb: local.client });
      const record = testCase.build();

      const result = await harness.run([record]);

      expect(result.outcomes.get(record.kinesis.sequenceNumber)).toBe(testCase.expected);
      const messages = linesOf(harness, record);
      if (testCase.expected === 'rejected') {
        expect(messages).toContain('Invalid record');
        expect(messages).toContain('Record reported as a batch item failure');
        expect(result.summary.invalidRecords).toBeGreaterThanOrEqual(1);
        if (testCase.reason !== undefined) {
          const reasons = harness.logger.withMessage('Invalid record').map((line) => String(line.reason));
          expect(reasons.some((reason) => testCase.reason?.test(reason))).toBe(true);
        }
      } else {
        expect(result.response.batchItemFailures).toEqual([]);
        expect(messages).not.toContain('Invalid record');
      }
      expect(result.decisions).toHaveLength(expectedDecisions(testCase));
      if (testCase.expected === 'skipped') {
        expect(result.summary.skippedRecords).toBe(1);
      }
    },
  );

  it('one batch of every case', async () => {
    const harness = createValidatorHarness({ dynamoDb: local.client });
    const records = RECORD_CASES.map((testCase) => testCase.build());

    const result = await harness.run(records);

    const counts = countOutcomes(result.outcomes);
    const expected = countOutcomes(
      new Map(RECORD_CASES.map((testCase, index) => [String(index), testCase.expected])),
    );
    expect(counts).toEqual(expected);
    expect(counts.decided + counts.skipped + counts.rejected).toBe(records.length);
    expect(result.summary.recordsReceived).toBe(records.length);
    expect(result.summary.failedRecords).toBe(counts.rejected);
    expect(result.summary.skippedRecords).toBe(counts.skipped);
    expect(result.response.batchItemFailures).toHaveLength(counts.rejected);
    const decisions = RECORD_CASES.reduce((total, testCase) => total + expectedDecisions(testCase), 0);
    expect(result.decisions).toHaveLength(decisions);
  });

  it('leaves Object.prototype untouched', async () => {
    const harness = createValidatorHarness({ dynamoDb: local.client });
    const record = RECORD_CASES.find((testCase) => testCase.name === 'JSON with __proto__ key')?.build();
    if (record === undefined) {
      throw new Error('The __proto__ case is missing from the case table.');
    }

    await harness.run([record]);

    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
