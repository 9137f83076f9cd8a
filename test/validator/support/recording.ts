/**
 * Recording implementations of the validator's ports and a recording Powertools logger. Firehose and Step
 * Functions have no local server here, so handler tests use these ports. The adapters themselves are
 * tested against a local HTTP server.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItem } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Decision, TriageInput } from '../../../src/domain/types';
import {
  DecisionPublishError,
  type DecisionPublisher,
  type TriageStartOutcome,
  type TriageStarter,
} from '../../../src/validator/ports';

export type LogLine = Record<string, unknown> & { level: string; message: string };

/** A Powertools logger that keeps each printed line as parsed JSON instead of writing it to stdout. */
export class RecordingLogger extends Logger {
  readonly lines: LogLine[] = [];

  constructor() {
    super({ serviceName: 'validator-test', logLevel: 'DEBUG' });
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.lines.push(JSON.parse(JSON.stringify(log.getAttributes(), this.getJsonReplacer())) as LogLine);
  }

  withMessage(message: string): LogLine[] {
    return this.lines.filter((line) => line.message === message);
  }
}

export class RecordingPublisher implements DecisionPublisher {
  readonly batches: Decision[][] = [];
  /** Decisions of these principal keys are reported as failed. */
  failPrincipalKeys = new Set<string>();

  async publish(decisions: readonly Decision[]): Promise<void> {
    const failed = decisions.filter((decision) => this.failPrincipalKeys.has(decision.principalKey));
    this.batches.push(decisions.filter((decision) => !this.failPrincipalKeys.has(decision.principalKey)));
    if (failed.length > 0) {
      throw new DecisionPublishError(
        `${failed.length} decisions failed`,
        failed.map((decision) => decision.decisionId),
      );
    }
  }

  get published(): Decision[] {
    return this.batches.flat();
  }
}

export class RecordingTriageStarter implements TriageStarter {
  readonly calls: TriageInput[][] = [];
  /** Triage of these principal keys fails. */
  failPrincipalKeys = new Set<string>();

  async start(inputs: readonly TriageInput[]): Promise<TriageStartOutcome[]> {
    this.calls.push([...inputs]);
    return inputs.map((input) =>
      this.failPrincipalKeys.has(input.principal.key)
        ? { principalKey: input.principal.key, status: 'failed', error: new Error('ExecutionLimitExceeded') }
        : {
            principalKey: input.principal.key,
            status: 'started',
            executionArns: [`arn:execution:${input.principal.key}`],
          },
    );
  }

  get inputs(): TriageInput[] {
    return this.calls.flat();
  }
}

/** Builds a Lambda context as the runtime passes it, because there is no Lambda runtime here. */
export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'phi-guard-validator',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:phi-guard-validator',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/phi-guard-validator',
    logStreamName: '2025/03/01/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
