import type { Logger } from '@aws-lambda-powertools/logger';
import type { Decision, Principal, TriageInput } from '../domain/types';
import {
  DecisionPublishError,
  type DecisionPublisher,
  type TriageStartOutcome,
  type TriageStarter,
} from './ports';
import { buildTriageInputs } from './triage-inputs';

export interface DeliveryDependencies {
  readonly publisher?: DecisionPublisher;
  readonly triageStarter?: TriageStarter;
  readonly logger: Logger;
}

/** Outcome of publishing a batch's decisions and starting its triage. */
export interface DeliveryResult {
  readonly publishFailures: number;
  readonly triageStarts: number;
  readonly triageFailures: number;
}

/**
 * Publishes the decisions and starts triage. A principal with a decision that was not published, or whose
 * triage did not start, gets a reason in `principalFailures`, so that all its records are retried.
 * Triage starts even for principals whose decisions failed to publish: containing a violator matters
 * more than the archive, and the retried records carry the same decision ids.
 */
export async function deliverDecisions(
  dependencies: DeliveryDependencies,
  decisions: readonly Decision[],
  principals: ReadonlyMap<string, Principal>,
  principalFailures: Map<string, string>,
): Promise<DeliveryResult> {
  const unpublished = await publishDecisions(dependencies, decisions);
  for (const decision of decisions) {
    if (unpublished.has(decision.decisionId) && !principalFailures.has(decision.principalKey)) {
      principalFailures.set(decision.principalKey, 'decision publishing failed');
    }
  }

  const triage = await startTriage(dependencies, decisions, principals, principalFailures);
  return { publishFailures: unpublished.size, ...triage };
}

/** Returns the ids of the decisions that were not published. */
async function publishDecisions(
  dependencies: DeliveryDependencies,
  decisions: readonly Decision[],
): Promise<Set<string>> {
  if (dependencies.publisher === undefined || decisions.length === 0) {
    return new Set();
  }
  try {
    await dependencies.publisher.publish(decisions);
    return new Set();
  } catch (error) {
    const failedIds =
      error instanceof DecisionPublishError
        ? error.failedDecisionIds
        : decisions.map((decision) => decision.decisionId);
    dependencies.logger.error('Failed to publish decisions', { failedDecisions: failedIds.length, error });
    return new Set(failedIds);
  }
}

async function startTriage(
  dependencies: DeliveryDependencies,
  decisions: readonly Decision[],
  principals: ReadonlyMap<string, Principal>,
  principalFailures: Map<string, string>,
): Promise<Omit<DeliveryResult, 'publishFailures'>> {
  const inputs = buildTriageInputs(decisions, principals);
  if (inputs.length === 0) {
    return { triageStarts: 0, triageFailures: 0 };
  }
  if (dependencies.triageStarter === undefined) {
    dependencies.logger.warn('No triage starter is configured; these principals are not triaged', {
      principalKeys: inputs.map((input) => input.principal.key),
    });
    return { triageStarts: 0, triageFailures: 0 };
  }

  const outcomes = await startOrFail(dependencies.triageStarter, inputs);
  let triageStarts = 0;
  let triageFailures = 0;
  for (const input of inputs) {
    const principalKey = input.principal.key;
    const outcome = outcomes.find((candidate) => candidate.principalKey === principalKey);
    if (outcome?.status === 'started') {
      triageStarts += 1;
      continue;
    }
    const error = outcome?.error ?? new Error('the triage starter returned no outcome for this principal');
    triageFailures += 1;
    dependencies.logger.error('Failed to start triage', { principalKey, error });
    principalFailures.set(principalKey, `triage start failed: ${error.message}`);
  }
  return { triageStarts, triageFailures };
}

/**
 * Starts triage. When the starter rejects, every input fails instead of the whole batch, so only these
 * principals' records are retried and the other records are not published twice.
 */
async function startOrFail(
  starter: TriageStarter,
  inputs: readonly TriageInput[],
): Promise<TriageStartOutcome[]> {
  try {
    return await starter.start(inputs);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return inputs.map((input) => ({ principalKey: input.principal.key, status: 'failed', error: failure }));
  }
}
