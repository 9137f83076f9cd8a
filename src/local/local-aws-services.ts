/**
 * Local responses to the AWS service integrations of phi-guard's workflows (SNS Publish, Athena, Macie and
 * Step Functions StartExecution), in the response shapes of each service's API reference. Athena and
 * Macie cannot run locally, so their default responses are labelled local outcomes: a query and a job
 * whose ids start with `local-replay-` and that end cancelled without running.
 */
import { randomUUID } from 'node:crypto';

/** A JSON value as Amazon States Language passes it between states. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Returns the service's response to one integration request (the task's effective `Parameters`). */
export type IntegrationHandler = (request: JsonObject) => Promise<JsonValue> | JsonValue;

/**
 * An error with the name that Step Functions gives a failed service integration, such as
 * `Macie2.AccessDeniedException`; its message becomes the error's `Cause`.
 */
export class IntegrationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Integration handlers keyed by `service:action`, such as `sns:publish` or `athena:startQueryExecution`. */
export type IntegrationHandlers = Readonly<Record<string, IntegrationHandler>>;

/** One SNS Publish request that a local run received. */
export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageId: string;
}

/** Responds to SNS Publish with `{ MessageId }` and appends each message to `published`. */
export function localSnsPublish(published: PublishedMessage[]): IntegrationHandler {
  return (request) => {
    const messageId = randomUUID();
    published.push({
      topicArn: String(request.TopicArn),
      subject: typeof request.Subject === 'string' ? request.Subject : undefined,
      message: String(request.Message),
      messageId,
    });
    return { MessageId: messageId };
  };
}

/** Reason that local Athena queries give for ending without a result. */
export const LOCAL_ATHENA_REASON =
  'Local replay: Athena cannot run locally, so no CloudTrail history was queried.';

/**
 * Returns local Athena responses: every query is accepted and then reported `CANCELLED` with
 * `LOCAL_ATHENA_REASON`, so the report records that no history was queried.
 */
export function localAthena(): IntegrationHandlers {
  let queries = 0;
  return {
    'athena:startQueryExecution': () => ({ QueryExecutionId: `local-replay-athena-${++queries}` }),
    'athena:getQueryExecution': (request) => ({
      QueryExecution: {
        QueryExecutionId: String(request.QueryExecutionId),
        StatementType: 'DML',
        Status: { State: 'CANCELLED', StateChangeReason: LOCAL_ATHENA_REASON },
      },
    }),
    'athena:getQueryResults': () => ({ ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } } }),
    'athena:stopQueryExecution': () => ({}),
  };
}

/**
 * Returns local Macie responses: every job is created with an id that starts with
 * `local-replay-macie-` and is then reported `CANCELLED`, so the report records that nothing was scanned.
 */
export function localMacie(): IntegrationHandlers {
  let jobs = 0;
  return {
    'macie2:createClassificationJob': () => {
      const jobId = `local-replay-macie-${++jobs}`;
      return { JobId: jobId, JobArn: macieJobArn(jobId) };
    },
    'macie2:describeClassificationJob': (request) => ({
      JobId: String(request.JobId),
      JobArn: macieJobArn(String(request.JobId)),
      JobStatus: 'CANCELLED',
      JobType: 'ONE_TIME',
    }),
  };
}

function macieJobArn(jobId: string): string {
  return `arn:aws:macie2:us-east-1:111122223333:classification-job/${jobId}`;
}

/** One execution that a local `states:startExecution` accepted. */
export interface StartedExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: JsonValue;
}

/**
 * The execution names of local state machines. As in Step Functions, starting an execution whose name
 * exists returns the existing execution when the input is the same, and fails with
 * `StepFunctions.ExecutionAlreadyExistsException` when it differs.
 */
export class LocalExecutionRegistry {
  private readonly executions = new Map<string, StartedExecution & { startDate: string }>();
  /** Executions started and not yet taken by `takeStarted`, in start order. */
  private pending: StartedExecution[] = [];

  /** The `states:startExecution` integration handler. */
  readonly startExecution: IntegrationHandler = (request) => {
    const stateMachineArn = String(request.StateMachineArn);
    const name = typeof request.Name === 'string' ? request.Name : randomUUID();
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const input = request.Input ?? {};

    const existing = this.executions.get(executionArn);
    if (existing !== undefined) {
      if (JSON.stringify(existing.input) !== JSON.stringify(input)) {
        throw new IntegrationError(
          'StepFunctions.ExecutionAlreadyExistsException',
          `Execution Already Exists: '${executionArn}'`,
        );
      }
      return { ExecutionArn: executionArn, StartDate: existing.startDate };
    }

    const started = { executionArn, stateMachineArn, name, input, startDate: new Date().toISOString() };
    this.executions.set(executionArn, started);
    this.pending.push(started);
    return { ExecutionArn: executionArn, StartDate: started.startDate };
  };

  /** Returns the executions started since the last call and removes them from the pending list. */
  takeStarted(): StartedExecution[] {
    const started = this.pending;
    this.pending = [];
    return started;
  }
}
