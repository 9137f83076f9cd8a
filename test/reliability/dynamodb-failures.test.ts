/**
 * The validator Lambda handler while DynamoDB throttles, stalls or stops in the middle of a batch.
 * dynalite cannot throttle or stall, so a proxy on 127.0.0.1 in front of it does (see
 * `dynamodb-fault-proxy.ts`). Whatever fails, no access is decided `authorized` without a successful
 * grant Query of its principal, and no `violation` without a successful consistent Query. The root user's
 * violations are the exception, because no grant can cover the root user and so it sends no Query. Every
 * record of a principal whose lookup failed is reported for retry.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord } from 'aws-lambda';
import {
  LOCAL_CREDENTIALS,
  createLocalDynamoDbClient,
  startLocalDynamoDb,
  type LocalDynamoDb,
} from '../../src/local/local-dynamodb';
import {
  startDynamoDbFaultProxy,
  type DynamoDbFaultProxy,
  type FaultAction,
  type FaultPlan,
} from './support/dynamodb-fault-proxy';
import {
  CLERK_KEY,
  CLINICIAN_KEY,
  INTRUDER_KEY,
  LOOKUP_KEYS,
  ROOT_KEY,
  mixedBatch,
  stableView,
} from './support/mixed-batch';
import {
  createGrants,
  createValidatorHarness,
  reliabilityGrants,
  type RunResult,
} from './support/validator-harness';

let local: LocalDynamoDb;
let proxy: DynamoDbFaultProxy | undefined;

beforeAll(async () => {
  local = await startLocalDynamoDb();
  await createGrants(local.client, reliabilityGrants());
});

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

afterAll(async () => {
  await local.stop();
});

const FORWARD: FaultAction = { kind: 'forward' };

interface FailureCase {
  readonly name: string;
  readonly plan: FaultPlan;
  /** Principal keys whose records must fail; undefined when the set depends on request timing. */
  readonly failedPrincipals?: readonly string[];
  /** SDK attempts per request. @default 1 */
  readonly maxAttempts?: number;
  /** Client request timeout in milliseconds. @default 5000 */
  readonly requestTimeoutMs?: number;
}

const FAILURE_CASES: readonly FailureCase[] = [
  {
    name: 'every Query throttled (provisioned)',
    plan: () => ({ kind: 'error', errorType: 'ProvisionedThroughputExceededException' }),
    failedPrincipals: LOOKUP_KEYS,
  },
  {
    name: 'every Query throttled (on-demand)',
    plan: () => ({ kind: 'error', errorType: 'ThrottlingException' }),
    failedPrincipals: LOOKUP_KEYS,
  },
  {
    name: 'consistent re-reads throttled',
    plan: (request) =>
      request.consistentRead ? { kind: 'error', errorType: 'ThrottlingException' } : FORWARD,
    failedPrincipals: [CLINICIAN_KEY, INTRUDER_KEY],
  },
  {
    name: 'throttled after two Queries',
    plan: (_request, index) => (index < 2 ? FORWARD : { kind: 'error', errorType: 'ThrottlingException' }),
  },
  {
    name: 'connections dropped after two Queries',
    plan: (_request, index) => (index < 2 ? FORWARD : { kind: 'drop' }),
  },
  {
    name: 'responses slower than timeout',
    plan: () => ({ kind: 'delay', ms: 1500 }),
    failedPrincipals: LOOKUP_KEYS,
    requestTimeoutMs: 300,
  },
  { name: 'responses slow within timeout', plan: () => ({ kind: 'delay', ms: 150 }), failedPrincipals: [] },
  {
    name: 'first Query throttled, SDK retries',
    plan: (_request, index) => (index === 0 ? { kind: 'error', errorType: 'ThrottlingException' } : FORWARD),
    failedPrincipals: [],
    maxAttempts: 3,
  },
];

function clientFor(
  endpoint: string,
  testCase: Pick<FailureCase, 'maxAttempts' | 'requestTimeoutMs'>,
): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: testCase.maxAttempts ?? 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1000,
      requestTimeout: testCase.requestTimeoutMs ?? 5000,
      // As in the validator's Lambda entry: without it the handler only warns when the timeout passes.
      throwOnRequestTimeout: true,
    }),
  });
}

function principalOf(record: KinesisStreamRecord, result: RunResult): string | undefined {
  return result.decisions.find((decision) => decision.eventId === eventIdOf(record))?.principalKey;
}

function eventIdOf(record: KinesisStreamRecord): string {
  const document = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as {
    detail: { eventID: string };
  };
  return document.detail.eventID;
}

/** Principal keys named by the handler's `Grant lookup failed` log lines. */
function failedLookupKeys(harness: ReturnType<typeof createValidatorHarness>): Set<string> {
  return new Set(
    harness.logger
      .withMessage('Grant lookup failed; no access of this principal is decided')
      .map((line) => String(line.principalKey)),
  );
}

function expectNoDecisionWithoutLookup(result: RunResult, answered: DynamoDbFaultProxy): void {
  const anyRead = answered.answeredKeys();
  const consistentRead = answered.answeredKeys(true);
  for (const decision of result.decisions) {
    if (decision.decision === 'authorized' || decision.decision === 'break-glass') {
      expect(anyRead).toContain(decision.principalKey);
    }
    if (decision.decision === 'violation' && decision.principalKey === ROOT_KEY) {
      expect(anyRead).not.toContain(ROOT_KEY);
    } else if (decision.decision === 'violation') {
      expect(consistentRead).toContain(decision.principalKey);
    }
  }
}

/** Every record of a failed principal is reported, and every record is either reported or decided. */
function expectFailedPrincipalsRetried(
  records: readonly KinesisStreamRecord[],
  result: RunResult,
  failedKeys: ReadonlySet<string>,
  keyByEventId: ReadonlyMap<string, string>,
): void {
  for (const record of records) {
    const principalKey = keyByEventId.get(eventIdOf(record)) ?? '';
    const failed = result.failedSequenceNumbers.has(record.kinesis.sequenceNumber);
    expect({ principalKey, failed }).toEqual({ principalKey, failed: failedKeys.has(principalKey) });
    if (!failed) {
      expect(principalOf(record, result)).toBe(principalKey);
    }
  }
}

describe('validator with DynamoDB failures', () => {
  it.each(FAILURE_CASES.map((testCase): [string, FailureCase] => [testCase.name, testCase]))(
    'retries records when %s',
    async (_name, testCase) => {
      let healthy = false;
      proxy = await startDynamoDbFaultProxy(local.endpoint, (request, index) =>
        healthy ? FORWARD : testCase.plan(request, index),
      );
      const records = mixedBatch();
      const reference = await createValidatorHarness({ dynamoDb: local.client }).run(records);
      const keyByEventId = new Map(
        reference.decisions.map((decision) => [decision.eventId, decision.principalKey]),
      );
      const harness = createValidatorHarness({ dynamoDb: clientFor(proxy.endpoint, testCase) });

      const result = await harness.run(records);

      const failedKeys = failedLookupKeys(harness);
      if (testCase.failedPrincipals !== undefined) {
        expect([...failedKeys].sort()).toEqual([...testCase.failedPrincipals].sort());
      }
      expectNoDecisionWithoutLookup(result, proxy);
      expectFailedPrincipalsRetried(records, result, failedKeys, keyByEventId);

      healthy = true;
      const retried = records.filter((record) =>
        result.failedSequenceNumbers.has(record.kinesis.sequenceNumber),
      );
      const retry = await harness.run(retried);
      expect(retry.response.batchItemFailures).toEqual([]);
      const merged = new Map(
        [...result.decisions, ...retry.decisions].map((decision) => [
          decision.decisionId,
          stableView(decision),
        ]),
      );
      expect(new Set(merged.values())).toEqual(new Set(reference.decisions.map(stableView)));
    },
  );

  it('stopped dynalite fails lookups only', async () => {
    const stopped = await startLocalDynamoDb();
    await createGrants(stopped.client, reliabilityGrants());
    const client = createLocalDynamoDbClient(stopped.endpoint);
    await stopped.stop();
    const harness = createValidatorHarness({ dynamoDb: client });
    const records = mixedBatch();

    const result = await harness.run(records);

    expect([...failedLookupKeys(harness)].sort()).toEqual([...LOOKUP_KEYS].sort());
    expect(result.decisions.map((decision) => decision.decision).sort()).toEqual([
      'denied',
      'out-of-scope',
      'service',
      'violation',
    ]);
    expect(result.decisions.find((decision) => decision.decision === 'violation')?.principalKey).toBe(
      ROOT_KEY,
    );
    // The out-of-scope record belongs to the intruder, whose lookup failed, so it is retried with the others.
    expect(result.response.batchItemFailures).toHaveLength(records.length - 3);
  });

  it('cached grants survive DynamoDB outage', async () => {
    let stopped = false;
    proxy = await startDynamoDbFaultProxy(local.endpoint, () => (stopped ? { kind: 'drop' } : FORWARD));
    const harness = createValidatorHarness({ dynamoDb: clientFor(proxy.endpoint, {}) });
    await harness.run(mixedBatch());
    stopped = true;
    const records = mixedBatch();

    const result = await harness.run(records);

    const authorized = result.decisions.filter((decision) => decision.decision === 'authorized');
    // The clinician's PutObject is a violation, so its failed re-read withholds its cached grants as well.
    expect(new Set(authorized.map((decision) => decision.principalKey))).toEqual(new Set([CLERK_KEY]));
    // Only the root user's violation needs no grant, so only it is decided without a consistent read.
    const violations = result.decisions.filter((decision) => decision.decision === 'violation');
    expect(violations.map((decision) => decision.principalKey)).toEqual([ROOT_KEY]);
    // Violations need a consistent read, which fails, so those principals are retried.
    expect([...failedLookupKeys(harness)].sort()).toEqual([CLINICIAN_KEY, INTRUDER_KEY].sort());
    expect(result.response.batchItemFailures.length).toBe(7);
  });
});
