import { Command } from 'commander';

/** Adds one top-level command (with its subcommands) to the phi-guard program. */
export type CommandRegistrar = (program: Command) => void;

export const PROGRAM_DESCRIPTION =
  'Checks accesses to PHI in Amazon S3 against grants, manages grants, and replays CloudTrail logs locally.';

/**
 * Creates the `phi-guard` program with the given commands. Other modules add their commands by
 * passing a registrar (`(program) => void`), such as `registerReplayCommand`.
 */
export function createProgram(version: string, registrars: readonly CommandRegistrar[]): Command {
  const program = new Command('phi-guard')
    .description(PROGRAM_DESCRIPTION)
    .version(version, '-V, --version', 'print the phi-guard version and exit')
    .helpOption('-h, --help', 'print help for the command and exit')
    .showHelpAfterError('(run the command with --help for its usage)');

  for (const register of registrars) {
    register(program);
  }

  return program;
}
