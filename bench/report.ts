/** The benchmark's results and their Markdown rendering, with each target marked as met or missed. */
import type { CacheScenarios } from './batch-facts';
import type { BundleResult } from './bundles';
import type { CpuResult } from './cpu';
import { formatNumber, markdownTable, type SeriesResult } from './measure';
import type { CommandTiming } from './tooling';

export interface BenchResults {
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly node: string;
    readonly platform: string;
  };
  readonly seed: number;
  readonly principals: number;
  readonly grants: number;
  readonly series: readonly SeriesResult[];
  readonly cache: CacheScenarios;
  readonly cpu: CpuResult;
  readonly bundles: readonly BundleResult[];
  readonly synth?: CommandTiming;
  readonly jest?: CommandTiming;
}

/** Targets of the validator; each is checked against the measured value. */
const TARGETS = {
  speedupAt10k: 20,
  cpuMultiple: 3,
  bundleBytes: 500 * 1024,
  loadMs: 150,
};

const verdict = (met: boolean): string => (met ? 'met' : '**missed**');

function seriesTable(series: readonly SeriesResult[]): string {
  const rows = series.map((result) => [
    result.design,
    formatNumber(result.batchSize),
    formatNumber(result.batches),
    formatNumber(result.recordsPerSecond),
    formatNumber(result.requestsPerBatch, 1),
    formatNumber(result.medianMs, 1),
    formatNumber(result.p99Ms, 1),
    formatNumber(result.violations),
  ]);
  return markdownTable([
    [
      'design',
      'batch size',
      'batches',
      'records/s',
      'DynamoDB requests per batch',
      'median ms',
      'p99 ms',
      'violations',
    ],
    ...rows,
  ]);
}

function ratioTable(series: readonly SeriesResult[]): { table: string; speedupAt10k: number } {
  const rows: string[][] = [];
  let speedupAt10k = 0;
  for (const validator of series.filter((result) => result.design === 'phi-guard')) {
    const baseline = series.find(
      (result) => result.design === 'baseline' && result.batchSize === validator.batchSize,
    );
    if (baseline === undefined) {
      continue;
    }
    const speedup = validator.recordsPerSecond / baseline.recordsPerSecond;
    if (validator.batchSize === 10_000) {
      speedupAt10k = speedup;
    }
    rows.push([
      formatNumber(validator.batchSize),
      `${formatNumber(speedup, 1)}x`,
      `${formatNumber(baseline.requestsPerBatch / validator.requestsPerBatch, 1)}x`,
      validator.decisions === baseline.decisions && validator.violations === baseline.violations
        ? 'yes'
        : '**no**',
    ]);
  }
  return {
    table: markdownTable([['batch size', 'throughput ratio', 'request ratio', 'same decisions'], ...rows]),
    speedupAt10k,
  };
}

function cacheTable(cache: CacheScenarios): string {
  const bound = cache.distinctPrincipals + Math.ceil(cache.distinctObjectKeys / 100);
  return markdownTable([
    ['10,000-record batch', 'value'],
    ['distinct principals', formatNumber(cache.distinctPrincipals)],
    ['principals that need a grant lookup', formatNumber(cache.lookupPrincipals)],
    ['principals with a violation', formatNumber(cache.violatingPrincipals)],
    [
      'violating principals with a lookup (one consistent re-read each)',
      formatNumber(cache.confirmedPrincipals),
    ],
    ['distinct object keys in monitored buckets', formatNumber(cache.distinctObjectKeys)],
    ['bound: principals + one per 100 keys', formatNumber(bound)],
    ['requests, cold cache', `${formatNumber(cache.coldRequests)} (${verdict(cache.coldRequests <= bound)})`],
    ['requests, same batch with warm cache', formatNumber(cache.warmRequests)],
    [
      'requests, warm cache, batch without violating principals',
      `${formatNumber(cache.warmWithoutViolationsRequests)} (${verdict(cache.warmWithoutViolationsRequests === 0)})`,
    ],
  ]);
}

function cpuTable(cpu: CpuResult): string {
  const multiple = (value: number) => `${formatNumber(value / cpu.jsonParseUs, 2)}x`;
  return markdownTable([
    ['step (per record, grants preloaded)', 'CPU µs', 'multiple of JSON.parse'],
    ['JSON.parse of the UTF-8 text (floor)', formatNumber(cpu.jsonParseUs, 2), '1.00x'],
    ['base64 + UTF-8 decode + JSON.parse', formatNumber(cpu.transportUs, 2), multiple(cpu.transportUs)],
    ['decodeKinesisRecord (adds CloudTrail parsing)', formatNumber(cpu.decodeUs, 2), multiple(cpu.decodeUs)],
    [
      'decodeKinesisRecord + decideRecords',
      formatNumber(cpu.decodeAndDecideUs, 2),
      `${multiple(cpu.decodeAndDecideUs)} (${verdict(cpu.decodeAndDecideUs <= TARGETS.cpuMultiple * cpu.jsonParseUs)})`,
    ],
  ]);
}

function bundleTable(bundles: readonly BundleResult[]): string {
  return markdownTable([
    ['bundle', 'minified size', 'size target', 'import ms (median of 5)', 'load target'],
    ...bundles.map((result) => [
      result.entry,
      `${formatNumber(result.bytes / 1024)} KiB`,
      verdict(result.bytes < TARGETS.bundleBytes),
      result.loadMs === undefined ? `failed: ${result.loadError ?? ''}` : formatNumber(result.loadMs, 1),
      result.loadMs === undefined ? '**missed**' : verdict(result.loadMs < TARGETS.loadMs),
    ]),
  ]);
}

function toolTable(results: BenchResults): string {
  const rows = [results.synth, results.jest].flatMap((timing) =>
    timing === undefined
      ? []
      : [
          [
            `\`${timing.command}\``,
            formatNumber(timing.seconds, 1),
            timing.exitCode === 0 ? 'succeeded' : `failed: ${timing.failure ?? ''}`,
          ],
        ],
  );
  return rows.length === 0
    ? '(not measured in this run)'
    : markdownTable([['command', 'seconds', 'result'], ...rows]);
}

export function renderReport(results: BenchResults): string {
  const { machine } = results;
  const ratios = ratioTable(results.series);
  return [
    `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, Node.js ${machine.node}`,
    `Input: seed ${results.seed}, ${results.principals} principals, ${results.grants} grants`,
    '',
    seriesTable(results.series),
    '',
    ratios.table,
    '',
    `Speedup at 10,000-record batches: ${formatNumber(ratios.speedupAt10k, 1)}x (target ${TARGETS.speedupAt10k}x: ${verdict(ratios.speedupAt10k >= TARGETS.speedupAt10k)})`,
    '',
    cacheTable(results.cache),
    '',
    cpuTable(results.cpu),
    '',
    bundleTable(results.bundles),
    '',
    toolTable(results),
  ].join('\n');
}
