/**
 * Output streams, exit codes and message helpers of the CLI's commands. Commands take a `CliIo` so that
 * tests run them in-process and read what they printed.
 */
import { types } from 'node:util';

/** A stream to print to; `isTTY` is true only for an interactive terminal. */
export type CliStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Records the process exit code; the process ends once pending output is written. */
  setExitCode(code: number): void;
}

/** Exit codes of every phi-guard command. */
export const EXIT_CODES = {
  /** The command completed. Violations found by `replay` are findings, not errors. */
  ok: 0,
  /**
   * Invalid arguments, an invalid input file (such as a grants file with problems), inputs without any
   * CloudTrail record, or an unexpected error.
   */
  invalidInput: 1,
  /**
   * `replay` completed but some records failed or some files could not be read, or `reconcile` could not
   * compare some records. Either way they are listed.
   */
  recordsFailed: 2,
  /** `grants import` wrote the other grants but rejected some, which are listed in its output. */
  grantsRejected: 4,
} as const;

/** The message of the AWS SDK (Smithy config resolver) when neither the client nor its environment sets a Region. */
const SDK_REGION_MISSING = 'Region is missing';

/** Returns the io of the running process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/** Writes one line. */
export function writeLine(stream: CliStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** Returns the count followed by the noun in singular or plural: `1 grant`, `2 grants`, `0 policies`. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/**
 * Returns the message of an error, or the value as text when something other than an Error was thrown.
 * Two messages that do not say what to do are rewritten: a missing file or folder (ENOENT) and the AWS
 * SDK's "Region is missing".
 */
export function errorMessage(error: unknown): string {
  // isNativeError also recognizes errors from another realm, such as those of Node's fs inside a Jest sandbox.
  if (!(error instanceof Error || types.isNativeError(error))) {
    return String(error);
  }
  if (error.message === SDK_REGION_MISSING) {
    return `${SDK_REGION_MISSING}. Pass --region, or set AWS_REGION or a region in the shared AWS config file.`;
  }
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT' && path !== undefined) {
    return `${syscall === 'scandir' || syscall === 'opendir' ? 'Folder' : 'File'} ${path} does not exist.`;
  }
  return error.message;
}
