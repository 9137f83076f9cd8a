/**
 * Runs CloudTrail records from local files through the validator core that the Lambda runs, against a
 * grants table in dynalite on 127.0.0.1, and tallies what it decided.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Grant, TriageInput } from '../../domain/types';
import { createGrantsTable } from '../../grants/table-definition';
import { putGrants } from '../../grants/grant-repository';
import { startLocalDynamoDb } from '../../local/local-dynamodb';
import type { LocalResponseResult } from '../../local/response-runner';
import { readConfig } from '../../../lib/config';
import { decodeKinesisRecord } from '../../validator/decode-record';
import { GrantCache } from '../../validator/grant-cache';
import { validateBatch, type ValidateBatchDependencies } from '../../validator/validate-batch';
import { readInputFile } from './input-files';
import { KinesisBatchBuilder, type ReplayBatch } from './kinesis-batches';
import { CollectingTriageStarter, JsonLinesWriter, ReplayDecisionPublisher } from './replay-ports';
import { ReplayTally } from './replay-tally';

const GRANTS_TABLE_NAME = 'phi-guard-replay-grants';

export interface ReplayOptions {
  readonly grants: readonly Grant[];
  /** Files to read, in order (see `listInputFiles`). */
  readonly files: readonly string[];
  /** Kinesis records per validator batch. */
  readonly batchSize: number;
  /** Buckets that hold PHI, or undefined for every bucket. */
  readonly monitoredBuckets?: ReadonlySet<string>;
  /** JSON lines file that receives every decision. */
  readonly outFile?: string;
  /** Folder for the incident reports of the local response workflows. */
  readonly reportsDirectory?: string;
  /** Called after each batch and each file. */
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayProgress {
  readonly filesRead: number;
  readonly recordsRead: number;
}

export interface ReplayResult {
  readonly tally: ReplayTally;
  /** Files processed, including those in `tally.unreadableFiles`. */
  readonly filesRead: number;
  /** One input per principal and batch with violations or break-glass accesses. */
  readonly triageInputs: readonly TriageInput[];
  readonly reportsDirectory?: string;
  /** Outcome of the local triage and response workflows; set when `reportsDirectory` is. */
  readonly responses?: readonly LocalResponseResult[];
  /** Description of each containment dry run, with the policy it would attach. */
  readonly containmentLog: readonly string[];
}

/** Replays the files. dynalite is stopped at the end, also when the run fails. */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const local = await startLocalDynamoDb({ maxAttempts: 3, requestTimeoutMs: 30_000 });
  let out: JsonLinesWriter | undefined;
  try {
    out = options.outFile === undefined ? undefined : await JsonLinesWriter.open(options.outFile);
    await createGrantsTable(local.client, GRANTS_TABLE_NAME);
    await putGrants({ client: local.client, tableName: GRANTS_TABLE_NAME }, options.grants);

    const tally = new ReplayTally();
    const triageStarter = new CollectingTriageStarter();
    const dependencies: ValidateBatchDependencies = {
      dynamoDb: local.client,
      grantsTableName: GRANTS_TABLE_NAME,
      grantCache: new GrantCache(),
      monitoredBuckets: options.monitoredBuckets,
      publisher: new ReplayDecisionPublisher(tally, out),
      triageStarter,
      // The validator's JSON logs would bury the summary, and the tally records everything they report.
      logger: new Logger({ serviceName: 'phi-guard-replay', logLevel: 'SILENT' }),
    };
    await replayFiles(options, dependencies, tally);

    const containmentLog: string[] = [];
    const responses =
      options.reportsDirectory === undefined
        ? undefined
        : await respondLocally(triageStarter.inputs, options, options.reportsDirectory, containmentLog);
    return {
      tally,
      filesRead: options.files.length,
      triageInputs: triageStarter.inputs,
      reportsDirectory: options.reportsDirectory,
      responses,
      containmentLog,
    };
  } finally {
    try {
      await out?.close();
    } finally {
      await local.stop();
    }
  }
}

/**
 * Runs the triage and response workflows that `cdk synth` emits on the collected triage inputs, with
 * containment as a dry run, and writes the reports under `reportsDir`.
 */
async function respondLocally(
  inputs: readonly TriageInput[],
  options: ReplayOptions,
  reportsDir: string,
  containmentLog: string[],
): Promise<LocalResponseResult[]> {
  // Loaded on demand: the runner synthesizes the CDK app, which the other commands never need.
  const { runLocalResponse } = await import('../../local/response-runner');
  const defaults = readConfig(() => undefined);
  const config = { ...defaults, phiBucketNames: [...(options.monitoredBuckets ?? [])] };
  return runLocalResponse(inputs, { config, reportsDir, log: (line) => containmentLog.push(line) });
}

async function replayFiles(
  options: ReplayOptions,
  dependencies: ValidateBatchDependencies,
  tally: ReplayTally,
): Promise<void> {
  const builder = new KinesisBatchBuilder(options.batchSize);
  let filesRead = 0;
  for (const file of options.files) {
    const contents = await readInputFile(file);
    if ('reason' in contents) {
      tally.unreadableFiles.push(contents);
    } else {
      for (const source of contents.records) {
        tally.recordsRead += 1;
        if (source.invalid !== undefined) {
          tally.failures.push({ file, position: source.position, reason: source.invalid });
          continue;
        }
        const batch = builder.add(source);
        if (batch !== undefined) {
          await replayBatch(batch, dependencies, tally);
          options.onProgress?.({ filesRead, recordsRead: tally.recordsRead });
        }
      }
    }
    filesRead += 1;
    options.onProgress?.({ filesRead, recordsRead: tally.recordsRead });
  }

  const lastBatch = builder.flush();
  if (lastBatch !== undefined) {
    await replayBatch(lastBatch, dependencies, tally);
  }
  tally.sortFailures(options.files);
}

/**
 * Runs one batch and sorts each record into decided, skipped or failed. Each Kinesis record contains one
 * CloudTrail record, so exactly one of the three applies to it.
 */
async function replayBatch(
  batch: ReplayBatch,
  dependencies: ValidateBatchDependencies,
  tally: ReplayTally,
): Promise<void> {
  const result = await validateBatch(batch.event, dependencies);
  const failed = new Set(result.batchItemFailures.map((failure) => failure.itemIdentifier));

  for (const record of batch.event.Records) {
    const source = batch.sources.get(record.kinesis.sequenceNumber);
    if (source === undefined) {
      throw new Error(
        `Replay lost track of record ${record.kinesis.sequenceNumber}; this is a defect in phi-guard.`,
      );
    }
    // The validator returns counts, not per-record outcomes, so the record is decoded again for its reasons.
    const decoded = decodeKinesisRecord(record);
    const where = { file: source.file, position: source.position };
    if (failed.has(record.kinesis.sequenceNumber)) {
      tally.failures.push({
        ...where,
        eventId: decoded.accesses[0]?.eventId,
        reason: failureReason(decoded),
      });
    } else if (decoded.skipped.length > 0) {
      const { eventId, eventName, reason, detail } = decoded.skipped[0];
      tally.skipped.push({ ...where, eventId, eventName, reason, detail });
    } else {
      tally.recordsDecided += 1;
    }
  }
}

function failureReason(decoded: ReturnType<typeof decodeKinesisRecord>): string {
  if (decoded.invalid.length > 0) {
    return decoded.invalid.map((content) => content.reason).join('; ');
  }
  const principals = [...new Set(decoded.accesses.map((access) => access.principal.key))].join(', ');
  return `the grant lookup, decision publishing or triage start failed for principal ${principals}`;
}
