import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { TriageInput } from '../domain/types';
import { mapWithConcurrency } from '../grants/retry';
import type { TriageStartOutcome, TriageStarter } from './ports';

/** Step Functions accepts execution input of at most 262,144 bytes (UTF-8). */
export const MAX_EXECUTION_INPUT_BYTES = 262_144;

export interface StepFunctionsTriageStarterOptions {
  readonly client: SFNClient;
  /** ARN of the Express triage state machine. */
  readonly stateMachineArn: string;
  /** StartExecution calls in flight at once. @default 5 */
  readonly concurrency?: number;
}

/**
 * Starts one Express triage execution per principal with its `TriageInput` as input. An input above the
 * Step Functions size limit is split into several executions for the same principal, each with part of
 * the decisions.
 */
export class StepFunctionsTriageStarter implements TriageStarter {
  constructor(private readonly options: StepFunctionsTriageStarterOptions) {}

  async start(inputs: readonly TriageInput[]): Promise<TriageStartOutcome[]> {
    return mapWithConcurrency(inputs, this.options.concurrency ?? 5, (input) => this.startOne(input));
  }

  private async startOne(input: TriageInput): Promise<TriageStartOutcome> {
    const principalKey = input.principal.key;
    try {
      const executionArns: string[] = [];
      for (const part of splitTriageInput(input, MAX_EXECUTION_INPUT_BYTES)) {
        const output = await this.options.client.send(
          new StartExecutionCommand({
            stateMachineArn: this.options.stateMachineArn,
            input: JSON.stringify(part),
          }),
        );
        executionArns.push(output.executionArn ?? '');
      }
      return { principalKey, status: 'started', executionArns };
    } catch (error) {
      return {
        principalKey,
        status: 'failed',
        error: error instanceof Error ? error : new Error(String(error)),
      };
    }
  }
}

/** Splits an input whose JSON exceeds `maxBytes` into halves of its decisions until every part fits. */
export function splitTriageInput(input: TriageInput, maxBytes: number): TriageInput[] {
  const size = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (size <= maxBytes) {
    return [input];
  }
  if (input.decisions.length <= 1) {
    throw new Error(
      `Triage input of principal ${input.principal.key} is ${size} bytes with a single decision.`,
    );
  }
  const middle = Math.ceil(input.decisions.length / 2);
  return [
    ...splitTriageInput(
      { principal: input.principal, decisions: input.decisions.slice(0, middle) },
      maxBytes,
    ),
    ...splitTriageInput({ principal: input.principal, decisions: input.decisions.slice(middle) }, maxBytes),
  ];
}
