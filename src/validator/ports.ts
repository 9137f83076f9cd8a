/**
 * Outbound ports of the validator. The Lambda uses the Firehose and Step Functions adapters;
 * the `phi-guard replay` CLI passes its own implementations that write local files.
 */
import type { Decision, TriageInput } from '../domain/types';

/** Sends decisions to the decision archive (in AWS, the decisions Firehose delivery stream). */
export interface DecisionPublisher {
  /**
   * Publishes every decision or throws. Throw `DecisionPublishError` to name the decisions that failed;
   * any other error counts as a failure of all of them.
   */
  publish(decisions: readonly Decision[]): Promise<void>;
}

/** Decisions that could not be published. Their records are reported as failures and retried. */
export class DecisionPublishError extends Error {
  constructor(
    message: string,
    readonly failedDecisionIds: readonly string[],
  ) {
    super(message);
    this.name = 'DecisionPublishError';
  }
}

/** Result of starting triage for one principal. */
export type TriageStartOutcome =
  | { readonly principalKey: string; readonly status: 'started'; readonly executionArns: readonly string[] }
  | { readonly principalKey: string; readonly status: 'failed'; readonly error: Error };

/** Starts the triage workflow, once per principal and batch. */
export interface TriageStarter {
  /** Returns one outcome per input's principal key; it rejects only on a programming error. */
  start(inputs: readonly TriageInput[]): Promise<TriageStartOutcome[]>;
}
