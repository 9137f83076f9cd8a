import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFormatAlertHandler } from '../../src/handlers/format-alert';
import { createReportHandler, type ReportHandler } from '../../src/handlers/report';
import { createTriageHandler, type TriageHandler } from '../../src/handlers/triage';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { InvalidTriageInputError } from '../../src/response/errors';
import { IncidentRepository } from '../../src/response/incident-repository';
import { createIncidentsTable } from '../../src/response/incidents-table';
import { GENESIS_SHA256, verifyReportChain } from '../../src/response/report-chain';
import { FileSystemReportStore, type ReportFiles } from '../../src/response/report-store';
import { CONTAINED, INVESTIGATION, PARTNER_ROLE, at, decision, triageInput } from './fixtures';

const silentLogger = () => new Logger({ serviceName: 'phi-guard-test', logLevel: 'SILENT' });

describe('incident response handlers', () => {
  let local: LocalDynamoDb;
  let directory: string;
  let tableCount = 0;
  let tableName: string;
  let now: Date;
  let triage: TriageHandler;
  let report: ReportHandler;

  beforeAll(async () => {
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    local = await startLocalDynamoDb();
    directory = await mkdtemp(path.join(tmpdir(), 'phi-guard-handlers-'));
  });

  afterAll(async () => {
    await local.stop();
    await rm(directory, { recursive: true, force: true });
  });

  beforeEach(async () => {
    tableCount += 1;
    tableName = `incidents-${tableCount}`;
    await createIncidentsTable(local.client, tableName);
    now = at(0);
    const clock = () => now;
    const logger = silentLogger();
    triage = createTriageHandler({ client: local.client, tableName, windowMinutes: 15, clock, logger });
    const store = new FileSystemReportStore(path.join(directory, tableName), 'GOVERNANCE');
    report = createReportHandler({
      dynamoDb: local.client,
      tableName,
      store,
      retentionDays: 2190,
      clock,
      logger,
    });
  });

  it('triage opens then joins', async () => {
    const opened = await triage(triageInput([decision({ id: 'e1' })]));
    now = at(5);
    const joined = await triage(triageInput([decision({ id: 'e2' })]));

    expect(opened.isNew).toBe(true);
    expect(joined).toEqual({
      isNew: false,
      incident: expect.objectContaining({ incidentId: opened.incident.incidentId }),
      historyParameters: [
        `'${opened.incident.openedAt}'`,
        `'${opened.incident.principal.arn}'`,
        `'${opened.incident.principal.arn}'`,
      ],
    });
    expect(joined.incident.counts.violations).toBe(2);
  });

  it('triage rejects an invalid input', async () => {
    await expect(triage({ principal: PARTNER_ROLE, decisions: 'none' } as never)).rejects.toBeInstanceOf(
      InvalidTriageInputError,
    );
  });

  it('report writes files and records them', async () => {
    const { incident } = await triage(triageInput([decision({ id: 'e1' })]));
    now = at(7);

    const location = await report({ incident, containment: CONTAINED, investigation: INVESTIGATION });
    const stored = await new IncidentRepository(local.client, tableName).getIncident(incident.incidentId);

    const root = path.join(directory, tableName);
    expect(location).toEqual({
      bucket: root,
      jsonKey: `reports/2025/03/01/${incident.incidentId}.json`,
      markdownKey: `reports/2025/03/01/${incident.incidentId}.md`,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      previousSha256: GENESIS_SHA256,
      retainUntil: new Date(at(7).getTime() + 2190 * 86_400_000).toISOString(),
    });
    const json = await readFile(path.join(root, location.jsonKey), 'utf8');
    expect(verifyReportChain([JSON.parse(json)], { lastSha256: location.sha256 }).valid).toBe(true);
    expect(await readFile(path.join(root, location.markdownKey), 'utf8')).toContain('## Timeline');
    expect(stored).toMatchObject({ status: 'closed', closedAt: at(7).toISOString(), report: location });
  });

  it('report retry returns the same location', async () => {
    const { incident } = await triage(triageInput([decision({ id: 'e1' })]));
    const request = { incident, containment: CONTAINED, investigation: INVESTIGATION };

    const first = await report(request);
    now = at(9);
    const retried = await report(request);

    expect(retried).toEqual(first);
  });

  it('report retry after failed write', async () => {
    const { incident } = await triage(triageInput([decision({ id: 'e1' })]));
    const root = path.join(directory, tableName);
    const disk = new FileSystemReportStore(root, 'GOVERNANCE');
    let writes = 0;
    const failingOnce = {
      location: root,
      write: async (files: ReportFiles) => {
        writes += 1;
        if (writes === 1) throw new Error('Simulated S3 outage');
        await disk.write(files);
      },
    };
    const flaky = createReportHandler({
      dynamoDb: local.client,
      tableName,
      store: failingOnce,
      retentionDays: 1,
      clock: () => now,
      logger: silentLogger(),
    });
    const request = { incident, containment: CONTAINED, investigation: INVESTIGATION };

    await expect(flaky(request)).rejects.toThrow('Simulated S3 outage');
    const location = await flaky(request);

    const chain = new IncidentRepository(local.client, tableName).reportChain;
    expect(await chain.head()).toMatchObject({
      sequence: 1,
      incidentId: incident.incidentId,
      sha256: location.sha256,
    });
    const json = await readFile(path.join(root, location.jsonKey), 'utf8');
    expect(verifyReportChain([JSON.parse(json)], { lastSha256: location.sha256 }).valid).toBe(true);
  });

  it('reports of three incidents chain', async () => {
    const locations = [];
    for (const minute of [0, 20, 40]) {
      now = at(minute);
      const { incident } = await triage(triageInput([decision({ id: `e${minute}` })]));
      locations.push(await report({ incident, containment: CONTAINED, investigation: INVESTIGATION }));
    }

    const root = path.join(directory, tableName);
    const reports = await Promise.all(
      locations.map(async (location) =>
        JSON.parse(await readFile(path.join(root, location.jsonKey), 'utf8')),
      ),
    );
    const result = verifyReportChain(reports, { lastSha256: locations[2].sha256 });
    expect(result.errors).toEqual([]);
    expect(locations.map((location) => location.previousSha256)).toEqual([
      GENESIS_SHA256,
      locations[0].sha256,
      locations[1].sha256,
    ]);
  });

  it('concurrent reports never share a predecessor', async () => {
    const incidents = [];
    for (const principal of ['alice', 'bob', 'carol', 'dan']) {
      const key = `arn:aws:iam::111122223333:user/${principal}`;
      const owner = { ...PARTNER_ROLE, key, arn: key, crossAccount: false };
      const { incident } = await triage(
        triageInput([{ ...decision({ id: principal }), principalKey: key }], owner),
      );
      incidents.push(incident);
    }

    const locations = await Promise.all(
      incidents.map((incident) => report({ incident, containment: CONTAINED, investigation: INVESTIGATION })),
    );

    const predecessors = new Set(locations.map((location) => location.previousSha256));
    expect(predecessors.size).toBe(4);
    const hashes = new Set(locations.map((location) => location.sha256));
    const heads = locations.filter((location) => !predecessors.has(location.sha256));
    expect(heads).toHaveLength(1);
    expect([...predecessors].filter((sha) => sha !== GENESIS_SHA256).every((sha) => hashes.has(sha))).toBe(
      true,
    );
  });

  it('format-alert returns subject and message', async () => {
    const { incident } = await triage(triageInput([decision({ id: 'e1' })]));

    const alert = await createFormatAlertHandler(silentLogger())({ incident, containment: CONTAINED });

    expect(alert.subject).toBe('[phi-guard] LOW PHI access violation by user/alice');
    expect(alert.message).toContain(`Incident: ${incident.incidentId}`);
  });
});
