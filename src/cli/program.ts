import { Command, Help, type Option } from 'commander';

/** Adds one top-level command (with its subcommands) to the phi-guard program. */
export type CommandRegistrar = (program: Command) => void;

export const PROGRAM_DESCRIPTION =
  'Checks accesses to PHI in Amazon S3 against grants. Commands: replay CloudTrail logs locally, ' +
  'reconcile a trail folder with the decisions of a replay, validate, import and revoke grants, ' +
  'and show incidents and release their containment.';

/** Commander's own help, whose option descriptions the program extends. */
const defaultHelp = new Help();

/**
 * Creates the `phi-guard` program with the given commands. Other modules add their commands by
 * passing a registrar (`(program) => void`), such as `registerReplayCommand`.
 */
export function createProgram(version: string, registrars: readonly CommandRegistrar[]): Command {
  const program = new Command('phi-guard')
    .description(PROGRAM_DESCRIPTION)
    .version(version, '-V, --version', 'print the phi-guard version and exit')
    .helpOption('-h, --help', 'print help for the command and exit')
    .showHelpAfterError('(run the command with --help for its usage)')
    // Commands copy the help settings of their parent when they are created, so this comes first.
    .configureHelp({ optionDescription: describeOption });

  for (const register of registrars) {
    register(program);
  }

  return program;
}

/**
 * Returns the option's description as commander writes it, plus "(required)" for a required option,
 * which commander 14 does not mark.
 */
export function describeOption(option: Option): string {
  const description = defaultHelp.optionDescription(option);
  return option.mandatory ? `${description} (required)` : description;
}
