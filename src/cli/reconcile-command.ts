/**
 * `phi-guard reconcile`: the comparison of the scheduled reconciliation run, on local files. It lists the
 * CloudTrail events of a folder that have no decision in a replay's decisions file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { compareWithArchive, type Comparison } from '../reconcile/compare';
import { toEventBridgeEvent } from '../reconcile/envelope';
import {
  LocalInputError,
  readDecisionEventIds,
  readTrailRecords,
  sortTrailRecords,
  type UncomparedRecord,
} from '../reconcile/local-files';
import { listInputFiles, printSkippedFiles } from './replay/input-files';
import { PathArgumentError, requireCreatableFile, requireExistingFile } from './replay/path-arguments';
import { formatFailedRecord } from './replay/replay-summary';
import { CliIo, EXIT_CODES, errorMessage, formatCount, processIo, writeLine } from './io';
import { bucketList } from './options';

/** Exit code of `reconcile` when events are missing; 0 means every expected event has a decision. */
export const EVENTS_MISSING_EXIT_CODE = 3;

export interface ReconcileCommandOptions {
  readonly trail: string;
  readonly decisions: string;
  readonly out?: string;
  readonly buckets?: readonly string[];
}

/** A comparison and the trail records that it could not use. */
interface LocalComparison {
  readonly comparison: Comparison;
  readonly uncompared: readonly UncomparedRecord[];
}

/** Adds `reconcile` to the program. */
export function registerReconcileCommand(program: Command, io: CliIo = processIo()): void {
  program
    .command('reconcile')
    .summary('list CloudTrail events of a folder that have no decision in a decisions file')
    .description(
      'Compare, by event id, the S3 data events that the ingestion rules would select from a folder of ' +
        'CloudTrail files with the decisions of `phi-guard replay --out`, as the scheduled reconciliation ' +
        'compares the trail with the evidence archive. Exit code 0: nothing is missing; 1: invalid ' +
        `arguments or files, or no records; ${EXIT_CODES.recordsFailed}: nothing is missing, but some ` +
        `invalid records were not compared and are listed; ${EVENTS_MISSING_EXIT_CODE}: events are ` +
        'missing and are listed.',
    )
    .requiredOption(
      '--trail <dir>',
      'folder of CloudTrail files, searched recursively (.json, .json.gz, .jsonl, .gz); digest and ' +
        'Insights files are skipped',
    )
    .requiredOption('--decisions <file>', 'decisions file (JSON lines) written by `phi-guard replay --out`')
    .option(
      '--out <file>',
      'write each missing event as the EventBridge event the rule would have sent, one JSON document per line',
    )
    .option(
      '--buckets <names>',
      'comma-separated PHI buckets whose events count (default: every bucket)',
      bucketList,
    )
    .action(async (options: ReconcileCommandOptions) => {
      io.setExitCode(await runReconcileCommand(options, io));
    });
}

/** Runs `reconcile`, prints the counts, missing event ids and uncompared records, and returns the exit code. */
export async function runReconcileCommand(options: ReconcileCommandOptions, io: CliIo): Promise<number> {
  try {
    await requireExistingFile(options.decisions, '--decisions file');
    if (options.out !== undefined) {
      await requireCreatableFile(options.out, '--out file');
    }
    const { comparison, uncompared } = await compareLocalFiles(options, io);
    printComparison(comparison, io);
    printUncompared(uncompared, io);
    if (options.out !== undefined) {
      await writeMissingEvents(comparison, options.out);
      writeLine(io.stdout, `Missing events written to ${options.out}`);
    }
    return exitCodeOf(comparison, uncompared);
  } catch (error) {
    const known = error instanceof PathArgumentError || error instanceof LocalInputError;
    writeLine(io.stderr, `error: ${known ? error.message : `reconcile stopped: ${errorMessage(error)}`}`);
    return EXIT_CODES.invalidInput;
  }
}

async function compareLocalFiles(options: ReconcileCommandOptions, io: CliIo): Promise<LocalComparison> {
  const inputs = await listInputFiles([options.trail]);
  printSkippedFiles(io.stdout, inputs);
  const records = await readTrailRecords(inputs.files);
  if (records.length === 0) {
    throw new LocalInputError(`No CloudTrail records found in ${options.trail}, so nothing was compared.`);
  }

  const buckets = options.buckets === undefined ? undefined : new Set(options.buckets);
  const { comparable, uncompared } = sortTrailRecords(records, buckets);
  const decided = await readDecisionEventIds(options.decisions);
  const comparison = compareWithArchive(comparable, (eventId) => decided.has(eventId), buckets);
  return { comparison, uncompared };
}

/** Returns 3 for missing events even when records were not compared, because missing events are certain findings. */
function exitCodeOf(comparison: Comparison, uncompared: readonly UncomparedRecord[]): number {
  if (comparison.counts.missing > 0) return EVENTS_MISSING_EXIT_CODE;
  if (uncompared.length > 0) return EXIT_CODES.recordsFailed;
  return EXIT_CODES.ok;
}

async function writeMissingEvents(comparison: Comparison, out: string): Promise<void> {
  const lines = comparison.missing.map((event) => JSON.stringify(toEventBridgeEvent(event.record)));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, lines.map((line) => `${line}\n`).join(''));
}

function printComparison(comparison: Comparison, io: CliIo): void {
  const { counts } = comparison;
  writeLine(io.stdout, `Expected events: ${counts.expected}`);
  writeLine(io.stdout, `Received events: ${counts.received}`);
  writeLine(io.stdout, `Missing events: ${counts.missing}`);
  if (counts.withoutEventId > 0) {
    writeLine(io.stdout, `Records without eventID (not compared): ${counts.withoutEventId}`);
  }
  for (const event of comparison.missing) {
    writeLine(io.stdout, `missing ${event.eventId}`);
  }
}

/** Lists each uncompared record with its file, position and reason, as `replay` lists failed records. */
function printUncompared(uncompared: readonly UncomparedRecord[], io: CliIo): void {
  if (uncompared.length === 0) {
    return;
  }
  writeLine(
    io.stdout,
    `Invalid records not compared: ${uncompared.length} (replay fails them too, so they have no decision)`,
  );
  for (const record of uncompared) {
    writeLine(io.stdout, formatFailedRecord(record));
  }
  writeLine(
    io.stderr,
    `warning: ${formatCount(uncompared.length, 'invalid record')} could not be compared, so the comparison is incomplete.`,
  );
}
