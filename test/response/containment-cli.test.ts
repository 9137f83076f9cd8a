import { Logger } from '@aws-lambda-powertools/logger';
import { registerIncidentsCommand } from '../../src/cli/incidents-command';
import type { Decision, Principal } from '../../src/domain/types';
import { createContainHandler } from '../../src/handlers/contain';
import { type LocalDynamoDb, LOCAL_CREDENTIALS, startLocalDynamoDb } from '../../src/local/local-dynamodb';
import { IncidentRepository } from '../../src/response/incident-repository';
import { createIncidentsTable } from '../../src/response/incidents-table';
import type { ContainmentResult, Incident } from '../../src/response/types';
import { captureIo, testProgram } from '../cli/cli-io';
import { type FakeAws, startFakeAws } from './containment-fake-aws';
import { PRINCIPALS, SETTINGS } from './containment-fixtures';

const TABLE = 'incidents';

let dynamoDb: LocalDynamoDb;
let repository: IncidentRepository;
let fake: FakeAws;
let eventNumber = 0;

beforeAll(async () => {
  // The CLI signs with the default credential chain, which reads these dummy values.
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  dynamoDb = await startLocalDynamoDb();
  await createIncidentsTable(dynamoDb.client, TABLE);
  repository = new IncidentRepository(dynamoDb.client, TABLE);
  fake = await startFakeAws();
});

afterAll(async () => {
  await fake.stop();
  await dynamoDb.stop();
});

/** Opens an incident for `principal` and contains it with the contain handler, as the workflow does. */
async function containedIncident(
  principal: Principal,
): Promise<{ incident: Incident; result: ContainmentResult }> {
  eventNumber += 1;
  const decision: Decision = {
    decisionId: `cli-evt-${eventNumber}#0`,
    eventId: `cli-evt-${eventNumber}`,
    eventTime: '2025-03-01T10:15:00Z',
    decidedAt: '2025-03-01T10:15:02Z',
    principal: principal.arn,
    principalKey: principal.key,
    identityType: principal.type,
    eventName: 'GetObject',
    action: 'read',
    bucket: 'phi-records-example',
    key: 'patients/p-200.json',
    decision: 'violation',
    reason: 'No grant covers this object.',
  };
  const opened = new Date(Date.UTC(2025, 2, 1, eventNumber));
  const { incident } = await repository.openOrJoin({ principal, decisions: [decision] }, opened);
  const clients = fake.createClients();
  const handler = createContainHandler({
    ...clients,
    incidents: repository,
    settings: SETTINGS,
    clock: () => opened,
    logger: new Logger({ serviceName: 'containment-test', logLevel: 'SILENT' }),
  });
  const result = await handler({ incident });
  clients.iam.destroy();
  clients.s3.destroy();
  return { incident, result };
}

async function run(...args: string[]) {
  const captured = captureIo();
  const program = testProgram(captured);
  registerIncidentsCommand(program, captured.io);
  const local = ['--table', TABLE, '--region', 'us-east-1', '--endpoint', dynamoDb.endpoint];
  await program.parseAsync(['node', 'phi-guard', 'incidents', ...args, ...local]);
  return captured;
}

function releaseArgs(incidentId: string, ...extra: string[]): string[] {
  const endpoints = ['--iam-endpoint', fake.endpoint, '--s3-endpoint', fake.endpoint];
  return ['release', incidentId, '--reason', 'Grant g-77 was approved late.', ...endpoints, ...extra];
}

describe('incidents release', () => {
  it('release removes inline policy', async () => {
    const { incident, result } = await containedIncident(PRINCIPALS.roleSession);

    const output = await run(...releaseArgs(incident.incidentId, '--by', 'alice@example.org'));

    expect(output.exitCode()).toBe(0);
    expect(output.stdout()).toContain(`Removed inline policy ${result.policyName} from role ClaimsAnalyst.`);
    expect(fake.inlinePolicies.get('role/ClaimsAnalyst')?.has(result.policyName!)).toBe(false);
    const stored = await repository.getIncident(incident.incidentId);
    expect(stored?.status).toBe('released');
    expect(stored?.release).toMatchObject({
      releasedBy: 'alice@example.org',
      reason: 'Grant g-77 was approved late.',
      detail: `Removed inline policy ${result.policyName} from role ClaimsAnalyst.`,
    });
  });

  it('release removes bucket statement', async () => {
    const otherIncident = await containedIncident(PRINCIPALS.crossAccountUser);
    const { incident, result } = await containedIncident(PRINCIPALS.identityCenterSession);

    const output = await run(...releaseArgs(incident.incidentId, '--by', 'alice@example.org'));

    expect(output.exitCode()).toBe(0);
    const sids = (
      JSON.parse(fake.bucketPolicies.get('phi-records-example')!) as { Statement: { Sid: string }[] }
    ).Statement.map((statement) => statement.Sid);
    expect(sids).toContain(otherIncident.result.policyName);
    expect(sids).not.toContain(result.policyName);
  });

  it('release twice is rejected', async () => {
    const { incident } = await containedIncident(PRINCIPALS.iamUser);
    await run(...releaseArgs(incident.incidentId, '--by', 'alice@example.org'));

    const output = await run(...releaseArgs(incident.incidentId, '--by', 'bob@example.org'));

    expect(output.exitCode()).toBe(1);
    expect(output.stderr()).toMatch(/was already released at .* by alice@example.org/);
  });

  it.each([
    ['unknown incident', async () => 'inc-unknown', /Incident inc-unknown was not found/],
    [
      'alert-only incident',
      async () => (await containedIncident(PRINCIPALS.root)).incident.incidentId,
      /no containment to release \(status: alert-only\)/,
    ],
  ])('release rejects %s', async (_name, incidentId, message) => {
    const requestsBefore = fake.requests.length;

    const output = await run(...releaseArgs(await incidentId()));

    expect(output.exitCode()).toBe(1);
    expect(output.stderr()).toMatch(message);
    expect(fake.requests.length).toBe(requestsBefore);
  });

  it('release needs a reason', async () => {
    const captured = captureIo();
    const program = testProgram(captured);
    registerIncidentsCommand(program, captured.io);

    await expect(
      program.parseAsync(['node', 'phi-guard', 'incidents', 'release', 'inc-1', '--table', TABLE]),
    ).rejects.toThrow(/required option '--reason <text>' not specified/);
  });
});

describe('incidents show', () => {
  it('show prints incident JSON', async () => {
    const { incident, result } = await containedIncident(PRINCIPALS.federatedUser);

    const output = await run('show', incident.incidentId);

    expect(output.exitCode()).toBe(0);
    const printed = JSON.parse(output.stdout()) as Incident;
    expect(printed.incidentId).toBe(incident.incidentId);
    expect(printed.containment).toEqual(result);
  });

  it('show unknown incident', async () => {
    const output = await run('show', 'inc-missing');

    expect(output.exitCode()).toBe(1);
    expect(output.stderr()).toBe(`error: Incident inc-missing was not found in table ${TABLE}.\n`);
  });
});
