/**
 * Finds the CloudTrail files that `replay` and `reconcile` read and yields their records one file at a
 * time, each with the file and its position in it, so that every record can be traced back to its source.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type CloudTrailFileEntry, readCloudTrailContent } from '../../domain/cloudtrail-input';
import { describeJsonValue, isJsonObject } from '../../domain/json-value';
import { type CliStream, errorMessage, writeLine } from '../io';
import { PathArgumentError, statIfPresent } from './path-arguments';

/** Extensions that `replay` reads inside folders. Files named on the command line are read whatever their name. */
export const INPUT_EXTENSIONS = ['.json', '.json.gz', '.jsonl', '.gz'] as const;

/**
 * Folders in which CloudTrail delivers digest files (log file validation) and Insights events, next to
 * `CloudTrail/`. Neither contains API call records.
 */
const NON_API_CALL_FOLDERS: ReadonlySet<string> = new Set(['CloudTrail-Digest', 'CloudTrail-Insight']);

/**
 * Names of digest files, such as `111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20250314T010000Z.json.gz`
 * (CloudTrail User Guide, "CloudTrail digest file structure"). Insights files are taken to follow the same
 * scheme with `CloudTrail-Insight`, and the folder check finds them either way.
 */
const NON_API_CALL_FILE_NAME = /_CloudTrail-(Digest|Insight)_/;

/** One CloudTrail record (as found, not yet validated) and where it came from. */
export interface SourceRecord {
  readonly file: string;
  /** 1-based position of the record in its file, counting records in the order the file lists them. */
  readonly position: number;
  readonly record: unknown;
  /**
   * Set for a JSON line that is not valid JSON or not a CloudTrail document, and for a value that is not a
   * JSON object. Such a record is listed as failed and never sent to the validator.
   */
  readonly invalid?: string;
}

/** A file that could not be read or parsed: none of its records reached the validator. */
export interface UnreadableFile {
  readonly file: string;
  readonly reason: string;
}

/** The files to read, in order, and the CloudTrail digest and Insights files that are left out. */
export interface InputFileList {
  readonly files: string[];
  readonly skippedDigestAndInsightFiles: string[];
}

/**
 * Expands files and folders (recursively) into the sorted list of files to read. Inside folders, only
 * files with an extension from `INPUT_EXTENSIONS` are taken, and hidden files and folders are skipped.
 * Digest and Insights files are left out wherever they are, also when named on the command line, because
 * they contain no API call records and a recursive shell glob over `AWSLogs` names them too.
 * @throws PathArgumentError when a path does not exist.
 */
export async function listInputFiles(paths: readonly string[]): Promise<InputFileList> {
  const found: string[] = [];
  const skipped: string[] = [];
  for (const path of paths) {
    const info = await statIfPresent(path);
    if (info === undefined) {
      throw new PathArgumentError(`Input path ${path} does not exist.`);
    }
    if (info.isDirectory()) {
      await listFolder(path, { found, skipped }, false);
    } else if (info.isFile()) {
      (NON_API_CALL_FILE_NAME.test(basename(path)) ? skipped : found).push(path);
    } else {
      throw new PathArgumentError(`Input path ${path} is neither a file nor a folder.`);
    }
  }
  return { files: [...new Set(found)], skippedDigestAndInsightFiles: [...new Set(skipped)] };
}

async function listFolder(
  folder: string,
  lists: { found: string[]; skipped: string[] },
  insideNonApiCallFolder: boolean,
): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  const sorted = entries
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of sorted) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      await listFolder(path, lists, insideNonApiCallFolder || NON_API_CALL_FOLDERS.has(entry.name));
    } else if (entry.isFile() && hasInputExtension(entry.name)) {
      const skip = insideNonApiCallFolder || NON_API_CALL_FILE_NAME.test(entry.name);
      (skip ? lists.skipped : lists.found).push(path);
    }
  }
}

/** Prints how many digest and Insights files were left out, when there were any. */
export function printSkippedFiles(stream: CliStream, list: InputFileList): void {
  const count = list.skippedDigestAndInsightFiles.length;
  if (count > 0) {
    writeLine(
      stream,
      `Skipped CloudTrail digest and Insights files: ${count} (they contain no API call records)`,
    );
  }
}

function hasInputExtension(name: string): boolean {
  return INPUT_EXTENSIONS.some((extension) => name.toLowerCase().endsWith(extension));
}

/**
 * Reads one file (gzipped or plain, a JSON document, array or JSON lines) into its records with the rule of
 * `readCloudTrailContent`. In JSON lines, a bad line becomes one invalid record and the other lines keep
 * theirs. A file that cannot be read or parsed as a whole is returned as unreadable.
 */
export async function readInputFile(file: string): Promise<{ records: SourceRecord[] } | UnreadableFile> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    return { file, reason: errorMessage(error) };
  }

  const read = readCloudTrailContent(content, file);
  if ('unreadable' in read) {
    return { file, reason: read.unreadable };
  }
  return { records: read.entries.map((entry, index) => toSourceRecord(file, index + 1, entry)) };
}

/**
 * Marks a value that is not an object as invalid, because it cannot be a CloudTrail record. The validator
 * would reject it too, but its message would be about the EventBridge event that replay wraps records in.
 */
function toSourceRecord(file: string, position: number, entry: CloudTrailFileEntry): SourceRecord {
  if (entry.invalid !== undefined || isJsonObject(entry.record)) {
    return { file, position, ...entry };
  }
  const invalid = `The CloudTrail record is ${describeJsonValue(entry.record)}, not a JSON object.`;
  return { file, position, record: entry.record, invalid };
}
