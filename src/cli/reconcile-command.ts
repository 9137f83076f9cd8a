/**
 * `phi-guard reconcile`: the comparison of the scheduled reconciliation run, on local files. It lists the
 * CloudTrail events of a folder that have no decision in a replay's decisions file.
 */
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { compareWithArchive, type Comparison } from '../reconcile/compare';
import { toEventBridgeEvent } from '../reconcile/envelope';
import {
  LocalInputError,
  readDecisionEventIds,
  readTrailRecords,
  yieldsDecision,
} from '../reconcile/local-files';
import { InputPathError, listInputFiles } from './replay/input-files';
import { CliIo, EXIT_CODES, errorMessage, processIo, writeLine } from './io';
import { bucketList } from './options';

/** Exit code of `reconcile` when events are missing; 0 means every expected event has a decision. */
export const EVENTS_MISSING_EXIT_CODE = 3;

export interface ReconcileCommandOptions {
  readonly trail: string;
  readonly decisions: string;
  readonly out?: string;
  readonly buckets?: readonly string[];
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
        `arguments or files; ${EVENTS_MISSING_EXIT_CODE}: events are missing and are listed.`,
    )
    .requiredOption(
      '--trail <dir>',
      'folder of CloudTrail files, searched recursively (.json, .json.gz, .jsonl, .gz)',
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

/** Runs `reconcile`, prints the counts and missing event ids, and returns the exit code. */
export async function runReconcileCommand(options: ReconcileCommandOptions, io: CliIo): Promise<number> {
  try {
    const comparison = await compareLocalFiles(options);
    printComparison(comparison, io);
    if (options.out !== undefined) {
      const lines = comparison.missing.map((event) => JSON.stringify(toEventBridgeEvent(event.record)));
      await writeFile(options.out, lines.map((line) => `${line}\n`).join(''));
      writeLine(io.stdout, `Missing events written to ${options.out}`);
    }
    return comparison.counts.missing > 0 ? EVENTS_MISSING_EXIT_CODE : EXIT_CODES.ok;
  } catch (error) {
    const known = error instanceof InputPathError || error instanceof LocalInputError;
    writeLine(io.stderr, `error: ${known ? error.message : `reconcile stopped: ${errorMessage(error)}`}`);
    return EXIT_CODES.invalidInput;
  }
}

async function compareLocalFiles(options: ReconcileCommandOptions): Promise<Comparison> {
  const files = await listInputFiles([options.trail]);
  const records = (await readTrailRecords(files)).filter(yieldsDecision);
  const decided = await readDecisionEventIds(options.decisions);
  const buckets = options.buckets === undefined ? undefined : new Set(options.buckets);
  return compareWithArchive(records, (eventId) => decided.has(eventId), buckets);
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
