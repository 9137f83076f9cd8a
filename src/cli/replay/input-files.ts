/**
 * Finds the CloudTrail files that `replay` reads and yields their records one file at a time, each with
 * the file and its position in it, so that every record can be traced back to its source.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parseCloudTrailText } from '../../domain/cloudtrail-input';
import { errorMessage } from '../io';

/** Extensions that `replay` reads inside folders. Files named on the command line are read whatever their name. */
export const INPUT_EXTENSIONS = ['.json', '.json.gz', '.jsonl', '.gz'] as const;

/** One CloudTrail record (as found, not yet validated) and where it came from. */
export interface SourceRecord {
  readonly file: string;
  /** 1-based position of the record in its file, counting records in the order the file lists them. */
  readonly position: number;
  readonly record: unknown;
  /** Set for a JSON line that could not be parsed: the record is listed as failed, never sent on. */
  readonly invalid?: string;
}

/** A file that could not be read or parsed: none of its records reached the validator. */
export interface UnreadableFile {
  readonly file: string;
  readonly reason: string;
}

/** Thrown when a path named on the command line does not exist or is neither a file nor a folder. */
export class InputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputPathError';
  }
}

/**
 * Expands files and folders (recursively) into the sorted list of files to read. Inside folders, only
 * files with an extension from `INPUT_EXTENSIONS` are taken, and hidden files and folders are skipped.
 * @throws InputPathError when a path does not exist.
 */
export async function listInputFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) {
      throw new InputPathError(`Input path ${path} does not exist.`);
    }
    if (info.isDirectory()) {
      files.push(...(await listFolder(path)));
    } else if (info.isFile()) {
      files.push(path);
    } else {
      throw new InputPathError(`Input path ${path} is neither a file nor a folder.`);
    }
  }
  return [...new Set(files)];
}

async function listFolder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const sorted = entries
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of sorted) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      files.push(...(await listFolder(path)));
    } else if (
      entry.isFile() &&
      INPUT_EXTENSIONS.some((extension) => entry.name.toLowerCase().endsWith(extension))
    ) {
      files.push(path);
    }
  }
  return files;
}

/**
 * Reads one file (gzipped or plain; JSON document, array or JSON lines) into its records. When the file
 * as a whole does not parse but has several lines, it is read line by line, so that one bad line fails
 * only that record and the valid lines are still decided.
 */
export async function readInputFile(file: string): Promise<{ records: SourceRecord[] } | UnreadableFile> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    return { file, reason: errorMessage(error) };
  }

  try {
    const records = parseCloudTrailText(content);
    return { records: records.map((record, index) => ({ file, position: index + 1, record })) };
  } catch (error) {
    const lines = nonEmptyLines(content);
    return lines.length < 2 ? { file, reason: errorMessage(error) } : { records: readLines(file, lines) };
  }
}

function nonEmptyLines(content: Buffer): { text: string; lineNumber: number }[] {
  let text: string;
  try {
    text = (content[0] === 0x1f && content[1] === 0x8b ? gunzipSync(content) : content).toString('utf8');
  } catch {
    return [];
  }
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ text: line, lineNumber: index + 1 }))
    .filter((line) => line.text.trim() !== '');
}

function readLines(file: string, lines: readonly { text: string; lineNumber: number }[]): SourceRecord[] {
  const records: SourceRecord[] = [];
  for (const line of lines) {
    try {
      for (const record of parseCloudTrailText(line.text)) {
        records.push({ file, position: records.length + 1, record });
      }
    } catch (error) {
      const invalid = `line ${line.lineNumber} is not a CloudTrail record: ${errorMessage(error)}`;
      records.push({ file, position: records.length + 1, record: undefined, invalid });
    }
  }
  return records;
}
