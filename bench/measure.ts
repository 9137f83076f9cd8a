/** Timing, request counting and table helpers of the benchmark. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamEvent } from 'aws-lambda';
import { performance } from 'node:perf_hooks';
import type { BatchOutcome, ValidatorDesign } from './designs';

/** Counts the requests a DynamoDB client sends, through an `initialize` step middleware. */
export class RequestCounter {
  total = 0;
  readonly byCommand = new Map<string, number>();

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.total += 1;
        const name = context.commandName ?? 'unknown';
        this.byCommand.set(name, (this.byCommand.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
  }

  reset(): void {
    this.total = 0;
    this.byCommand.clear();
  }
}

/** Measurements of one design over a series of batches of one size. */
export interface SeriesResult {
  readonly design: string;
  readonly batchSize: number;
  readonly batches: number;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  /** DynamoDB requests per batch: mean, and the maximum. */
  readonly requestsPerBatch: number;
  readonly maxRequestsPerBatch: number;
  readonly decisions: number;
  readonly violations: number;
  readonly failedRecords: number;
}

/** Runs every batch through the design, one after another, and times each one. */
export async function measureSeries(
  design: string,
  implementation: ValidatorDesign,
  batches: readonly KinesisStreamEvent[],
  counter: RequestCounter,
): Promise<SeriesResult> {
  const latencies: number[] = [];
  const requests: number[] = [];
  const outcomes: BatchOutcome[] = [];
  for (const batch of batches) {
    counter.reset();
    const start = performance.now();
    outcomes.push(await implementation.run(batch));
    latencies.push(performance.now() - start);
    requests.push(counter.total);
  }

  const records = batches.reduce((sum, batch) => sum + batch.Records.length, 0);
  const seconds = latencies.reduce((sum, value) => sum + value, 0) / 1000;
  return {
    design,
    batchSize: batches[0].Records.length,
    batches: batches.length,
    records,
    seconds,
    recordsPerSecond: records / seconds,
    medianMs: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requestsPerBatch: requests.reduce((sum, value) => sum + value, 0) / requests.length,
    maxRequestsPerBatch: Math.max(...requests),
    decisions: outcomes.reduce((sum, outcome) => sum + outcome.decisions, 0),
    violations: outcomes.reduce((sum, outcome) => sum + outcome.violations, 0),
    failedRecords: outcomes.reduce((sum, outcome) => sum + outcome.failedRecords, 0),
  };
}

/** Returns the nearest-rank percentile: with fewer than 100 values, the 99th is the maximum. */
export function percentile(values: readonly number[], rank: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Formats a number with a fixed number of decimals and thousands separators. */
export function formatNumber(value: number, decimals = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Renders a Markdown table; the first row is the header. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows;
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of body) {
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}
