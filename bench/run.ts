/**
 * `npm run bench`: the validator benchmark. Generates a seeded CloudTrail stream, runs it through the
 * phi-guard validator and a naive baseline against dynalite on 127.0.0.1, measures CPU per record against
 * `JSON.parse`, bundle sizes and load times, and `cdk synth`. Prints Markdown tables and writes
 * bench-output/results.json.
 *
 * Options: `--skip-synth` leaves out `cdk synth`; `--with-jest` also times `npm run jest` (several minutes).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { putGrants } from '../src/grants/grant-repository';
import { createGrantsTable } from '../src/grants/table-definition';
import { startLocalDynamoDb } from '../src/local/local-dynamodb';
import { GrantCache } from '../src/validator/grant-cache';
import { BENCH_CONTEXT, measureCacheScenarios, preloadGrants } from './batch-facts';
import { measureBundles } from './bundles';
import { measureCpu } from './cpu';
import { GRANTS_TABLE, createBaselineDesign, createValidatorDesign } from './designs';
import { RequestCounter, measureSeries, type SeriesResult } from './measure';
import { buildPopulation } from './population';
import { seededRandom } from './random';
import { renderReport, type BenchResults } from './report';
import { StreamGenerator, cutBatches } from './stream';
import { timeJest, timeSynth } from './tooling';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const SEED = 20250301;
/** Batch size and number of batches per series; 30,000 records cover the largest series. */
const SERIES: readonly (readonly [number, number])[] = [
  [100, 30],
  [1_000, 10],
  [10_000, 3],
];
const STREAM_LENGTH = 30_000;
const OUTPUT_DIR = path.join(__dirname, '..', 'bench-output');

function describeMachine(): BenchResults['machine'] {
  const cpuModel =
    /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpuModel ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

async function runDesigns(): Promise<Omit<BenchResults, 'machine' | 'bundles' | 'synth' | 'jest'>> {
  const random = seededRandom(SEED);
  const population = buildPopulation(random);
  const generator = new StreamGenerator(random, population);
  const records = Array.from({ length: STREAM_LENGTH }, () => generator.next());

  const local = await startLocalDynamoDb();
  try {
    await createGrantsTable(local.client, GRANTS_TABLE);
    await putGrants({ client: local.client, tableName: GRANTS_TABLE }, population.grants);
    const counter = new RequestCounter(local.client);

    const series: SeriesResult[] = [];
    for (const [size, count] of SERIES) {
      const batches = cutBatches(records, size, count);
      console.error(`Measuring ${count} batches of ${size} records...`);
      series.push(
        await measureSeries(
          'phi-guard',
          createValidatorDesign(local.client, new GrantCache()),
          batches,
          counter,
        ),
      );
      series.push(await measureSeries('baseline', createBaselineDesign(local.client), batches, counter));
    }

    const [largest] = cutBatches(records, 10_000, 1);
    const cache = await measureCacheScenarios(local.client, counter, largest);
    const grants = await preloadGrants(local.client, largest);
    const cpu = measureCpu(largest.Records, grants, BENCH_CONTEXT);
    return {
      seed: SEED,
      principals: population.regular.length + population.rogue.length,
      grants: population.grants.length,
      series,
      cache,
      cpu,
    };
  } finally {
    await local.stop();
  }
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const machine = describeMachine();
  console.error(`Node.js ${machine.node} on ${machine.cpus} x ${machine.cpuModel}`);

  const designs = await runDesigns();
  console.error('Bundling handlers...');
  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phi-guard-bench-bundles-'));
  const bundles = await measureBundles(bundleDir);
  fs.rmSync(bundleDir, { recursive: true, force: true });
  console.error(args.has('--skip-synth') ? 'Skipping cdk synth.' : 'Timing cdk synth...');
  const synth = args.has('--skip-synth') ? undefined : timeSynth();
  const jest = args.has('--with-jest') ? timeJest() : undefined;

  const results: BenchResults = { machine, ...designs, bundles, synth, jest };
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUTPUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderReport(results));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
