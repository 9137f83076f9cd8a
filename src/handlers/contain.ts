/**
 * Lambda entry of the containment step of the response workflow: denies the incident's principal access
 * to the PHI buckets, or records why it did not, and returns the `ContainmentResult`.
 *
 * A failure throws, so that the workflow sends an escalation alert and fails visibly.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { applyContainment } from '../response/containment/iam-containment';
import { readContainmentSettings, readRequired } from '../response/containment/settings';
import { type ContainmentSettings, dryRunResult, planContainment } from '../response/containment/strategy';
import { IncidentRepository } from '../response/incident-repository';
import type { ContainmentResult, Incident } from '../response/types';

export interface ContainEvent {
  readonly incident: Incident;
}

/** The part of the incident repository that containment writes to. */
export interface ContainmentRecorder {
  recordContainment(incidentId: string, result: ContainmentResult): Promise<unknown>;
}

export interface ContainHandlerDependencies {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly incidents: ContainmentRecorder;
  readonly settings: ContainmentSettings;
  /** Source of the containment time, which role token-issue-time denies compare against. */
  readonly clock: () => Date;
  /**
   * Logger of the handler's JSON log lines.
   * @default a Powertools logger for the `phi-guard-contain` service
   */
  readonly logger?: Logger;
}

/**
 * Creates the containment handler. In dry run it returns the policy that it would attach and calls no
 * AWS API, not even to record the result. Otherwise it applies the containment and records the result
 * on the incident.
 */
export function createContainHandler(
  deps: ContainHandlerDependencies,
): (event: ContainEvent) => Promise<ContainmentResult> {
  const logger = deps.logger ?? new Logger({ serviceName: 'phi-guard-contain' });

  return async (event) => {
    const incident = validateEvent(event);
    const plan = planContainment(incident, deps.settings, deps.clock());
    const ids = { incidentId: incident.incidentId, principal: incident.principal.arn };
    if (deps.settings.dryRun) {
      const result = dryRunResult(plan);
      logger.info('Containment dry run finished.', {
        ...ids,
        status: result.status,
        strategy: result.strategy,
      });
      return result;
    }

    try {
      const result = await applyContainment({ iam: deps.iam, s3: deps.s3 }, plan);
      logger.info('Containment finished.', {
        ...ids,
        status: result.status,
        strategy: result.strategy,
        target: result.target,
      });

      await deps.incidents.recordContainment(incident.incidentId, result);
      return result;
    } catch (error) {
      // Rethrown so that the workflow escalates; logged here because only this line carries the ids.
      logger.error('Containment failed.', { ...ids, error: error as Error });
      throw error;
    }
  };
}

function validateEvent(event: ContainEvent | undefined): Incident {
  const incident = event?.incident;
  const principal = incident?.principal;
  if (!incident || typeof incident.incidentId !== 'string' || incident.incidentId.length === 0) {
    throw new Error('Invalid containment input: expected { incident } with a non-empty incidentId.');
  }
  if (
    !principal ||
    typeof principal.arn !== 'string' ||
    typeof principal.key !== 'string' ||
    !principal.type
  ) {
    throw new Error(
      `Invalid containment input: incident ${incident.incidentId} has no principal arn, key and type.`,
    );
  }
  return incident;
}

const iam = new IAMClient({});
const s3 = new S3Client({});
const dynamoDb = new DynamoDBClient({});
let moduleHandler: ((event: ContainEvent) => Promise<ContainmentResult>) | undefined;

/** Settings are read on the first invocation, so that a missing variable fails that invocation with its name. */
export async function handler(event: ContainEvent): Promise<ContainmentResult> {
  moduleHandler ??= createContainHandler({
    iam,
    s3,
    incidents: new IncidentRepository(dynamoDb, readRequired(process.env, 'INCIDENTS_TABLE_NAME')),
    settings: readContainmentSettings(process.env),
    clock: () => new Date(),
  });
  return moduleHandler(event);
}
