/**
 * `phi-guard grants validate|import|revoke`: checks grants files and manages the grants table of a
 * deployed stack. Grants are never deleted: revoking closes the grant's window.
 */
import { Command, Option } from 'commander';
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { userInfo } from 'node:os';
import { principalKeyOf } from '../../domain/grants';
import type { Grant } from '../../domain/types';
import { DuplicateGrantIdError, UnprocessedGrantsError } from '../../grants/errors';
import { revokeGrantById, writeGrants, type GrantWriteReport } from '../../grants/grant-repository';
import { DEFAULT_RETRY } from '../../grants/retry';
import { AwsClientOptions, createDynamoDbClient } from '../aws-clients';
import { CliIo, EXIT_CODES, errorMessage, formatCount, processIo, writeLine } from '../io';
import {
  GRANTS_FILE_FORMATS,
  GrantsFileFormat,
  printGrantProblems,
  printGrantRejections,
  readGrantsFile,
} from './grants-file';

interface FormatOptions {
  readonly format?: GrantsFileFormat;
}

interface TableOptions extends AwsClientOptions {
  readonly table: string;
}

interface RevokeOptions extends TableOptions {
  readonly reason: string;
  readonly by: string;
  readonly principal?: string;
}

/**
 * Clock of the grants commands, which tests replace with a fixed one. It sets the revocation time of
 * `grants revoke` and the validation time, the latest `revokedAt` that a grants file may contain.
 */
export interface GrantsCommandDependencies {
  readonly now: () => Date;
}

/** Adds `grants` and its subcommands to the program. */
export function registerGrantsCommand(
  program: Command,
  io: CliIo = processIo(),
  dependencies: GrantsCommandDependencies = { now: () => new Date() },
): void {
  const grants = program
    .command('grants')
    .summary('validate grants files, import them into the grants table, revoke grants')
    .description(
      'Validate grants files and manage the grants table of a deployed stack. Grants are never deleted.',
    );

  grants
    .command('validate')
    .description(
      'Check a grants file and print every problem as FILE:LINE: field: message. Exit code 1 when it has problems.',
    )
    .argument('<file>', 'grants file (.json or .csv)')
    .addOption(formatOption())
    .action((file: string, options: FormatOptions) =>
      run(io, () => validateGrants(io, file, options, dependencies)),
    );

  const importSubcommand = grants
    .command('import')
    .description(
      'Validate a grants file, then write its grants to a deployed grants table. A grant that would ' +
        'overwrite a revoked grant, or reuse the grantId of another principal, is rejected and listed, and ' +
        'the command then exits with code 4.',
    )
    .argument('<file>', 'grants file (.json or .csv)')
    .addOption(formatOption());
  addTableOptions(importSubcommand).action((file: string, options: FormatOptions & TableOptions) =>
    run(io, () => importGrants(io, file, options, dependencies)),
  );

  const revoke = grants
    .command('revoke')
    .description(
      'Revoke a grant: set its revocation time to now, which closes its window. The grant is kept. A grant ' +
        'whose stored revocation time is still in the future is revoked now.',
    )
    .argument('<grant-id>', 'grantId of the grant to revoke')
    .requiredOption('--reason <text>', 'why the grant is revoked; stored on the grant for audits')
    .option(
      '--by <name>',
      'who revokes the grant; stored on the grant (default: the operating system user name)',
    )
    .option(
      '--principal <arn>',
      'principal of the grant, in any form a grants file accepts; needed when the grant id is stored ' +
        'under several principals (default: the principal found by grant id)',
    );
  addTableOptions(revoke).action((grantId: string, options: RevokeOptions) =>
    run(io, () =>
      revokeGrant(io, grantId, { ...options, by: options.by ?? userInfo().username }, dependencies),
    ),
  );
}

function formatOption(): Option {
  return new Option(
    '--format <format>',
    'file format (default: from the file extension, .json or .csv)',
  ).choices(GRANTS_FILE_FORMATS);
}

function addTableOptions(command: Command): Command {
  return command
    .requiredOption('--table <name>', 'name of the deployed grants table (DynamoDB)')
    .option(
      '--region <region>',
      'AWS Region of the table (default: AWS_REGION or the shared AWS config file)',
    )
    .option(
      '--endpoint <url>',
      'DynamoDB endpoint URL to use instead of the AWS service endpoint, such as a local server',
    );
}

/** Runs a subcommand and records its exit code. An unexpected error is printed and exits with code 1. */
async function run(io: CliIo, command: () => Promise<number>): Promise<void> {
  try {
    io.setExitCode(await command());
  } catch (error) {
    writeLine(io.stderr, `error: ${errorMessage(error)}`);
    io.setExitCode(EXIT_CODES.invalidInput);
  }
}

async function validateGrants(
  io: CliIo,
  file: string,
  options: FormatOptions,
  dependencies: GrantsCommandDependencies,
): Promise<number> {
  const contents = await readGrantsFile(file, options.format, dependencies.now);
  if (contents.problems.length > 0) {
    printGrantProblems(io.stdout, contents);
    writeLine(
      io.stderr,
      `${file}: ${formatCount(contents.problems.length, 'problem')} found. Fix the file and validate again.`,
    );
    return EXIT_CODES.invalidInput;
  }

  writeLine(io.stdout, `${file}: ${formatCount(contents.grants.length, 'grant')}, no problems found.`);
  if (contents.grants.length === 0) {
    writeLine(io.stderr, noGrantsWarning(file, 'every access that a grant could cover would be a violation'));
  }
  return EXIT_CODES.ok;
}

function noGrantsWarning(file: string, consequence: string): string {
  return `warning: ${file} contains no grants, so ${consequence}.`;
}

async function importGrants(
  io: CliIo,
  file: string,
  options: FormatOptions & TableOptions,
  dependencies: GrantsCommandDependencies,
): Promise<number> {
  const contents = await readGrantsFile(file, options.format, dependencies.now);
  if (contents.problems.length > 0) {
    printGrantProblems(io.stdout, contents);
    writeLine(
      io.stderr,
      `${file}: ${formatCount(contents.problems.length, 'problem')} found, so nothing was imported.`,
    );
    return EXIT_CODES.invalidInput;
  }

  const report = await writeToTable(contents.grants, options, dependencies.now);
  printGrantRejections(io.stdout, contents, report.rejected);
  const imported = report.created.length + report.replaced.length + report.unchanged.length;
  writeLine(
    io.stdout,
    `Imported ${formatCount(imported, 'grant')} from ${file} into table ${options.table}: ` +
      `${report.created.length} created, ${report.replaced.length} replaced, ${report.unchanged.length} unchanged.`,
  );
  if (contents.grants.length === 0) {
    writeLine(io.stderr, noGrantsWarning(file, `nothing was written to table ${options.table}`));
  }
  if (report.unprocessed.length > 0) {
    throw new UnprocessedGrantsError(report.unprocessed, DEFAULT_RETRY.maxAttempts);
  }
  if (report.rejected.length > 0) {
    writeLine(
      io.stderr,
      `${file}: ${formatCount(report.rejected.length, 'grant was', 'grants were')} rejected and not written ` +
        '(listed above). The other grants were written.',
    );
    return EXIT_CODES.grantsRejected;
  }
  return EXIT_CODES.ok;
}

async function writeToTable(
  grants: readonly Grant[],
  options: TableOptions,
  now: () => Date,
): Promise<GrantWriteReport> {
  const client = createDynamoDbClient(options);
  try {
    return await writeGrants({ client, tableName: options.table }, grants, { now });
  } catch (error) {
    throw explainTableError(error, options.table);
  } finally {
    client.destroy();
  }
}

async function revokeGrant(
  io: CliIo,
  grantId: string,
  options: RevokeOptions,
  dependencies: GrantsCommandDependencies,
): Promise<number> {
  const principalKey =
    options.principal === undefined ? undefined : principalKeyOf(options.principal).principalKey;
  const details = {
    revokedAt: dependencies.now().toISOString(),
    revokedBy: options.by,
    reason: options.reason,
  };
  const client = createDynamoDbClient(options);
  try {
    const table = { client, tableName: options.table };
    const grant = await revokeGrantById(table, grantId, details, { principalKey });
    writeLine(io.stdout, `Revoked grant ${grant.grantId} at ${grant.revokedAt} by ${grant.revokedBy}:`);
    writeLine(io.stdout, JSON.stringify(grant, null, 2));
  } catch (error) {
    throw explainRevokeError(error, options.table);
  } finally {
    client.destroy();
  }
  return EXIT_CODES.ok;
}

/** DynamoDB's message for a missing table ("Requested resource not found") does not name the table. */
function explainTableError(error: unknown, table: string): unknown {
  if (error instanceof ResourceNotFoundException) {
    return new Error(`Table ${table} was not found (ResourceNotFoundException). Check --table and --region.`);
  }
  return error;
}

/** Explains table errors as `explainTableError` does, and a grant id stored under several principals. */
function explainRevokeError(error: unknown, table: string): unknown {
  if (error instanceof DuplicateGrantIdError) {
    const principals = [...error.principalKeys].sort().join(', ');
    return new Error(
      `Grant id ${error.grantId} is stored under ${error.principalKeys.length} principals (${principals}), ` +
        'so it does not name one grant. Run the command again with --principal and one of these principals ' +
        'to revoke the grant of that principal.',
    );
  }
  return explainTableError(error, table);
}
