/**
 * Runs a synthesized state machine definition with aws-local-stepfunctions, handling every Task state
 * in this process: Lambda tasks call handler functions, service integrations call `IntegrationHandlers`.
 * No task falls through to AWS: a definition with a task that has no local handler is rejected before it runs.
 */
import {
  ExecutionError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { IntegrationHandlers, JsonObject, JsonValue } from './local-aws-services';

/** A Lambda handler as a Task state calls it: the effective parameters in, the function's result out. */
export type LocalLambda = (event: never) => Promise<unknown>;

type LocalTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

export interface TaskSources {
  /** Handlers of Lambda tasks, keyed by state name. */
  readonly lambdas: Readonly<Record<string, LocalLambda>>;
  /** Handlers of service integrations, keyed by `service:action`. */
  readonly integrations: IntegrationHandlers;
}

/** Final status of one local execution, with its output or error. */
export type ExecutionOutcome =
  | { readonly status: 'succeeded'; readonly output: unknown; readonly taskCalls: readonly string[] }
  | {
      readonly status: 'failed';
      readonly error: string;
      readonly cause: string;
      readonly taskCalls: readonly string[];
    };

export interface RunExecutionOptions {
  /** Execution name, available to the definition as `$$.Execution.Name`. */
  readonly name: string;
}

/**
 * Runs one execution to its end. Wait states and retry intervals take no time, so that poll loops and
 * retries run at once. Returns the output, or the error and cause of a failed execution, and the names
 * of the Task states called, in call order.
 */
export async function runExecution(
  definition: StateMachineDefinition,
  input: JsonValue,
  sources: TaskSources,
  options: RunExecutionOptions,
): Promise<ExecutionOutcome> {
  const taskCalls: string[] = [];
  const machine = new StateMachine(definition);
  const execution = machine.run(input, {
    overrides: {
      taskResourceLocalHandlers: taskHandlers(definition, sources, (stateName) => taskCalls.push(stateName)),
      waitTimeOverrides: zeroFor(definition, ['Wait']),
      retryIntervalOverrides: zeroFor(definition, ['Task', 'Parallel', 'Map']),
    },
    context: { Execution: { Name: options.name, Input: input, StartTime: new Date().toISOString() } },
  });

  try {
    return { status: 'succeeded', output: await execution.result, taskCalls };
  } catch (error) {
    if (!(error instanceof ExecutionError)) {
      throw error;
    }
    const cause = error.cause instanceof Error ? error.cause : error;
    return { status: 'failed', error: cause.name, cause: cause.message, taskCalls };
  }
}

type States = StateMachineDefinition['States'];

/** Lists every state of the definition, including those in Parallel branches and Map item processors. */
function allStates(states: States): [string, States[string]][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const nested: StateMachineDefinition[] =
      state.Type === 'Parallel'
        ? state.Branches
        : state.Type === 'Map'
          ? [state.ItemProcessor ?? state.Iterator].filter((machine) => machine !== undefined)
          : [];
    return [
      [name, state] as [string, States[string]],
      ...nested.flatMap((machine) => allStates(machine.States)),
    ];
  });
}

function taskHandlers(
  definition: StateMachineDefinition,
  sources: TaskSources,
  onCall: (stateName: string) => void,
): LocalTaskHandlers {
  const handlers: LocalTaskHandlers = {};
  const unanswered: string[] = [];

  for (const [name, state] of allStates(definition.States)) {
    if (state.Type !== 'Task') {
      continue;
    }
    const handler = handlerFor(name, state.Resource, sources);
    if (handler === undefined) {
      unanswered.push(`${name} (${state.Resource})`);
      continue;
    }
    handlers[name] = async (input) => {
      onCall(name);
      return handler(input);
    };
  }

  if (unanswered.length > 0) {
    throw new Error(
      `No local handler is defined for these Task states: ${unanswered.join(', ')}. Add one before running the definition.`,
    );
  }
  return handlers;
}

type Handler = (input: JsonValue) => Promise<JsonValue>;

function handlerFor(stateName: string, resource: string, sources: TaskSources): Handler | undefined {
  if (resource.startsWith('arn:aws:lambda:')) {
    const lambda = sources.lambdas[stateName];
    return lambda === undefined ? undefined : (input) => invokeLocalLambda(lambda, input);
  }
  const integration = sources.integrations[integrationKey(resource)];
  return integration === undefined ? undefined : async (input) => integration(input as JsonObject);
}

/**
 * Maps an integration resource to `service:action`: `arn:aws:states:::sns:publish` to `sns:publish`,
 * `arn:aws:states:::aws-sdk:athena:startQueryExecution` to `athena:startQueryExecution`.
 */
export function integrationKey(resource: string): string {
  const match = /^arn:aws:states:::(?:aws-sdk:)?([^:]+):([^.]+)(?:\..+)?$/.exec(resource);
  return match ? `${match[1]}:${match[2]}` : resource;
}

/**
 * Calls a handler as Lambda would and reports its failure as Step Functions does: the error name is
 * the function's `errorType` and the cause is the JSON of `errorType` and `errorMessage`.
 */
async function invokeLocalLambda(lambda: LocalLambda, input: JsonValue): Promise<JsonValue> {
  try {
    const result = await lambda(input as never);
    return JSON.parse(JSON.stringify(result ?? null)) as JsonValue;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    const functionError = new Error(
      JSON.stringify({ errorType: failure.name, errorMessage: failure.message }),
    );
    functionError.name = failure.name;
    throw functionError;
  }
}

function zeroFor(definition: StateMachineDefinition, types: readonly string[]): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const [name, state] of allStates(definition.States)) {
    if (types.includes(state.Type)) {
      overrides[name] = 0;
    }
  }
  return overrides;
}
