/**
 * Executes the synthesized triage and response definitions with aws-local-stepfunctions. Lambda tasks
 * run the real handlers against dynalite; reports go to a temporary directory. SNS, Athena and Macie
 * cannot run here, so scripted integration handlers return the response shapes of their API
 * references.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { readConfig, type PhiGuardConfig } from '../../lib/config';
import { RESPONSE_STATES } from '../../lib/constructs/response-workflow';
import { TRIAGE_STATES } from '../../lib/constructs/triage-workflow';
import {
  IntegrationError,
  type IntegrationHandlers,
  type JsonObject,
} from '../../src/local/local-aws-services';
import { LOCAL_CREDENTIALS } from '../../src/local/local-dynamodb';
import { runLocalResponse, type LocalResponseOptions } from '../../src/local/response-runner';
import { renderWorkflowDefinitions } from '../../src/local/workflow-definitions';
import { ANALYST, PHI_BUCKET, REPORTING_ROLE, triageInput, violation } from './fixtures';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const BASE_CONFIG: PhiGuardConfig = { ...readConfig(() => undefined), phiBucketNames: [PHI_BUCKET] };
const DEFINITIONS = renderWorkflowDefinitions(BASE_CONFIG);

const HISTORY_ROWS = [
  { Data: [{ VarCharValue: 'eventsource' }, { VarCharValue: 'eventname' }, { VarCharValue: 'events' }] },
  { Data: [{ VarCharValue: 's3.amazonaws.com' }, { VarCharValue: 'GetObject' }, { VarCharValue: '12' }] },
];

/** Athena that finishes each query on the second poll; records the start requests. */
function athenaSucceeding(requests: JsonObject[]): IntegrationHandlers {
  let polls = 0;
  return {
    'athena:startQueryExecution': (request) => {
      requests.push(request);
      return { QueryExecutionId: 'query-0001' };
    },
    'athena:getQueryExecution': (request) => ({
      QueryExecution: {
        QueryExecutionId: request.QueryExecutionId,
        Status: { State: ++polls < 2 ? 'RUNNING' : 'SUCCEEDED' },
      },
    }),
    'athena:getQueryResults': () => ({ ResultSet: { Rows: HISTORY_ROWS } }),
  };
}

/** Macie whose job completes on the second poll; records the create requests. */
function macieCompleting(requests: JsonObject[]): IntegrationHandlers {
  let polls = 0;
  return {
    'macie2:createClassificationJob': (request) => {
      requests.push(request);
      return {
        JobId: 'job-0001',
        JobArn: 'arn:aws:macie2:us-east-1:111122223333:classification-job/job-0001',
      };
    },
    'macie2:describeClassificationJob': (request) => ({
      JobId: request.JobId,
      JobStatus: ++polls < 2 ? 'RUNNING' : 'COMPLETE',
      JobType: 'ONE_TIME',
    }),
  };
}

let reportsDir: string;

beforeEach(() => {
  reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-reports-'));
});

afterEach(() => {
  fs.rmSync(reportsDir, { recursive: true, force: true });
});

function run(inputs: Parameters<typeof runLocalResponse>[0], options: Partial<LocalResponseOptions> = {}) {
  return runLocalResponse(inputs, {
    config: BASE_CONFIG,
    reportsDir,
    definitions: DEFINITIONS,
    log: () => undefined,
    ...options,
    integrations: { ...athenaSucceeding([]), ...macieCompleting([]), ...options.integrations },
  });
}

function readReport(reportPath: string): {
  investigation: Record<string, { status: string; summary: string }>;
} {
  return JSON.parse(fs.readFileSync(reportPath, 'utf8'));
}

describe('local response workflows', () => {
  it('new incident runs steps in order', async () => {
    const athenaRequests: JsonObject[] = [];
    const macieRequests: JsonObject[] = [];
    const [result] = await run([triageInput([violation('ev-1')])], {
      integrations: { ...athenaSucceeding(athenaRequests), ...macieCompleting(macieRequests) },
    });

    expect(result.isNew).toBe(true);
    expect(result.responseStatus).toBe('succeeded');
    const calls = result.taskCalls;
    const order = [
      TRIAGE_STATES.triage,
      TRIAGE_STATES.startResponse,
      RESPONSE_STATES.contain,
      RESPONSE_STATES.formatAlert,
      RESPONSE_STATES.publishAlert,
      RESPONSE_STATES.startHistoryQuery,
      RESPONSE_STATES.getHistoryResults,
      RESPONSE_STATES.report,
      RESPONSE_STATES.formatReportNotice,
      RESPONSE_STATES.publishReportNotice,
    ].map((state) => calls.indexOf(state));
    expect(order).not.toContain(-1);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(calls.indexOf(RESPONSE_STATES.startClassification)).toBeGreaterThan(
      calls.indexOf(RESPONSE_STATES.publishAlert),
    );
    expect(calls.indexOf(RESPONSE_STATES.describeClassification)).toBeLessThan(
      calls.indexOf(RESPONSE_STATES.report),
    );

    expect(result.containment?.status).toBe('dry-run');
    expect(result.alerts.map((alert) => alert.subject)).toEqual([
      expect.stringContaining('PHI access violation'),
      expect.stringContaining('Report written'),
    ]);
    expect(result.investigation?.athena.status).toBe('completed');
    expect(result.investigation?.athena.summary).toContain('into 1 rows');
    expect(result.investigation?.macie.status).toBe('completed');
    expect(fs.existsSync(result.reportPaths[0])).toBe(true);
    expect(readReport(result.reportPaths[0]).investigation.macie.status).toBe('completed');
  });

  it('history query binds principal as parameters', async () => {
    const athenaRequests: JsonObject[] = [];
    const [result] = await run(
      [triageInput([violation('ev-2', { principal: REPORTING_ROLE })], REPORTING_ROLE)],
      {
        integrations: athenaSucceeding(athenaRequests),
      },
    );

    expect(athenaRequests).toHaveLength(1);
    const request = athenaRequests[0];
    expect(request.QueryString).not.toContain(REPORTING_ROLE.arn);
    expect(request.QueryString).toContain('useridentity.arn = ?');
    expect(request.ExecutionParameters).toEqual([
      "'2025-06-02T14:00:00.000Z'",
      `'${REPORTING_ROLE.arn}'`,
      `'${REPORTING_ROLE.roleArn}'`,
    ]);
    expect(request.ClientRequestToken).toBe(result.incidentId);
  });

  it('classification job scoped to touched objects', async () => {
    const macieRequests: JsonObject[] = [];
    const decisions = [
      violation('ev-3'),
      violation('ev-4'),
      violation('ev-5', { key: 'patients/p-ev-3/discharge-summary.pdf' }),
    ];
    const [result] = await run([triageInput(decisions)], { integrations: macieCompleting(macieRequests) });

    const request = macieRequests[0] as JsonObject & { S3JobDefinition: JsonObject };
    expect(request.ClientToken).toBe(result.incidentId);
    expect(request.JobType).toBe('ONE_TIME');
    expect(request.S3JobDefinition.BucketDefinitions).toEqual([
      { AccountId: '111122223333', Buckets: [PHI_BUCKET] },
    ]);
    expect(request.S3JobDefinition.Scoping).toEqual({
      Includes: {
        And: [
          {
            SimpleScopeTerm: {
              Comparator: 'STARTS_WITH',
              Key: 'OBJECT_KEY',
              Values: ['patients/p-ev-3/discharge-summary.pdf', 'patients/p-ev-4/discharge-summary.pdf'],
            },
          },
        ],
      },
    });
  });

  it('redelivered start opens no second response', async () => {
    const first = triageInput([violation('ev-6')]);
    // The redelivery carries the opening decision again, plus one that changes the incident, so the
    // response input differs and Step Functions rejects the second start under the same name.
    const redelivery = triageInput([
      violation('ev-6'),
      violation('ev-7', { eventTime: '2025-06-02T14:01:00Z' }),
    ]);
    const [opened, redelivered] = await run([first, redelivery]);

    expect(redelivered.incidentId).toBe(opened.incidentId);
    expect(redelivered.isNew).toBe(true);
    expect(redelivered.taskCalls).toContain(TRIAGE_STATES.startResponse);
    expect(redelivered.responseStart).toBe('already-started');
    expect(redelivered.responseStatus).toBeUndefined();
    expect(opened.responseStatus).toBe('succeeded');
    expect(opened.reportPaths).toHaveLength(2);
  });

  it('second violation joins open incident', async () => {
    const later = violation('ev-9', { eventTime: '2025-06-02T14:10:00Z' });
    const [opened, joined] = await run([triageInput([violation('ev-8')]), triageInput([later])]);

    expect(joined.incidentId).toBe(opened.incidentId);
    expect(joined.isNew).toBe(false);
    expect(joined.responseStart).toBe('not-needed');
    expect(joined.taskCalls).toEqual([TRIAGE_STATES.triage]);
    expect(
      fs.readdirSync(reportsDir, { recursive: true }).filter((file) => String(file).endsWith('.md')),
    ).toHaveLength(1);
  });

  it.each([
    ['protected principal', { protectedPrincipalArns: [ANALYST.arn] }, 'skipped-protected'],
    ['monitor mode', { monitorMode: true }, 'skipped-monitor-mode'],
  ])('%s alerted and reported', async (_case, overrides, status) => {
    const [result] = await run([triageInput([violation('ev-10')])], {
      config: { ...BASE_CONFIG, ...overrides },
    });

    expect(result.responseStatus).toBe('succeeded');
    expect(result.containment?.status).toBe(status);
    expect(result.alerts).toHaveLength(2);
    expect(result.alerts[0].message).toContain(status);
    expect(result.reportPaths).toHaveLength(2);
    expect(fs.existsSync(result.reportPaths[1])).toBe(true);
  });

  it('Macie not enabled reported', async () => {
    const macieOff: IntegrationHandlers = {
      'macie2:createClassificationJob': () => {
        throw new IntegrationError(
          'Macie2.AccessDeniedException',
          'Macie is not enabled. (Service: Macie2, Status Code: 403)',
        );
      },
    };
    const [result] = await run([triageInput([violation('ev-11')])], { integrations: macieOff });

    expect(result.responseStatus).toBe('succeeded');
    expect(result.investigation?.macie.status).toBe('not-enabled');
    expect(readReport(result.reportPaths[0]).investigation.macie.status).toBe('not-enabled');
    expect(result.taskCalls).not.toContain(RESPONSE_STATES.describeClassification);
  });

  it('other Macie denial reported failed', async () => {
    const macieDenied: IntegrationHandlers = {
      'macie2:createClassificationJob': () => {
        throw new IntegrationError(
          'Macie2.AccessDeniedException',
          'User is not authorized to perform macie2:CreateClassificationJob',
        );
      },
    };
    const [result] = await run([triageInput([violation('ev-12')])], { integrations: macieDenied });

    expect(result.investigation?.macie.status).toBe('failed');
    expect((result.investigation?.macie as { error?: string }).error).toContain('not authorized');
  });

  it('Athena timeout reported, execution succeeds', async () => {
    let polls = 0;
    const stopped: JsonObject[] = [];
    const athenaStuck: IntegrationHandlers = {
      'athena:startQueryExecution': () => ({ QueryExecutionId: 'query-slow' }),
      'athena:getQueryExecution': () => {
        polls += 1;
        return { QueryExecution: { QueryExecutionId: 'query-slow', Status: { State: 'RUNNING' } } };
      },
      'athena:stopQueryExecution': (request) => {
        stopped.push(request);
        return {};
      },
    };
    const [result] = await run([triageInput([violation('ev-13')])], { integrations: athenaStuck });

    expect(result.responseStatus).toBe('succeeded');
    expect(result.investigation?.athena.status).toBe('timed-out');
    expect(readReport(result.reportPaths[0]).investigation.athena.status).toBe('timed-out');
    // Ten minutes of polls every ten seconds.
    expect(polls).toBe(60);
    expect(stopped).toEqual([{ QueryExecutionId: 'query-slow' }]);
  });

  it('containment failure escalates, then fails', async () => {
    const closedPort = await findClosedPort();
    const endpoint = `http://127.0.0.1:${closedPort}`;
    const clientSettings = { region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
    const [result] = await run([triageInput([violation('ev-14')])], {
      containmentClients: { iam: new IAMClient(clientSettings), s3: new S3Client(clientSettings) },
    });

    expect(result.responseStatus).toBe('failed');
    expect(result.responseError).toMatch(/^ContainmentFailed: /);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0].subject).toContain('ESCALATION');
    expect(result.alerts[0].message).toContain('ECONNREFUSED');
    expect(result.taskCalls.slice(-3)).toEqual([
      RESPONSE_STATES.contain,
      RESPONSE_STATES.formatEscalation,
      RESPONSE_STATES.publishEscalation,
    ]);
    expect(result.reportPaths).toEqual([]);
  });
});

/** Returns a port on 127.0.0.1 that was free a moment ago, so that connecting to it is refused. */
async function findClosedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
