import { buildPopulation } from './population';
import { seededRandom } from './random';
import { StreamGenerator } from './stream';
import { decodeKinesisRecord } from '../src/validator/decode-record';
import { decideRecords } from '../src/validator/decide-records';
import { BENCH_CONTEXT } from './batch-facts';
import type { Grant } from '../src/domain/types';
const random = seededRandom(20250301);
const population = buildPopulation(random);
const gen = new StreamGenerator(random, population);
const records = Array.from({ length: 10000 }, () => gen.next());
const grants = new Map<string, Grant[]>();
for (const g of population.grants) grants.set(g.principalKey, [...(grants.get(g.principalKey) ?? []), g]);
const sink: unknown[] = [];
const mode = process.argv[2];
for (let r = 0; r < 8; r++) {
  sink.length = 0;
  for (const rec of records)
    sink.push(
      mode === 'decode'
        ? decodeKinesisRecord(rec)
        : decideRecords([decodeKinesisRecord(rec)], grants, BENCH_CONTEXT),
    );
}
console.log(sink.length);
