/**
 * Principal names, session names and object keys with quotes, SQL, newlines and control characters.
 * They must reach log lines only as escaped JSON (every line that Powertools writes parses as one JSON
 * document) and Athena only as execution parameters, never as SQL text.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Parser } from 'node-sql-parser';
import { readConfig, type PhiGuardConfig } from '../../lib/config';
import type { TriageInput } from '../../src/domain/types';
import { createTriageHandler } from '../../src/handlers/triage';
import type { JsonObject } from '../../src/local/local-aws-services';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { runLocalResponse } from '../../src/local/response-runner';
import { renderWorkflowDefinitions, type WorkflowDefinitions } from '../../src/local/workflow-definitions';
import { buildComparisonQueries } from '../../src/reconcile/queries';
import { createIncidentsTable } from '../../src/response/incidents-table';
import { createValidatorHandler } from '../../src/validator/handler';
import { PHI_BUCKET, kinesisEvent, kinesisRecord, s3DataEvent } from '../validator/support/fixtures';
import { RecordingTriageStarter, lambdaContext } from '../validator/support/recording';
import { roleSessionIdentity, unknownTypeIdentity } from './support/identities';
import { clerkRead, nextEventId } from './support/unusual-records';
import { GRANTS_TABLE, NOW, createGrants, reliabilityGrants } from './support/validator-harness';

const HOSTILE_TEXTS = [
  `dana'; DROP TABLE grants;--`,
  `' OR '1'='1`,
  'first line\nsecond line',
  'carriage\rreturn',
  'tab\tnul\u0000bell\u0007',
  '\u001b[31mred terminal text\u001b[0m',
  '"double" and \\backslash\\',
  '{"message":"forged log line"}',
];

const CONFIG: PhiGuardConfig = { ...readConfig(() => undefined), phiBucketNames: [PHI_BUCKET] };

let local: LocalDynamoDb;
let definitions: WorkflowDefinitions;

beforeAll(async () => {
  local = await startLocalDynamoDb();
  await createGrants(local.client, reliabilityGrants());
  definitions = renderWorkflowDefinitions(CONFIG);
}, 60_000);

afterAll(async () => {
  await local.stop();
});

/** Captures what Powertools writes to stdout and stderr during `action`, split into lines. */
async function captureLines(action: () => Promise<void>): Promise<string[]> {
  const chunks: string[] = [];
  const record = (chunk: string | Uint8Array): boolean => {
    chunks.push(String(chunk));
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
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line !== '');
}

/** Builds one record per hostile text for each field that reaches a log line. */
function hostileRecords() {
  return HOSTILE_TEXTS.flatMap((text) => [
    kinesisRecord(s3DataEvent({ eventId: nextEventId(), identity: unknownTypeIdentity(text) })),
    kinesisRecord(
      s3DataEvent({
        eventId: nextEventId(),
        identity: roleSessionIdentity('clinician', text),
        eventName: 'PutObject',
        key: `patients/${text}/notes.txt`,
      }),
    ),
    kinesisRecord(clerkRead({ eventTime: text })),
  ]);
}

/** True when `value` is one SQL string constant whose content is `expected`. */
function isStringConstant(value: string, expected: string): boolean {
  try {
    const ast = new Parser().astify(`SELECT 1 FROM t WHERE c = ${value}`, { database: 'athena' });
    if (Array.isArray(ast)) {
      return false;
    }
    const where = (ast as { where?: { operator?: string; right?: { type?: string; value?: string } } }).where;
    return (
      where?.operator === '=' &&
      where.right?.type === 'single_quote_string' &&
      where.right.value?.replace(/''/g, "'") === expected
    );
  } catch {
    return false;
  }
}

/** Runs one triage input through the local workflows and returns the StartQueryExecution request. */
async function historyQueryRequest(input: TriageInput): Promise<JsonObject> {
  const requests: JsonObject[] = [];
  const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-injection-'));
  try {
    await runLocalResponse([input], {
      config: CONFIG,
      reportsDir,
      definitions,
      log: () => undefined,
      integrations: {
        'athena:startQueryExecution': (request) => {
          requests.push(request);
          return { QueryExecutionId: `query-${requests.length}` };
        },
      },
    });
  } finally {
    fs.rmSync(reportsDir, { recursive: true, force: true });
  }
  expect(requests).toHaveLength(1);
  return requests[0];
}

let incidentTables = 0;

async function validateHostileRecords(): Promise<{ lines: string[]; inputs: TriageInput[] }> {
  const triageStarter = new RecordingTriageStarter();
  const lines = await captureLines(async () => {
    const logger = new Logger({ serviceName: 'validator-injection', logLevel: 'DEBUG' });
    const handler = createValidatorHandler({
      dynamoDb: local.client,
      grantsTableName: GRANTS_TABLE,
      monitoredBuckets: new Set([PHI_BUCKET]),
      triageStarter,
      logger,
      metrics: new Metrics({ namespace: 'PhiGuardReliability', logger }),
      clock: () => NOW,
    });
    await handler(kinesisEvent(hostileRecords()), lambdaContext());

    incidentTables += 1;
    const tableName = `injection-incidents-${incidentTables}`;
    await createIncidentsTable(local.client, tableName);
    const triage = createTriageHandler({
      client: local.client,
      tableName,
      clock: () => NOW,
      logger: new Logger({ serviceName: 'triage-injection' }),
    });
    for (const input of triageStarter.inputs) {
      await triage(input);
    }
  });
  return { lines, inputs: triageStarter.inputs };
}

/**
 * Returns the triage input of the clinician role. Its principal is the first session seen in the batch,
 * whose ARN carries the first hostile text as its session name.
 */
function clinicianInput(inputs: readonly TriageInput[]): TriageInput {
  const input = inputs.find(
    (candidate) => candidate.principal.key === 'arn:aws:iam::111122223333:role/clinician',
  );
  if (input === undefined) {
    throw new Error('The hostile records produced no triage input for the clinician role.');
  }
  expect(input.principal.arn).toContain(HOSTILE_TEXTS[0]);
  return input;
}

describe('hostile names and keys', () => {
  it('log lines stay single-line JSON', async () => {
    const { lines, inputs } = await validateHostileRecords();

    expect(inputs.length).toBeGreaterThan(HOSTILE_TEXTS.length);
    const documents = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const document of documents) {
      expect(typeof document).toBe('object');
      expect(typeof document.message).toBe('string');
    }
    expect(lines.some((line) => line.includes('\r'))).toBe(false);
    const objectKeys = new Set(documents.map((document) => document.objectKey));
    const principalKeys = new Set(documents.map((document) => document.principalKey));
    for (const text of HOSTILE_TEXTS) {
      expect(objectKeys).toContain(`patients/${text}/notes.txt`);
      expect(principalKeys).toContain(`unresolved:${text}:EXAMPLEPRINCIPAL0001`);
    }
    const reasons = documents
      .filter((document) => document.message === 'Invalid record')
      .map((document) => String(document.reason));
    for (const text of HOSTILE_TEXTS) {
      expect(reasons.some((reason) => reason.includes(text))).toBe(true);
    }
    expect(documents.filter((document) => document.message === 'Incident opened').length).toBe(inputs.length);
    expect(documents.filter((document) => document.message === 'forged log line')).toEqual([]);
  });

  it('history query text is constant', async () => {
    const { inputs } = await validateHostileRecords();
    const hostile = clinicianInput(inputs);
    const benignArn = 'arn:aws:sts::111122223333:assumed-role/clinician/dana';

    const hostileRequest = await historyQueryRequest(hostile);
    const benignRequest = await historyQueryRequest({
      ...hostile,
      principal: { ...hostile.principal, arn: benignArn },
    });

    expect(hostileRequest.QueryString).toBe(benignRequest.QueryString);
    for (const text of HOSTILE_TEXTS) {
      expect(String(hostileRequest.QueryString)).not.toContain(text);
    }
    const parameters = hostileRequest.ExecutionParameters as string[];
    expect(parameters).toHaveLength(3);
    // The ARN reaches Athena only as the second execution parameter, with its quotes doubled.
    expect(parameters[1]).toBe(`'${hostile.principal.arn.replaceAll("'", "''")}'`);
  });

  it('history query binds principal as constant', async () => {
    const { inputs } = await validateHostileRecords();
    const hostile = clinicianInput(inputs);
    expect(hostile.principal.arn).toContain("'");

    const request = await historyQueryRequest(hostile);

    const parameters = request.ExecutionParameters as string[];
    expect(isStringConstant(parameters[1], hostile.principal.arn)).toBe(true);
  });

  it('reconciliation parameters are constants', () => {
    const buckets = [PHI_BUCKET, `archive'); DROP TABLE x;--`];
    const queries = buildComparisonQueries(
      {
        trailDatabase: 'trail_db',
        trailTable: 'trail',
        archiveDatabase: 'archive_db',
        archiveTable: 'events',
      },
      { start: new Date('2025-03-01T09:00:00Z'), end: new Date('2025-03-01T10:00:00Z') },
      buckets,
      NOW,
    );

    for (const query of [queries.missing, queries.counts]) {
      expect(query.sql).not.toContain('DROP TABLE');
      expect(query.parameters).toContain(`'${buckets.join(',').replace(/'/g, "''")}'`);
      for (const parameter of query.parameters) {
        expect(isStringConstant(parameter, parameter.slice(1, -1).replace(/''/g, "'"))).toBe(true);
      }
    }
  });
});
