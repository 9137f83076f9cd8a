/**
 * At-least-once delivery: every record delivered twice, in shuffled order and in different batches, gives
 * the same decisions as one delivery in order, and the triage inputs of both runs open one incident per
 * principal with the same counts (`IncidentRepository.openOrJoin` against dynalite on 127.0.0.1).
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { TriageInput } from '../../src/domain/types';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/local-dynamodb';
import { IncidentRepository } from '../../src/response/incident-repository';
import { createIncidentsTable } from '../../src/response/incidents-table';
import type { Incident } from '../../src/response/types';
import { kinesisRecordWithData } from '../validator/support/fixtures';
import type { RecordingTriageStarter } from '../validator/support/recording';
import { CLINICIAN_KEY, INTRUDER_KEY, ROOT_KEY, mixedBatch, stableView } from './support/mixed-batch';
import { NOW, createGrants, createValidatorHarness, reliabilityGrants } from './support/validator-harness';

const BATCH_SIZE = 5;

let local: LocalDynamoDb;

beforeAll(async () => {
  local = await startLocalDynamoDb();
  await createGrants(local.client, reliabilityGrants());
});

afterAll(async () => {
  await local.stop();
});

/** Returns a pseudo-random generator in [0, 1) (mulberry32), so that the shuffle is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}

/** Runs the records in batches of `BATCH_SIZE`; returns the decisions by id and every triage input. */
async function deliver(records: readonly KinesisStreamRecord[]) {
  const harness = createValidatorHarness({ dynamoDb: local.client });
  const decisions = new Map<string, string[]>();
  for (let start = 0; start < records.length; start += BATCH_SIZE) {
    const result = await harness.run(records.slice(start, start + BATCH_SIZE));
    expect(result.response.batchItemFailures).toEqual([]);
    for (const decision of result.decisions) {
      decisions.set(decision.decisionId, [
        ...(decisions.get(decision.decisionId) ?? []),
        stableView(decision),
      ]);
    }
  }
  return { decisions, triageInputs: (harness.triageStarter as RecordingTriageStarter).inputs };
}

let tableCount = 0;

/** Runs every triage input through `openOrJoin` in a new incidents table; returns the incidents by principal. */
async function triage(inputs: readonly TriageInput[]): Promise<Map<string, Incident[]>> {
  tableCount += 1;
  const tableName = `reliability-incidents-${tableCount}`;
  await createIncidentsTable(local.client, tableName);
  const repository = new IncidentRepository(local.client, tableName, { clock: () => NOW });
  for (const input of inputs) {
    await repository.openOrJoin(input, NOW);
  }
  const byPrincipal = new Map<string, Incident[]>();
  for (const incident of await repository.listIncidents(100)) {
    byPrincipal.set(incident.principal.key, [...(byPrincipal.get(incident.principal.key) ?? []), incident]);
  }
  return byPrincipal;
}

describe('validator with duplicates and reordering', () => {
  it('same decisions and incidents', async () => {
    const records = [...mixedBatch(), ...mixedBatch(), ...mixedBatch()];
    const redelivered = shuffle(
      records.flatMap((record) => [record, kinesisRecordWithData(record.kinesis.data)]),
      seededRandom(20250301),
    );

    const once = await deliver(records);
    const twice = await deliver(redelivered);

    expect(twice.decisions.size).toBe(once.decisions.size);
    for (const [decisionId, views] of once.decisions) {
      expect(views).toHaveLength(1);
      expect(twice.decisions.get(decisionId)).toEqual([views[0], views[0]]);
    }

    const incidentsOnce = await triage(once.triageInputs);
    const incidentsTwice = await triage(twice.triageInputs);
    expect([...incidentsTwice.keys()].sort()).toEqual([CLINICIAN_KEY, INTRUDER_KEY, ROOT_KEY].sort());
    for (const [principalKey, incidents] of incidentsTwice) {
      expect({ principalKey, incidents: incidents.length }).toEqual({ principalKey, incidents: 1 });
      const [single] = incidentsOnce.get(principalKey) ?? [];
      expect(incidents[0].counts).toEqual(single.counts);
      expect([...incidents[0].decisionIds].sort()).toEqual([...single.decisionIds].sort());
    }
    const violations = [...once.decisions.values()].filter((views) => views[0].includes(' | violation | '));
    const counted = [...incidentsTwice.values()].reduce(
      (total, [incident]) => total + incident.counts.violations,
      0,
    );
    expect(counted).toBe(violations.length);
  });
});
