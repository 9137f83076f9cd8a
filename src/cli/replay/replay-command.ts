/**
 * `phi-guard replay`: decides CloudTrail records from local files with the validator that the Lambda
 * runs, against the grants of a grants file, and prints what it found.
 */
import { Command, Option } from 'commander';
import type { Grant } from '../../domain/types';
import { GrantsFileError, printGrantProblems, readGrantsFile } from '../grants/grants-file';
import { CliIo, EXIT_CODES, errorMessage, formatCount, processIo, writeLine } from '../io';
import { bucketList, integerInRange } from '../options';
import { listInputFiles, printSkippedFiles } from './input-files';
import {
  PathArgumentError,
  requireCreatableFile,
  requireCreatableFolder,
  requireExistingFile,
} from './path-arguments';
import { createProgressDisplay } from './progress';
import { formatReplaySummary } from './replay-summary';
import { runReplay, type ReplayResult } from './run-replay';

export const DEFAULT_BATCH_SIZE = 100;
/** The largest batch a Kinesis event source mapping delivers to Lambda. */
export const MAX_BATCH_SIZE = 10_000;

export interface ReplayCommandOptions {
  readonly grants: string;
  readonly out?: string;
  readonly batchSize: number;
  readonly buckets?: readonly string[];
  readonly reports?: string;
  readonly quiet?: boolean;
}

export interface ReplayCommandOutcome {
  readonly exitCode: number;
  /** Undefined when the run did not start (invalid arguments or grants file) or stopped on an error. */
  readonly result?: ReplayResult;
}

/** Adds `replay` to the program. */
export function registerReplayCommand(program: Command, io: CliIo = processIo()): void {
  program
    .command('replay')
    .summary('decide local CloudTrail files against a grants file, as the validator Lambda would')
    .description(
      'Decide CloudTrail records from local files with the validator the Lambda runs, against a grants file, ' +
        'using a local DynamoDB (dynalite) on 127.0.0.1. Exit code 0: completed (violations are findings); ' +
        '1: invalid arguments, paths or grants file, or inputs without any CloudTrail record; 2: some ' +
        'records failed or some files could not be read, and they are listed.',
    )
    .argument(
      '<paths...>',
      'CloudTrail files or folders (searched recursively for .json, .json.gz, .jsonl and .gz files): ' +
        'CloudTrail log files, single records, EventBridge events or JSON lines, gzipped or plain; ' +
        'CloudTrail digest and Insights files are skipped',
    )
    .requiredOption('--grants <file>', 'grants file (.json or .csv) loaded into the local grants table')
    .option(
      '--out <file>',
      'write every decision as one JSON document per line to this file (replaced if it exists)',
    )
    .addOption(
      new Option('--batch-size <records>', `Kinesis records per validator batch, 1 to ${MAX_BATCH_SIZE}`)
        .argParser(integerInRange(1, MAX_BATCH_SIZE))
        .default(DEFAULT_BATCH_SIZE),
    )
    .option(
      '--buckets <names>',
      'comma-separated PHI buckets to monitor; accesses to other buckets are out-of-scope ' +
        '(default: the buckets the grants file names, or every bucket if it names none)',
      bucketList,
    )
    .option(
      '--reports <dir>',
      'run the triage and response workflows locally (containment as a dry run) and write their reports to this folder',
    )
    .option('--quiet', 'print only the totals and failed records, and no progress bar')
    .action(async (paths: string[], options: ReplayCommandOptions) => {
      const outcome = await runReplayCommand(paths, options, io);
      io.setExitCode(outcome.exitCode);
    });
}

/** Runs `replay` and prints its summary. Returns the exit code and, when the run completed, its result. */
export async function runReplayCommand(
  paths: readonly string[],
  options: ReplayCommandOptions,
  io: CliIo,
): Promise<ReplayCommandOutcome> {
  try {
    await checkPathArguments(options);
    const inputs = await listInputFiles(paths);
    printSkippedFiles(io.stdout, inputs);
    if (inputs.files.length === 0) {
      writeLine(io.stderr, `error: ${noRecordsMessage(paths)}`);
      return { exitCode: EXIT_CODES.invalidInput };
    }
    const grants = await loadGrants(options.grants, io);
    if (grants === undefined) {
      return { exitCode: EXIT_CODES.invalidInput };
    }
    const result = await replayWithProgress(inputs.files, grants, options, io);
    for (const line of formatReplaySummary(result, { quiet: options.quiet === true, outFile: options.out })) {
      writeLine(io.stdout, line);
    }
    return { exitCode: exitCodeOf(result, paths, io), result };
  } catch (error) {
    const known = error instanceof PathArgumentError || error instanceof GrantsFileError;
    writeLine(io.stderr, `error: ${known ? error.message : `replay stopped: ${errorMessage(error)}`}`);
    return { exitCode: EXIT_CODES.invalidInput };
  }
}

/** Checks the file and folder options before any work, so that a wrong path fails at once. */
async function checkPathArguments(options: ReplayCommandOptions): Promise<void> {
  await requireExistingFile(options.grants, '--grants file');
  if (options.out !== undefined) {
    await requireCreatableFile(options.out, '--out file');
  }
  if (options.reports !== undefined) {
    await requireCreatableFolder(options.reports, '--reports path');
  }
}

function noRecordsMessage(paths: readonly string[]): string {
  return `no CloudTrail records found in ${paths.join(', ')}, so nothing was checked.`;
}

/**
 * Returns 2 when records failed or files could not be read, and 1 when the inputs contain no record at
 * all, because a check that read nothing must not pass as one that found nothing.
 */
function exitCodeOf(result: ReplayResult, paths: readonly string[], io: CliIo): number {
  const { tally } = result;
  if (tally.failures.length > 0 || tally.unreadableFiles.length > 0) {
    return EXIT_CODES.recordsFailed;
  }
  if (tally.recordsRead === 0) {
    writeLine(io.stderr, `error: ${noRecordsMessage(paths)}`);
    return EXIT_CODES.invalidInput;
  }
  return EXIT_CODES.ok;
}

/** Reads the grants file. When it has problems, prints them and returns undefined. */
async function loadGrants(path: string, io: CliIo): Promise<readonly Grant[] | undefined> {
  const contents = await readGrantsFile(path);
  if (contents.problems.length === 0) {
    if (contents.grants.length === 0) {
      writeLine(
        io.stderr,
        `warning: grants file ${path} contains no grants, so every access that a grant could cover is a violation.`,
      );
    }
    return contents.grants;
  }
  printGrantProblems(io.stderr, contents);
  writeLine(
    io.stderr,
    `error: grants file ${path} has ${formatCount(contents.problems.length, 'problem')}, so nothing was replayed.`,
  );
  return undefined;
}

async function replayWithProgress(
  files: readonly string[],
  grants: readonly Grant[],
  options: ReplayCommandOptions,
  io: CliIo,
): Promise<ReplayResult> {
  const monitoredBuckets = monitoredBucketsOf(options.buckets, grants);
  writeLine(
    io.stdout,
    `Monitored buckets: ${monitoredBuckets === undefined ? 'all' : [...monitoredBuckets].join(', ')}`,
  );

  const progress = createProgressDisplay(io.stderr, files.length, options.quiet !== true);
  try {
    return await runReplay({
      grants,
      files,
      batchSize: options.batchSize,
      monitoredBuckets,
      outFile: options.out,
      reportsDirectory: options.reports,
      onProgress: (update) => progress.update(update),
    });
  } finally {
    progress.stop();
  }
}

/** Returns `--buckets` when given, else the buckets that the grants name, else undefined (every bucket is monitored). */
export function monitoredBucketsOf(
  buckets: readonly string[] | undefined,
  grants: readonly Grant[],
): Set<string> | undefined {
  const names = buckets ?? grants.map((grant) => grant.bucket);
  return names.length === 0 ? undefined : new Set([...names].sort());
}
