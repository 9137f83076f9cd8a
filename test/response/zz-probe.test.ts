import { startLocalDynamoDb } from '../../src/local/local-dynamodb';
import { IncidentRepository } from '../../src/response/incident-repository';
import { createIncidentsTable } from '../../src/response/incidents-table';
import { at, decision, triageInput } from './fixtures';
it('probe', async () => {
  const local = await startLocalDynamoDb();
  await createIncidentsTable(local.client, 't');
  let max = 0;
  let total = 0;
  const repo = new IncidentRepository(local.client, 't', {
    backoff: async (a) => {
      max = Math.max(max, a);
      total++;
      await new Promise((r) => setTimeout(r, 1 + Math.random() * Math.min(50, 5 * a)));
    },
  });
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      repo.openOrJoin(triageInput([decision({ id: `c${i}` })]), at(0), 15),
    ),
  );
  console.log({ max, total, ms: Date.now() - t0 });
  await local.stop();
});
