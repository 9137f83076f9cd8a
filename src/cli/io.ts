/**
 * Output streams and exit codes of the CLI's commands. Commands take a `CliIo` so that tests run them
 * in-process and read what they printed.
 */

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
  /** Invalid arguments, an invalid input file (such as a grants file with problems) or an unexpected error. */
  invalidInput: 1,
  /** `replay` completed but some records failed and are listed in its output. */
  recordsFailed: 2,
} as const;

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

/** Returns the message of an error, or the value as text when something other than an Error was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
