import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseGrantsFile, type GrantProblem } from '../../domain/grants';
import type { Grant } from '../../domain/types';
import type { GrantRejection } from '../../grants/grant-repository';
import { CliStream, errorMessage, writeLine } from '../io';

export type GrantsFileFormat = 'json' | 'csv';

export const GRANTS_FILE_FORMATS: readonly GrantsFileFormat[] = ['json', 'csv'];

/** The grants that a file contains and the problems found in it, one per broken rule. */
export interface GrantsFileContents {
  readonly path: string;
  readonly grants: readonly Grant[];
  /** Line on which each grant starts, by grantId. */
  readonly grantLines: ReadonlyMap<string, number>;
  readonly problems: readonly GrantProblem[];
}

/** Thrown when a grants file cannot be read at all, or its format cannot be determined from its name. */
export class GrantsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrantsFileError';
  }
}

/**
 * Reads and validates a grants file. The format comes from `format`, else from the extension
 * (`.json` or `.csv`, any case). `now` sets the validation time, the latest `revokedAt` allowed, and
 * defaults to the system clock.
 * @throws GrantsFileError when the file cannot be read or the format is unknown.
 */
export async function readGrantsFile(
  path: string,
  format?: GrantsFileFormat,
  now?: () => Date,
): Promise<GrantsFileContents> {
  const resolvedFormat = format ?? formatFromExtension(path);

  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new GrantsFileError(`Cannot read grants file ${path}: ${errorMessage(error)}`);
  }

  const { grants, grantLines, problems } = parseGrantsFile(text, resolvedFormat, { now });
  return { path, grants, grantLines, problems };
}

function formatFromExtension(path: string): GrantsFileFormat {
  const extension = extname(path).slice(1).toLowerCase();
  if (extension === 'json' || extension === 'csv') {
    return extension;
  }
  throw new GrantsFileError(
    `Cannot tell the format of grants file ${path} from its extension: name it .json or .csv, or pass --format json|csv.`,
  );
}

/** Prints each problem as `FILE:LINE: field: message`, the form that editors and CI annotations read. */
export function printGrantProblems(stream: CliStream, contents: GrantsFileContents): void {
  for (const problem of contents.problems) {
    const field = problem.field ? `${problem.field}: ` : '';
    writeLine(stream, `${contents.path}:${problem.line}: ${field}${problem.message}`);
  }
}

/** Prints each rejected grant as `FILE:LINE: grantId: message`, in the form of `printGrantProblems`. */
export function printGrantRejections(
  stream: CliStream,
  contents: GrantsFileContents,
  rejections: readonly GrantRejection[],
): void {
  for (const rejection of rejections) {
    const line = contents.grantLines.get(rejection.grantId);
    const location = line === undefined ? contents.path : `${contents.path}:${line}`;
    writeLine(stream, `${location}: grantId: ${rejection.message}`);
  }
}
