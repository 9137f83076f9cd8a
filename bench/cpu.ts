/**
 * CPU time per record of the validator's pure path (decode and decide, grants preloaded, no I/O), next
 * to `JSON.parse` alone on the same records, measured with `process.cpuUsage`.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { preparePrincipalGrants, type DecisionContext, type PrincipalGrants } from '../src/domain/classify';
import type { Grant } from '../src/domain/types';
import { decideRecords } from '../src/validator/decide-records';
import { decodeKinesisRecord } from '../src/validator/decode-record';
import { median } from './measure';

/** Microseconds of CPU time per record for each step, medians over the rounds. */
export interface CpuResult {
  readonly records: number;
  readonly rounds: number;
  /** `JSON.parse` of the decoded UTF-8 text: the floor. */
  readonly jsonParseUs: number;
  /** base64 and UTF-8 decoding plus `JSON.parse`: what any consumer of the stream pays. */
  readonly transportUs: number;
  /** `decodeKinesisRecord`: transport plus CloudTrail parsing and identity normalization. */
  readonly decodeUs: number;
  /**
   * `decodeKinesisRecord` plus `decideRecords`, and the preparation of every principal's grants once per
   * round, as `validateBatch` prepares them once per batch.
   */
  readonly decodeAndDecideUs: number;
}

function cpuMicroseconds(action: () => void): number {
  const before = process.cpuUsage();
  action();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

function prepareAll(grants: ReadonlyMap<string, readonly Grant[]>): Map<string, PrincipalGrants> {
  const prepared = new Map<string, PrincipalGrants>();
  for (const [principalKey, principalGrants] of grants) {
    prepared.set(principalKey, preparePrincipalGrants(principalKey, principalGrants));
  }
  return prepared;
}

/**
 * Measures each step over all records, `rounds` times after one warm-up round, and returns the median
 * per record. Results are kept in a sink so that the JIT cannot drop the work.
 */
export function measureCpu(
  records: readonly KinesisStreamRecord[],
  grants: ReadonlyMap<string, readonly Grant[]>,
  context: DecisionContext,
  rounds = 5,
): CpuResult {
  const texts = records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const sink: unknown[] = [];

  const steps = {
    jsonParseUs: () => texts.forEach((text) => sink.push(JSON.parse(text))),
    transportUs: () =>
      records.forEach((record) =>
        sink.push(JSON.parse(decoder.decode(Buffer.from(record.kinesis.data, 'base64')))),
      ),
    decodeUs: () => records.forEach((record) => sink.push(decodeKinesisRecord(record))),
    decodeAndDecideUs: () => {
      const prepared = prepareAll(grants);
      records.forEach((record) => sink.push(decideRecords([decodeKinesisRecord(record)], prepared, context)));
    },
  };

  const samples: Record<keyof typeof steps, number[]> = {
    jsonParseUs: [],
    transportUs: [],
    decodeUs: [],
    decodeAndDecideUs: [],
  };
  for (let round = 0; round <= rounds; round++) {
    for (const [name, step] of Object.entries(steps) as [keyof typeof steps, () => void][]) {
      sink.length = 0;
      const micros = cpuMicroseconds(step);
      if (round > 0) {
        samples[name].push(micros / records.length);
      }
    }
  }

  return {
    records: records.length,
    rounds,
    jsonParseUs: median(samples.jsonParseUs),
    transportUs: median(samples.transportUs),
    decodeUs: median(samples.decodeUs),
    decodeAndDecideUs: median(samples.decodeAndDecideUs),
  };
}
