/**
 * `phi-guard incidents`: shows an incident and releases its containment.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { userInfo } from 'node:os';
import { releaseIncident } from '../response/containment/release';
import { IncidentRepository } from '../response/incident-repository';
import { type AwsClientOptions, createDynamoDbClient } from './aws-clients';
import { type CliIo, EXIT_CODES, errorMessage, processIo, writeLine } from './io';

interface TableOptions extends AwsClientOptions {
  readonly table: string;
}

interface ReleaseOptions extends TableOptions {
  readonly reason: string;
  readonly by?: string;
  readonly iamEndpoint?: string;
  readonly s3Endpoint?: string;
}

/** Adds `incidents show` and `incidents release` to the program. */
export function registerIncidentsCommand(program: Command, io: CliIo = processIo()): void {
  const incidents = program
    .command('incidents')
    .summary('show incidents and release their containment')
    .description('Show incidents and release their containment.');

  addTableOptions(incidents.command('show').argument('<incident-id>', 'Incident id, as in the alert.'))
    .description('Print one incident as JSON, including its containment and release.')
    .action((incidentId: string, options: TableOptions) =>
      runCommand(io, () => showIncident(io, incidentId, options)),
    );

  addTableOptions(incidents.command('release').argument('<incident-id>', 'Incident id, as in the alert.'))
    .description(
      'Remove the deny policy or bucket policy statements that containment added, and record the release.',
    )
    .requiredOption('--reason <text>', 'Why the containment is released; stored on the incident.')
    .option(
      '--by <name>',
      'Who releases the containment; stored on the incident. Default: the operating system user.',
    )
    .option('--iam-endpoint <url>', 'Endpoint URL that replaces the IAM endpoint, for local testing.')
    .option(
      '--s3-endpoint <url>',
      'Endpoint URL that replaces the S3 endpoint (path-style), for local testing.',
    )
    .action((incidentId: string, options: ReleaseOptions) =>
      runCommand(io, () => releaseCommand(io, incidentId, options)),
    );
}

function addTableOptions(command: Command): Command {
  return command
    .requiredOption('--table <name>', 'Name of the incidents table.')
    .option('--region <region>', 'AWS Region of the table. Default: AWS_REGION or the shared config file.')
    .option(
      '--endpoint <url>',
      'Endpoint URL that replaces the DynamoDB endpoint, such as a local dynalite.',
    );
}

async function runCommand(io: CliIo, run: () => Promise<void>): Promise<void> {
  try {
    await run();
    io.setExitCode(EXIT_CODES.ok);
  } catch (error) {
    writeLine(io.stderr, `error: ${errorMessage(error)}`);
    io.setExitCode(EXIT_CODES.invalidInput);
  }
}

async function showIncident(io: CliIo, incidentId: string, options: TableOptions): Promise<void> {
  const dynamoDb = createDynamoDbClient(options);
  try {
    const incident = await new IncidentRepository(dynamoDb, options.table).getIncident(incidentId);
    if (!incident) {
      throw new Error(`Incident ${incidentId} was not found in table ${options.table}.`);
    }
    writeLine(io.stdout, JSON.stringify(incident, null, 2));
  } finally {
    dynamoDb.destroy();
  }
}

async function releaseCommand(io: CliIo, incidentId: string, options: ReleaseOptions): Promise<void> {
  const dynamoDb = createDynamoDbClient(options);
  const iam = new IAMClient({ region: options.region, endpoint: options.iamEndpoint });
  const s3 = new S3Client({
    region: options.region,
    endpoint: options.s3Endpoint,
    forcePathStyle: !!options.s3Endpoint,
  });
  try {
    const request = { incidentId, reason: options.reason, releasedBy: options.by ?? userInfo().username };
    const repository = new IncidentRepository(dynamoDb, options.table);
    const release = await releaseIncident({ iam, s3 }, repository, request, new Date());

    writeLine(io.stdout, `Released incident ${incidentId}.`);
    writeLine(io.stdout, release.detail);
    writeLine(
      io.stdout,
      `Recorded release by ${release.releasedBy} at ${release.releasedAt}: ${release.reason}`,
    );
  } finally {
    dynamoDb.destroy();
    iam.destroy();
    s3.destroy();
  }
}
