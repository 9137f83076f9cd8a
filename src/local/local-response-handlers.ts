/**
 * The real Lambda handlers of the triage and response workflows, wired to local components: a local
 * incidents table, reports written to a directory, and containment as a dry run unless clients are given.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import type { PhiGuardConfig } from '../../lib/config';
import { RESPONSE_STATES } from '../../lib/constructs/response-workflow';
import { TRIAGE_STATES } from '../../lib/constructs/triage-workflow';
import { createContainHandler, type ContainEvent } from '../handlers/contain';
import { createFormatAlertHandler } from '../handlers/format-alert';
import { createReportHandler } from '../handlers/report';
import { createTriageHandler } from '../handlers/triage';
import type { TriageInput } from '../domain/types';
import { IncidentRepository } from '../response/incident-repository';
import { FileSystemReportStore } from '../response/report-store';
import type { ContainmentResult } from '../response/types';
import { LOCAL_CREDENTIALS } from './local-dynamodb';
import type { LocalLambda } from './local-executions';

/** Clients that containment calls when it runs for real instead of as a dry run. */
export interface ContainmentClients {
  readonly iam: IAMClient;
  readonly s3: S3Client;
}

export interface LocalHandlerOptions {
  readonly config: PhiGuardConfig;
  /** Client of the local DynamoDB that contains the incidents table. */
  readonly dynamoDb: DynamoDBClient;
  readonly tableName: string;
  /** Directory that reports are written to, with the evidence bucket's key layout. */
  readonly reportsDir: string;
  /** Buckets that containment denies when the configuration names none (the stack then creates one). */
  readonly fallbackBucketNames: readonly string[];
  /** Time at which triage decides; a replay sets it to the time of each input's last event. */
  readonly triageClock: () => Date;
  /** Time of containment and reports. */
  readonly clock: () => Date;
  /** Receives the policy that each containment dry run would attach. */
  readonly log: (line: string) => void;
  /** When given, containment calls these clients instead of running as a dry run. */
  readonly containmentClients?: ContainmentClients;
}

/**
 * Returns the Lambda handlers of both workflows keyed by their state names. Handler logs are silenced,
 * because a local run reports through its result and `log`.
 */
export function createLocalHandlers(options: LocalHandlerOptions): Record<string, LocalLambda> {
  const { config, dynamoDb, tableName } = options;
  const logger = (serviceName: string) => new Logger({ serviceName, logLevel: 'SILENT' });

  const triage = createTriageHandler({
    client: dynamoDb,
    tableName,
    windowMinutes: config.incidentWindowMinutes,
    clock: options.triageClock,
    logger: logger('phi-guard-triage'),
  });
  const formatAlert = createFormatAlertHandler(logger('phi-guard-alert'));
  const report = createReportHandler({
    dynamoDb,
    tableName,
    store: new FileSystemReportStore(
      options.reportsDir,
      config.profile === 'production' ? 'COMPLIANCE' : 'GOVERNANCE',
    ),
    retentionDays: config.evidenceRetentionDays,
    clock: options.clock,
    logger: logger('phi-guard-report'),
  });

  return {
    [TRIAGE_STATES.triage]: (event: TriageInput) => triage(event),
    [RESPONSE_STATES.contain]: createLocalContainment(options, logger('phi-guard-contain')),
    [RESPONSE_STATES.formatAlert]: formatAlert,
    [RESPONSE_STATES.formatEscalation]: formatAlert,
    [RESPONSE_STATES.formatReportNotice]: formatAlert,
    [RESPONSE_STATES.report]: report,
  };
}

function createLocalContainment(options: LocalHandlerOptions, logger: Logger): LocalLambda {
  const { config } = options;
  const dryRun = options.containmentClients === undefined;
  const clients = options.containmentClients ?? unreachableClients();
  const contain = createContainHandler({
    ...clients,
    incidents: new IncidentRepository(options.dynamoDb, options.tableName),
    settings: {
      phiBucketNames: config.phiBucketNames.length > 0 ? config.phiBucketNames : options.fallbackBucketNames,
      protectedPrincipalArns: config.protectedPrincipalArns,
      monitorMode: config.monitorMode,
      roleContainmentMode: config.roleContainmentMode,
      dryRun,
    },
    clock: options.clock,
    logger,
  });

  return async (event: ContainEvent) => {
    const result = await contain(event);
    if (dryRun) {
      options.log(describeDryRun(event.incident.incidentId, result));
    }
    return result;
  };
}

function describeDryRun(incidentId: string, result: ContainmentResult): string {
  const lines = [`Containment of incident ${incidentId}: ${result.status}. ${result.detail}`];
  if (result.policyDocument !== undefined) {
    lines.push(
      `Policy that containment would attach to ${result.target ?? 'the target'}:`,
      result.policyDocument,
    );
  }
  return lines.join('\n');
}

/**
 * Clients for a dry run, which calls no AWS API. They point at a closed local port, so that a call made
 * by mistake fails here instead of reaching AWS.
 */
function unreachableClients(): ContainmentClients {
  const settings = {
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    endpoint: 'http://127.0.0.1:9',
    maxAttempts: 1,
  };
  return { iam: new IAMClient(settings), s3: new S3Client({ ...settings, forcePathStyle: true }) };
}
