/**
 * Alert storm: 10,000 violations by one principal within one minute, delivered in Kinesis batches of 100
 * (the validator's default batch size) through the validator handler, then every triage input through the
 * synthesized triage and response workflows (`runLocalResponse`, containment as a dry run, SNS, Athena and
 * Macie answered locally). The principal must get one incident, one containment and one violation alert.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readConfig, type PhiGuardConfig } from '../../lib/config';
import type { TriageInput } from '../../src/domain/types';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { runLocalResponse, type LocalResponseResult } from '../../src/local/response-runner';
import { renderWorkflowDefinitions } from '../../src/local/workflow-definitions';
import type { IncidentReport } from '../../src/response/report-builder';
import { MAX_EXECUTION_INPUT_BYTES, splitTriageInput } from '../../src/validator/sfn-triage-starter';
import { PHI_BUCKET, iamUserIdentity, kinesisRecord, s3DataEvent } from '../validator/support/fixtures';
import type { RecordingTriageStarter } from '../validator/support/recording';
import { createGrants, createValidatorHarness, reliabilityGrants } from './support/validator-harness';

const VIOLATIONS = 10_000;
const BATCH_SIZE = 100;
const SCRAPER_KEY = 'arn:aws:iam::111122223333:user/scraper';
const CONFIG: PhiGuardConfig = { ...readConfig(() => undefined), phiBucketNames: [PHI_BUCKET] };

let local: LocalDynamoDb;
let reportsDir: string;
let inputs: TriageInput[];
let results: LocalResponseResult[];

beforeAll(async () => {
  local = await startLocalDynamoDb();
  await createGrants(local.client, reliabilityGrants());
  reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-storm-'));
  inputs = await validateStorm();
  results = await runLocalResponse(inputs, {
    config: CONFIG,
    reportsDir,
    definitions: renderWorkflowDefinitions(CONFIG),
    log: () => undefined,
  });
}, 240_000);

afterAll(async () => {
  await local.stop();
  fs.rmSync(reportsDir, { recursive: true, force: true });
});

/** GetObject number `index` of the storm: 500 patients, 20 objects each, spread over one minute. */
function stormRecord(index: number) {
  const eventTime = new Date(Date.UTC(2025, 2, 1, 10, 0, 0) + index * 6).toISOString();
  return kinesisRecord(
    s3DataEvent({
      eventId: `5c0f2b7e-9d4a-4e11-8b3c-${String(index).padStart(12, '0')}`,
      identity: iamUserIdentity('scraper'),
      key: `patients/${String(index % 500).padStart(4, '0')}/visit-${Math.floor(index / 500)}.json`,
      eventTime,
    }),
  );
}

/** Validates the storm in batches and returns the triage inputs, split as the Step Functions starter splits them. */
async function validateStorm(): Promise<TriageInput[]> {
  const harness = createValidatorHarness({ dynamoDb: local.client });
  let violations = 0;
  for (let start = 0; start < VIOLATIONS; start += BATCH_SIZE) {
    const records = Array.from({ length: BATCH_SIZE }, (_, offset) => stormRecord(start + offset));
    const result = await harness.run(records);
    expect(result.response.batchItemFailures).toEqual([]);
    violations += result.decisions.filter((decision) => decision.decision === 'violation').length;
  }
  expect(violations).toBe(VIOLATIONS);
  const inputs = (harness.triageStarter as RecordingTriageStarter).inputs;
  return inputs.flatMap((input) => splitTriageInput(input, MAX_EXECUTION_INPUT_BYTES));
}

function readReport(result: LocalResponseResult): IncidentReport {
  const jsonPath = result.reportPaths.find((reportPath) => reportPath.endsWith('.json'));
  if (jsonPath === undefined) {
    throw new Error(`The response of incident ${result.incidentId} wrote no JSON report.`);
  }
  return JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as IncidentReport;
}

function violationAlerts(result: LocalResponseResult) {
  return result.alerts.filter((alert) => alert.subject.includes('PHI access violation'));
}

describe('alert storm of one principal', () => {
  it('validator sends one input per batch', () => {
    expect(inputs).toHaveLength(VIOLATIONS / BATCH_SIZE);
    expect(new Set(inputs.map((input) => input.principal.key))).toEqual(new Set([SCRAPER_KEY]));
    expect(results).toHaveLength(inputs.length);
  });

  it('counts every violation once', () => {
    const responses = results.filter((result) => result.responseStart === 'started');
    expect(responses.map((result) => result.responseStatus)).toEqual(responses.map(() => 'succeeded'));
    const reports = responses.map(readReport);
    const total = (field: 'violations' | 'reads' | 'objects') =>
      reports.reduce((sum, report) => sum + report.incident.counts[field], 0);
    expect(total('violations')).toBe(VIOLATIONS);
    expect(total('reads')).toBe(VIOLATIONS);
    expect(total('objects')).toBe(VIOLATIONS);
    // Each incident that opened gets exactly one containment and one violation alert.
    for (const response of responses) {
      expect(response.containment?.status).toBe('dry-run');
      expect(violationAlerts(response)).toHaveLength(1);
    }
    const joined = results.filter((result) => result.responseStart !== 'started');
    expect(joined.flatMap((result) => result.alerts)).toEqual([]);
  });

  it('one incident, containment and alert', () => {
    expect(new Set(results.map((result) => result.incidentId)).size).toBe(1);
    const responses = results.filter((result) => result.responseStart === 'started');
    expect(responses).toHaveLength(1);
    expect(results.filter((result) => result.containment !== undefined)).toHaveLength(1);
    expect(results.flatMap(violationAlerts)).toHaveLength(1);
    const report = readReport(responses[0]);
    expect(report.incident.counts.violations).toBe(VIOLATIONS);
    expect(report.incident.counts.objects).toBe(VIOLATIONS);
    expect(report.incident.counts.prefixes).toBe(500);
  });
});
