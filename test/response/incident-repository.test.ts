import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { InvalidTriageInputError } from '../../src/response/errors';
import { IncidentRepository } from '../../src/response/incident-repository';
import { SHORT_HASH_BYTES, keyPrefix } from '../../src/response/incident-keys';
import { createIncidentsTable, incidentKey } from '../../src/response/incidents-table';
import { ALICE, CONTAINED, PHI_BUCKET, at, decision, triageInput } from './fixtures';

const STEP_FUNCTIONS_NAME = /^[A-Za-z0-9_-]{1,80}$/;

describe('IncidentRepository', () => {
  let local: LocalDynamoDb;
  let tableCount = 0;
  let tableName: string;
  let repository: IncidentRepository;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    local = await startLocalDynamoDb();
    documents = DynamoDBDocumentClient.from(local.client);
  });

  afterAll(async () => {
    await local.stop();
  });

  beforeEach(async () => {
    tableCount += 1;
    tableName = `incidents-${tableCount}`;
    await createIncidentsTable(local.client, tableName);
    repository = new IncidentRepository(local.client, tableName, { clock: () => at(30) });
  });

  async function getIncidentItem(incidentId: string): Promise<Record<string, unknown>> {
    const output = await documents.send(
      new GetCommand({ TableName: tableName, Key: incidentKey(incidentId), ConsistentRead: true }),
    );
    if (output.Item === undefined) throw new Error(`Incident item ${incidentId} not found.`);
    return output.Item;
  }

  it('opens a new incident', async () => {
    const result = await repository.openOrJoin(
      triageInput([decision({ id: 'e1' }), decision({ id: 'e2' })]),
      at(0),
      15,
    );

    expect(result.isNew).toBe(true);
    expect(result.incident.incidentId).toMatch(STEP_FUNCTIONS_NAME);
    expect(result.incident).toMatchObject({
      kind: 'violation',
      status: 'open',
      openedAt: at(0).toISOString(),
      windowEndsAt: at(15).toISOString(),
      counts: { violations: 2, reads: 2, objects: 2, prefixes: 2, deniedAttempts: 0 },
      decisionIds: ['e1#0', 'e2#0'],
      objectKeys: [
        `${PHI_BUCKET}/patients/MRN-e1/visit-summary.pdf`,
        `${PHI_BUCKET}/patients/MRN-e2/visit-summary.pdf`,
      ],
    });
    expect(await repository.getIncident(result.incident.incidentId)).toEqual(result.incident);
  });

  it('joins within the window', async () => {
    const first = await repository.openOrJoin(triageInput([decision({ id: 'e1' })]), at(0), 15);
    const second = await repository.openOrJoin(
      triageInput([decision({ id: 'e2', action: 'delete', key: 'patients/MRN-e1/visit-summary.pdf' })]),
      at(14),
      15,
    );

    expect(second.isNew).toBe(false);
    expect(second.incident.incidentId).toBe(first.incident.incidentId);
    expect(second.incident.counts).toMatchObject({
      violations: 2,
      reads: 1,
      deletes: 1,
      objects: 1,
      prefixes: 1,
    });
    expect(second.incident.severity).toBe('medium');
  });

  it('opens another incident after the window', async () => {
    const first = await repository.openOrJoin(triageInput([decision({ id: 'e1' })]), at(0), 15);
    const second = await repository.openOrJoin(triageInput([decision({ id: 'e2' })]), at(15), 15);

    expect(second.isNew).toBe(true);
    expect(second.incident.incidentId).not.toBe(first.incident.incidentId);
    expect(second.incident.counts.violations).toBe(1);
    expect((await repository.getIncident(first.incident.incidentId))?.counts.violations).toBe(1);
  });

  it('counts redelivered decisions once', async () => {
    const batch = triageInput([decision({ id: 'e1' }), decision({ id: 'e2', type: 'denied' })]);
    const first = await repository.openOrJoin(batch, at(0), 15);
    const again = await repository.openOrJoin(batch, at(1), 15);
    const overlapping = await repository.openOrJoin(
      triageInput([decision({ id: 'e2', type: 'denied' }), decision({ id: 'e3' })]),
      at(2),
      15,
    );

    expect(again.isNew).toBe(true);
    expect(again.incident).toEqual(first.incident);
    expect(overlapping.isNew).toBe(false);
    expect(overlapping.incident.counts).toMatchObject({
      violations: 2,
      deniedAttempts: 1,
      reads: 2,
      objects: 2,
    });
  });

  it('ignores redeliveries after the window', async () => {
    const batch = triageInput([decision({ id: 'e1' })]);
    const first = await repository.openOrJoin(batch, at(0), 15);
    const late = await repository.openOrJoin(batch, at(20), 15);

    expect(late.incident.incidentId).toBe(first.incident.incidentId);
    expect(late.incident.counts.violations).toBe(1);
  });

  it('opens a break-glass review incident', async () => {
    const result = await repository.openOrJoin(
      triageInput([decision({ id: 'b1', type: 'break-glass' }), decision({ id: 'b2', type: 'break-glass' })]),
      at(0),
      15,
    );

    expect(result.isNew).toBe(true);
    expect(result.incident.kind).toBe('break-glass-review');
    expect(result.incident.counts).toMatchObject({ violations: 2, reads: 2 });
  });

  it('opens a violation incident over a review', async () => {
    const review = await repository.openOrJoin(
      triageInput([decision({ id: 'b1', type: 'break-glass' })]),
      at(0),
      15,
    );
    const violation = await repository.openOrJoin(triageInput([decision({ id: 'v1' })]), at(5), 15);
    const breakGlassLater = await repository.openOrJoin(
      triageInput([decision({ id: 'b2', type: 'break-glass' })]),
      at(6),
      15,
    );

    expect(violation.isNew).toBe(true);
    expect(violation.incident.kind).toBe('violation');
    expect(violation.incident.incidentId).not.toBe(review.incident.incidentId);
    expect((await repository.getIncident(review.incident.incidentId))?.windowEndsAt).toBe(
      at(5).toISOString(),
    );
    expect(breakGlassLater.incident.incidentId).toBe(violation.incident.incidentId);
    expect(breakGlassLater.incident.counts).toMatchObject({ violations: 1, reads: 2 });
  });

  it('opens one incident for 20 concurrent calls', async () => {
    const inputs = Array.from({ length: 20 }, (_, index) =>
      triageInput([
        decision({ id: `c${index}-a` }),
        decision({ id: `c${index}-b`, type: 'denied' }),
        decision({ id: `c${index}-c`, key: 'shared/roster.csv' }),
      ]),
    );

    const results = await Promise.all(inputs.map((input) => repository.openOrJoin(input, at(0), 15)));

    const incidentIds = new Set(results.map((result) => result.incident.incidentId));
    expect(incidentIds.size).toBe(1);
    expect(results.filter((result) => result.isNew)).toHaveLength(1);
    const stored = await repository.getIncident([...incidentIds][0]);
    expect(stored?.counts).toEqual({
      violations: 40,
      deniedAttempts: 20,
      reads: 40,
      writes: 0,
      deletes: 0,
      lists: 0,
      objects: 21,
      prefixes: 41,
    });
  });

  it('rejects denied attempts alone', async () => {
    const input = triageInput([decision({ id: 'd1', type: 'denied' })]);

    await expect(repository.openOrJoin(input, at(0), 15)).rejects.toBeInstanceOf(InvalidTriageInputError);
  });

  it('rejects a foreign principal decision', async () => {
    const input = {
      principal: ALICE,
      decisions: [{ ...decision({ id: 'e1' }), principalKey: '444455556666' }],
    };

    await expect(repository.openOrJoin(input, at(0), 15)).rejects.toThrow(
      /belongs to principal 444455556666/,
    );
  });

  it('release ends the window', async () => {
    const opened = await repository.openOrJoin(triageInput([decision({ id: 'e1' })]), at(0), 15);
    const released = await repository.recordRelease(opened.incident.incidentId, {
      releasedAt: at(3).toISOString(),
      releasedBy: 'arn:aws:iam::111122223333:user/security-lead',
      reason: 'Grant was missing; access was approved.',
      detail: 'Removed the inline deny policy phi-guard-deny-inc-1.',
    });
    const next = await repository.openOrJoin(triageInput([decision({ id: 'e2' })]), at(4), 15);

    expect(released).toMatchObject({ status: 'released', windowEndsAt: at(3).toISOString() });
    expect(next.isNew).toBe(true);
    expect(next.incident.incidentId).not.toBe(opened.incident.incidentId);
  });

  it('records containment and closes', async () => {
    const opened = await repository.openOrJoin(triageInput([decision({ id: 'e1' })]), at(0), 15);
    const contained = await repository.recordContainment(opened.incident.incidentId, CONTAINED);
    const closed = await repository.closeIncident(opened.incident.incidentId);
    const closedAgain = await repository.closeIncident(opened.incident.incidentId);
    const late = await repository.openOrJoin(triageInput([decision({ id: 'e2' })]), at(31), 60);

    expect(contained).toMatchObject({ containment: CONTAINED, containmentRecordedAt: at(30).toISOString() });
    expect(closed).toMatchObject({
      status: 'closed',
      closedAt: at(30).toISOString(),
      windowEndsAt: at(15).toISOString(),
    });
    expect(closedAgain).toEqual(closed);
    expect(late.incident.incidentId).not.toBe(opened.incident.incidentId);
  });

  it('lists incidents newest first', async () => {
    const first = await repository.openOrJoin(triageInput([decision({ id: 'e1' })]), at(0), 15);
    const second = await repository.openOrJoin(triageInput([decision({ id: 'e2' })]), at(20), 15);

    const listed = await repository.listIncidents(10);

    expect(listed.map((incident) => incident.incidentId)).toEqual([
      second.incident.incidentId,
      first.incident.incidentId,
    ]);
    expect(listed[0]).toEqual(second.incident);
  });

  it('keeps one incident when full', async () => {
    const batch = (start: number) =>
      triageInput(Array.from({ length: 2000 }, (_, index) => decision({ id: `r${start + index}` })));
    const results = [];
    for (let index = 0; index < 8; index++) {
      results.push(await repository.openOrJoin(batch(index * 2000), at(index), 15));
    }
    const redelivered = await repository.openOrJoin(batch(0), at(9), 15);
    const droppedAgain = await repository.openOrJoin(batch(14_000), at(10), 15);

    const incidentId = results[0].incident.incidentId;
    expect(new Set(results.map((result) => result.incident.incidentId))).toEqual(new Set([incidentId]));
    expect(results.filter((result) => result.isNew)).toHaveLength(1);
    // Each decision adds 3 tokens until objects and prefixes reach 15,000 after 7,500 decisions, then 1.
    expect(results[3].incident.counts).toMatchObject({ violations: 8000, objects: 7500, prefixes: 7500 });
    const full = { violations: 15_000, reads: 15_000, objects: 7500, prefixes: 7500 };
    expect(results[7].incident.counts).toMatchObject(full);
    expect(redelivered.incident).toEqual(results[7].incident);
    expect(droppedAgain.incident).toEqual(results[7].incident);

    const item = await getIncidentItem(incidentId);
    expect(item.trackedDecisions).toHaveLength(15_000 * SHORT_HASH_BYTES);
    expect(item.distinctCountsAreLowerBounds).toBe(true);
    expect(item.countsAreLowerBounds).toBe(true);
    const stored = await repository.getIncident(incidentId);
    expect(stored?.countsAreLowerBounds).toBe(true);
    expect(stored?.distinctCountsAreLowerBounds).toBe(true);
  });

  it('marks only distinct counts as lower bounds', async () => {
    const batch = (start: number) =>
      triageInput(Array.from({ length: 2000 }, (_, index) => decision({ id: `p${start + index}` })));
    for (let index = 0; index < 4; index++) {
      await repository.openOrJoin(batch(index * 2000), at(index), 15);
    }
    const last = await repository.openOrJoin(batch(8000), at(4), 15);

    expect(last.incident.counts).toMatchObject({ violations: 10_000, objects: 7500, prefixes: 7500 });
    const item = await getIncidentItem(last.incident.incidentId);
    expect(item.distinctCountsAreLowerBounds).toBe(true);
    expect(item.countsAreLowerBounds).toBe(false);
    expect(last.incident.distinctCountsAreLowerBounds).toBe(true);
    expect(last.incident.countsAreLowerBounds).toBeUndefined();
  });

  it('reads tokens stored as text', async () => {
    const first = await repository.openOrJoin(triageInput([decision({ id: 'e1' })]), at(0), 15);
    const item = await getIncidentItem(first.incident.incidentId);
    const asText = (bytes: Uint8Array) =>
      Array.from({ length: bytes.length / SHORT_HASH_BYTES }, (_, index) =>
        Buffer.from(bytes.subarray(index * SHORT_HASH_BYTES, (index + 1) * SHORT_HASH_BYTES)).toString(
          'base64url',
        ),
      ).join('');
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...item,
          trackedDecisions: asText(item.trackedDecisions as Uint8Array),
          trackedObjects: asText(item.trackedObjects as Uint8Array),
          trackedPrefixes: asText(item.trackedPrefixes as Uint8Array),
        },
      }),
    );

    const again = await repository.openOrJoin(
      triageInput([decision({ id: 'e1' }), decision({ id: 'e2', key: 'patients/MRN-e1/visit-summary.pdf' })]),
      at(1),
      15,
    );

    expect(again.incident.counts).toMatchObject({ violations: 2, reads: 2, objects: 1, prefixes: 1 });
    expect((await getIncidentItem(first.incident.incidentId)).trackedDecisions).toHaveLength(
      2 * SHORT_HASH_BYTES,
    );
  });
});

describe('keyPrefix', () => {
  it.each([
    ['patients/MRN-0012345/visit.pdf', `${PHI_BUCKET}/patients/MRN-0012345/`],
    ['imaging/2024/03/MRN-0012345.dcm', `${PHI_BUCKET}/imaging/2024/`],
    ['MRN-0012345.pdf', `${PHI_BUCKET}/`],
    ['patients/MRN-0012345.pdf', `${PHI_BUCKET}/patients/`],
    ['patients/', `${PHI_BUCKET}/patients/`],
    ['', `${PHI_BUCKET}/`],
  ])('key %j', (key, prefix) => {
    expect(keyPrefix(PHI_BUCKET, key)).toBe(prefix);
  });
});
