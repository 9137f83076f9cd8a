import { Command } from 'commander';
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/io';

/** A `CliIo` that keeps what a command prints and the exit code it sets. */
export interface CapturedIo {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
  exitCode(): number | undefined;
}

export function captureIo(options: { stderrIsTty?: boolean } = {}): CapturedIo {
  const stdout = collect(new PassThrough());
  const stderr = collect(
    Object.assign(new PassThrough(), { isTTY: options.stderrIsTty ?? false, columns: 120 }),
  );
  let exitCode: number | undefined;
  return {
    io: { stdout: stdout.stream, stderr: stderr.stream, setExitCode: (code) => (exitCode = code) },
    stdout: stdout.text,
    stderr: stderr.text,
    exitCode: () => exitCode,
  };
}

function collect<T extends PassThrough>(stream: T): { stream: T; text: () => string } {
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

/** A program whose parse errors throw instead of ending the test process, with commander's output captured. */
export function testProgram(captured: CapturedIo): Command {
  return new Command('phi-guard').exitOverride().configureOutput({
    writeOut: (text) => captured.io.stdout.write(text),
    writeErr: (text) => captured.io.stderr.write(text),
  });
}
