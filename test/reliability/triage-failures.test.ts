/**
 * The validator Lambda handler while Step Functions fails to start triage. Step Functions has no local
 * server here, so an HTTP server on 127.0.0.1 responds to StartExecution in its JSON protocol. Decisions
 * are still taken after a grant lookup. The records of each principal whose triage did not start are
 * reported for retry, and the retry starts that triage once.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { TriageInput } from '../../src/domain/types';
import { LOCAL_CREDENTIALS, startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import type { TriageStartOutcome, TriageStarter } from '../../src/validator/ports';
import { StepFunctionsTriageStarter } from '../../src/validator/sfn-triage-starter';
import {
  startRecordingHttpServer,
  type RecordedRequest,
  type RecordingHttpServer,
  type ScriptedResponse,
} from '../validator/support/recording-http-server';
import {
  CLERK_KEY,
  CLINICIAN_KEY,
  INTRUDER_KEY,
  ROOT_KEY,
  mixedBatch,
  stableView,
} from './support/mixed-batch';
import { createGrants, createValidatorHarness, reliabilityGrants } from './support/validator-harness';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:phi-guard-triage';
const VIOLATORS = [CLINICIAN_KEY, INTRUDER_KEY, ROOT_KEY];

let local: LocalDynamoDb;
let server: RecordingHttpServer | undefined;

beforeAll(async () => {
  local = await startLocalDynamoDb();
  await createGrants(local.client, reliabilityGrants());
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

afterAll(async () => {
  await local.stop();
});

function principalKeyOf(request: RecordedRequest): string {
  const input = JSON.parse(String(request.body.input)) as TriageInput;
  return input.principal.key;
}

const started = (request: RecordedRequest, index: number): ScriptedResponse => ({
  body: {
    executionArn: `arn:aws:states:us-east-1:111122223333:express:phi-guard-triage:${index}-${principalKeyOf(request).length}`,
    startDate: 1740823205.5,
  },
});

const serviceFault: ScriptedResponse = {
  status: 500,
  body: { __type: 'com.amazonaws.swf.service.v2.model#InternalFailure', message: 'Internal failure.' },
};

function starterFor(endpoint: string): StepFunctionsTriageStarter {
  const client = new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1000,
      requestTimeout: 5000,
      throwOnRequestTimeout: true,
    }),
  });
  return new StepFunctionsTriageStarter({ client, stateMachineArn: STATE_MACHINE_ARN });
}

interface TriageFailureCase {
  readonly name: string;
  readonly failingPrincipals: readonly string[];
}

const CASES: readonly TriageFailureCase[] = [
  { name: 'every start answered 500', failingPrincipals: VIOLATORS },
  { name: 'one principal answered 500', failingPrincipals: [INTRUDER_KEY] },
];

describe('validator with triage start failures', () => {
  it.each(CASES.map((testCase): [string, TriageFailureCase] => [testCase.name, testCase]))(
    'retries violators when %s',
    async (_name, testCase) => {
      let healthy = false;
      server = await startRecordingHttpServer((request, index) =>
        !healthy && testCase.failingPrincipals.includes(principalKeyOf(request))
          ? serviceFault
          : started(request, index),
      );
      const harness = createValidatorHarness({
        dynamoDb: local.client,
        triageStarter: starterFor(server.endpoint),
      });
      const records = mixedBatch();

      const result = await harness.run(records);

      const failedKeys = new Set(
        harness.logger.withMessage('Failed to start triage').map((line) => String(line.principalKey)),
      );
      expect([...failedKeys].sort()).toEqual([...testCase.failingPrincipals].sort());
      const violations = result.decisions.filter((decision) => decision.decision === 'violation');
      expect(new Set(violations.map((decision) => decision.principalKey))).toEqual(new Set(VIOLATORS));
      const failedByKey = result.decisions.filter((decision) => failedKeys.has(decision.principalKey));
      const failedEventIds = new Set(failedByKey.map((decision) => decision.eventId));
      // Each record carries one CloudTrail record, so failed records and failed event ids correspond.
      expect(result.response.batchItemFailures).toHaveLength(failedEventIds.size);
      expect(result.decisions.some((decision) => decision.principalKey === CLERK_KEY)).toBe(true);
      // Each failed principal was attempted twice (the SDK retries a 500 once).
      const attempts = server.requests.filter((request) => failedKeys.has(principalKeyOf(request)));
      expect(attempts).toHaveLength(failedKeys.size * 2);

      healthy = true;
      const startsBefore = server.requests.length;
      const retried = records.filter((record) =>
        result.failedSequenceNumbers.has(record.kinesis.sequenceNumber),
      );
      const retry = await harness.run(retried);

      expect(retry.response.batchItemFailures).toEqual([]);
      const retryStarts = server.requests.slice(startsBefore).map(principalKeyOf);
      expect(retryStarts.sort()).toEqual([...testCase.failingPrincipals].sort());
      const firstRun = new Map(
        result.decisions.map((decision) => [decision.decisionId, stableView(decision)]),
      );
      for (const decision of retry.decisions) {
        expect(stableView(decision)).toBe(firstRun.get(decision.decisionId));
      }
    },
  );

  it('starter that throws fails violators only', async () => {
    const throwing: TriageStarter = {
      start: async (): Promise<TriageStartOutcome[]> => {
        throw new Error('StartExecution client was destroyed');
      },
    };
    const harness = createValidatorHarness({ dynamoDb: local.client, triageStarter: throwing });
    const records = mixedBatch();

    const result = await harness.run(records);

    const violatorEventIds = new Set(
      result.decisions
        .filter((decision) => VIOLATORS.includes(decision.principalKey))
        .map((decision) => decision.eventId),
    );
    expect(result.response.batchItemFailures).toHaveLength(violatorEventIds.size);
  });
});
