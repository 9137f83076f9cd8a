import { Metrics } from '@aws-lambda-powertools/metrics';
import { putGrants } from '../../src/grants/grant-repository';
import { createGrantsTable } from '../../src/grants/table-definition';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { createValidatorHandler } from '../../src/validator/handler';
import {
  CLINICIAN_ROLE_KEY,
  assumedRoleIdentity,
  eventBridgeEnvelope,
  iamUserIdentity,
  kinesisEvent,
  kinesisRecord,
  kinesisRecordWithData,
  makeGrant,
  s3DataEvent,
} from './support/fixtures';
import {
  RecordingLogger,
  RecordingPublisher,
  RecordingTriageStarter,
  lambdaContext,
} from './support/recording';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const NOW = new Date('2025-03-01T10:00:30Z');

let local: LocalDynamoDb;

beforeAll(async () => {
  local = await startLocalDynamoDb();
  await createGrantsTable(local.client, 'grants');
  await putGrants({ client: local.client, tableName: 'grants' }, [
    makeGrant({ grantId: 'g-auth', principalKey: CLINICIAN_ROLE_KEY }),
  ]);
});

afterAll(async () => {
  await local.stop();
});

/**
 * Powertools writes EMF documents and info logs to stdout, warnings and errors to stderr; this captures
 * the lines written to both during `action`.
 */
async function captureOutput(action: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array): boolean => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(record),
    jest.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  try {
    await action();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
  return lines;
}

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

function metricValue(documents: readonly EmfDocument[], name: string, dimension?: [string, string]): unknown {
  const document = documents.find(
    (candidate) =>
      candidate._aws.CloudWatchMetrics[0].Metrics.some((metric) => metric.Name === name) &&
      (dimension === undefined || candidate[dimension[0]] === dimension[1]),
  );
  return document?.[name];
}

describe('createValidatorHandler', () => {
  it('returns failures and emits metrics', async () => {
    const logger = new RecordingLogger();
    const metrics = new Metrics({ namespace: 'PhiGuardTest', serviceName: 'validator-test' });
    const handler = createValidatorHandler({
      dynamoDb: local.client,
      grantsTableName: 'grants',
      publisher: new RecordingPublisher(),
      triageStarter: new RecordingTriageStarter(),
      logger,
      metrics,
      clock: () => NOW,
    });
    const invalid = kinesisRecordWithData('bm90IGpzb24=');
    const event = kinesisEvent([
      kinesisRecord(
        s3DataEvent({ eventId: 'ev-h-1', identity: assumedRoleIdentity('clinician', 'dana@example.org') }),
      ),
      kinesisRecord(
        eventBridgeEnvelope(s3DataEvent({ eventId: 'ev-h-2', identity: iamUserIdentity('intruder') })),
      ),
      invalid,
    ]);

    let response: unknown;
    const stdout = await captureOutput(async () => {
      response = await handler(event, lambdaContext());
    });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: invalid.kinesis.sequenceNumber }] });
    const documents = stdout
      .map((line) => JSON.parse(line) as EmfDocument)
      .filter((line) => line._aws !== undefined);
    expect(metricValue(documents, 'RecordsReceived')).toBe(3);
    expect(metricValue(documents, 'InvalidRecords')).toBe(1);
    expect(metricValue(documents, 'TriageStarts')).toBe(1);
    // The fixed clock is 30 s after both events.
    expect(metricValue(documents, 'DecisionLagSeconds')).toEqual([30, 30]);
    expect(metricValue(documents, 'Decisions', ['DecisionType', 'violation'])).toBe(1);
    expect(metricValue(documents, 'Decisions', ['DecisionType', 'authorized'])).toBe(1);

    const summary = logger.withMessage('Batch validated')[0];
    expect(summary).toMatchObject({
      recordsReceived: 3,
      failedRecords: 1,
      function_request_id: lambdaContext().awsRequestId,
    });
  });

  it('warns when ports are missing', async () => {
    const logger = new RecordingLogger();
    createValidatorHandler({
      dynamoDb: local.client,
      grantsTableName: 'grants',
      logger,
      metrics: new Metrics({ namespace: 'PhiGuardTest' }),
    });
    expect(logger.lines.filter((line) => line.level === 'WARN').map((line) => line.message)).toEqual([
      'No decision publisher is configured; decisions are logged but not archived',
      'No triage starter is configured; violations are logged but not triaged',
    ]);
  });
});

describe('validator Lambda entry', () => {
  const savedEnvironment = { ...process.env };

  afterEach(() => {
    process.env = { ...savedEnvironment };
  });

  it('fails cold start without table name', async () => {
    delete process.env.GRANTS_TABLE_NAME;
    await expect(
      jest.isolateModulesAsync(async () => {
        await import('../../src/handlers/validator');
      }),
    ).rejects.toThrow(/GRANTS_TABLE_NAME is missing/);
  });

  it('decides against the configured table', async () => {
    Object.assign(process.env, {
      GRANTS_TABLE_NAME: 'grants',
      MONITORED_BUCKETS: 'example-phi-records',
      GRANT_CACHE_TTL_SECONDS: '30',
      POWERTOOLS_SERVICE_NAME: 'validator-entry-test',
      POWERTOOLS_METRICS_NAMESPACE: 'PhiGuardTest',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'LOCALTESTKEY',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    });
    delete process.env.DECISION_STREAM_NAME;
    delete process.env.TRIAGE_STATE_MACHINE_ARN;
    let entry: typeof import('../../src/handlers/validator') | undefined;
    const record = kinesisRecord(
      s3DataEvent({ eventId: 'ev-entry', identity: assumedRoleIdentity('clinician', 'dana@example.org') }),
    );

    let response: unknown;
    const stdout = await captureOutput(async () => {
      await jest.isolateModulesAsync(async () => {
        entry = await import('../../src/handlers/validator');
      });
      response = await entry?.handler(kinesisEvent([record]), lambdaContext());
    });

    expect(response).toEqual({ batchItemFailures: [] });
    const lines = stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = lines.find((line) => line.message === 'Batch validated');
    expect(summary).toMatchObject({ service: 'validator-entry-test', decisionsByType: { authorized: 1 } });
    expect(lines.filter((line) => line.level === 'WARN').map((line) => line.message)).toHaveLength(2);
    const emf = lines.find((line) => line.RecordsReceived !== undefined);
    expect(emf).toMatchObject({ service: 'validator-entry-test', RecordsReceived: 1, GrantLookups: 1 });
  });
});
