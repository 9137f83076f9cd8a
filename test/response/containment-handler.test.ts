import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Decision, Principal } from '../../src/domain/types';
import { type ContainEvent, createContainHandler } from '../../src/handlers/contain';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../src/local/local-dynamodb';
import type { ContainmentSettings } from '../../src/response/containment/strategy';
import { IncidentRepository } from '../../src/response/incident-repository';
import { createIncidentsTable } from '../../src/response/incidents-table';
import type { Incident, IncidentKind } from '../../src/response/types';
import { type FakeAws, startFakeAws } from './containment-fake-aws';
import { PRINCIPALS, SETTINGS } from './containment-fixtures';

const TABLE = 'incidents';
const NOW = new Date('2025-03-01T10:30:00.000Z');

let dynamoDb: LocalDynamoDb;
let repository: IncidentRepository;
let fake: FakeAws;
let clients: { iam: IAMClient; s3: S3Client };
let eventNumber = 0;

beforeAll(async () => {
  dynamoDb = await startLocalDynamoDb();
  await createIncidentsTable(dynamoDb.client, TABLE);
  repository = new IncidentRepository(dynamoDb.client, TABLE);
});

afterAll(async () => {
  await dynamoDb.stop();
});

beforeEach(async () => {
  fake = await startFakeAws();
  clients = fake.createClients();
});

afterEach(async () => {
  clients.iam.destroy();
  clients.s3.destroy();
  await fake.stop();
});

/** Opens an incident in the local table the way the triage step does. */
async function openIncident(principal: Principal, kind: IncidentKind = 'violation'): Promise<Incident> {
  eventNumber += 1;
  const decision: Decision = {
    decisionId: `evt-${eventNumber}#0`,
    eventId: `evt-${eventNumber}`,
    eventTime: '2025-03-01T10:15:00Z',
    decidedAt: '2025-03-01T10:15:02Z',
    principal: principal.arn,
    principalKey: principal.key,
    identityType: principal.type,
    accountId: principal.accountId,
    eventName: 'GetObject',
    action: 'read',
    bucket: 'phi-records-example',
    key: 'patients/p-100.json',
    decision: kind === 'violation' ? 'violation' : 'break-glass',
    reason:
      kind === 'violation' ? 'No grant covers this object.' : 'Break-glass grant g-1 covers this object.',
  };
  const { incident } = await repository.openOrJoin(
    { principal, decisions: [decision] },
    new Date(Date.now() + eventNumber * 3_600_000),
  );
  return incident;
}

function handlerWith(settings: Partial<ContainmentSettings> = {}) {
  return createContainHandler({
    ...clients,
    incidents: repository,
    settings: { ...SETTINGS, ...settings },
    clock: () => NOW,
    logger: new Logger({ serviceName: 'containment-test', logLevel: 'SILENT' }),
  });
}

describe('contain handler', () => {
  it('contains and records result', async () => {
    const incident = await openIncident(PRINCIPALS.iamUser);

    const result = await handlerWith()({ incident });

    expect(result).toMatchObject({ status: 'contained', strategy: 'user-inline-deny', target: 'dana' });
    expect(fake.inlinePolicies.get('user/dana')?.has(result.policyName!)).toBe(true);
    expect((await repository.getIncident(incident.incidentId))?.containment).toEqual(result);
  });

  it.each<[string, Principal, Partial<ContainmentSettings>, IncidentKind, string]>([
    ['protected principal', PRINCIPALS.breakGlassSession, {}, 'violation', 'skipped-protected'],
    ['service-linked role', PRINCIPALS.serviceLinkedRole, {}, 'violation', 'skipped-protected'],
    ['monitor mode', PRINCIPALS.roleSession, { monitorMode: true }, 'violation', 'skipped-monitor-mode'],
    ['break-glass review', PRINCIPALS.roleSession, {}, 'break-glass-review', 'skipped-review'],
    ['root user', PRINCIPALS.root, {}, 'violation', 'alert-only'],
  ])('%s makes no call', async (_name, principal, settings, kind, status) => {
    const incident = await openIncident(principal, kind);

    const result = await handlerWith(settings)({ incident });

    expect(result.status).toBe(status);
    expect(result.strategy).toBe('none');
    expect(fake.requests).toEqual([]);
    expect((await repository.getIncident(incident.incidentId))?.containment?.status).toBe(status);
  });

  it('dry run calls nothing', async () => {
    const incident = await openIncident(PRINCIPALS.crossAccountSession);

    const result = await handlerWith({ dryRun: true })({ incident });

    expect(result.status).toBe('dry-run');
    expect(result.strategy).toBe('bucket-policy-deny');
    expect(JSON.parse(result.policyDocument!).Statement).toHaveLength(2);
    expect(fake.requests).toEqual([]);
    expect((await repository.getIncident(incident.incidentId))?.containment).toBeUndefined();
  });

  it('failure throws, records nothing', async () => {
    const incident = await openIncident(PRINCIPALS.roleSession);
    await fake.stop();

    await expect(handlerWith()({ incident })).rejects.toThrow();
    expect((await repository.getIncident(incident.incidentId))?.containment).toBeUndefined();
  });

  it.each<[string, unknown, RegExp]>([
    ['missing incident', {}, /expected \{ incident \} with a non-empty incidentId/],
    [
      'missing principal',
      { incident: { incidentId: 'inc-1' } },
      /incident inc-1 has no principal arn, key and type/,
    ],
  ])('rejects %s', async (_name, event, message) => {
    await expect(handlerWith()(event as ContainEvent)).rejects.toThrow(message);
    expect(fake.requests).toEqual([]);
  });
});
