/**
 * Local response for `phi-guard replay --reports DIR`. Each triage input runs through the synthesized
 * triage workflow and each new incident through the synthesized response workflow, with
 * aws-local-stepfunctions. Lambda tasks run the real handlers in this process against a dynalite
 * incidents table. Containment is a dry run that prints the policy it would attach, and reports are
 * written under DIR. SNS, Athena and Macie requests get local responses (see `local-aws-services.ts`).
 */
import type { PhiGuardConfig } from '../../lib/config';
import type { TriageInput } from '../domain/types';
import type { AlertMessage } from '../response/alert-message';
import { createIncidentsTable } from '../response/incidents-table';
import type {
  ContainmentResult,
  InvestigationResults,
  ReportLocation,
  TriageResult,
} from '../response/types';
import {
  localAthena,
  localMacie,
  localSnsPublish,
  LocalExecutionRegistry,
  type IntegrationHandlers,
  type JsonValue,
  type PublishedMessage,
} from './local-aws-services';
import { startLocalDynamoDb } from './local-dynamodb';
import { runExecution, type ExecutionOutcome, type TaskSources } from './local-executions';
import { createLocalHandlers, type ContainmentClients } from './local-response-handlers';
import { renderWorkflowDefinitions, type WorkflowDefinitions } from './workflow-definitions';
import * as path from 'node:path';

const INCIDENTS_TABLE = 'phi-guard-incidents';

export interface LocalResponseOptions {
  readonly config: PhiGuardConfig;
  /** Directory that reports are written to, with the evidence bucket's key layout. */
  readonly reportsDir: string;
  /**
   * Receives the policy that each containment dry run would attach.
   * @default console.log
   */
  readonly log?: (line: string) => void;
  /**
   * Service integrations that replace the local ones, keyed by `service:action` (tests script Athena,
   * Macie and SNS this way).
   * @default local SNS, Athena and Macie from `local-aws-services.ts`
   */
  readonly integrations?: IntegrationHandlers;
  /**
   * Clients that containment calls instead of running as a dry run.
   * @default - containment runs as a dry run
   */
  readonly containmentClients?: ContainmentClients;
  /**
   * Definitions to run.
   * @default renderWorkflowDefinitions(config)
   */
  readonly definitions?: WorkflowDefinitions;
  /**
   * Time of containment and reports.
   * @default the system clock
   */
  readonly clock?: () => Date;
}

/** Outcome of the local workflows for one triage input (one principal of one batch). */
export interface LocalResponseResult {
  readonly principalKey: string;
  readonly incidentId: string;
  /** True when this input opened the incident and so started its response. */
  readonly isNew: boolean;
  /**
   * Triage action on the response: `started` it, found it `already-started` under the incident
   * id (a redelivered input), or `not-needed` because the input joined an open incident.
   */
  readonly responseStart: 'started' | 'already-started' | 'not-needed';
  /** Final status of the response execution; undefined when this input started none. */
  readonly responseStatus?: 'succeeded' | 'failed';
  /** Error name and cause of a failed response execution. */
  readonly responseError?: string;
  readonly containment?: ContainmentResult;
  readonly investigation?: InvestigationResults;
  /** Subject and message of every SNS message that the response published, in order. */
  readonly alerts: readonly AlertMessage[];
  /** Paths of the report's JSON and Markdown files. */
  readonly reportPaths: readonly string[];
  /** Task states of the triage and response executions, in call order. */
  readonly taskCalls: readonly string[];
}

/**
 * Runs every input through the triage workflow in order, then each response that the triage
 * executions started, as Step Functions would while a replayed batch arrives faster than a response
 * finishes. The dynalite table lives for this call only.
 * @throws Error when a triage execution fails, with its error and cause.
 */
export async function runLocalResponse(
  inputs: readonly TriageInput[],
  options: LocalResponseOptions,
): Promise<LocalResponseResult[]> {
  const local = await startLocalDynamoDb({ maxAttempts: 3, requestTimeoutMs: 30_000 });
  try {
    await createIncidentsTable(local.client, INCIDENTS_TABLE);
    const workflows = new LocalWorkflows(inputs, options, local.client);
    const triaged = [];
    for (const input of inputs) {
      triaged.push(await workflows.triage(input));
    }
    const results = [];
    for (const triage of triaged) {
      results.push(await workflows.respond(triage));
    }
    return results;
  } finally {
    await local.stop();
  }
}

interface TriageRun {
  readonly input: TriageInput;
  readonly result: TriageResult;
  readonly taskCalls: readonly string[];
  readonly responseStart: LocalResponseResult['responseStart'];
  /** Response executions that this triage started (none or one). */
  readonly started: readonly { readonly name: string; readonly input: JsonValue }[];
}

/** The two workflows with their local handlers, the execution registry and the published messages. */
class LocalWorkflows {
  private readonly definitions: WorkflowDefinitions;
  private readonly sources: TaskSources;
  private readonly registry = new LocalExecutionRegistry();
  private readonly published: PublishedMessage[] = [];
  private triageTime = new Date();

  constructor(
    inputs: readonly TriageInput[],
    private readonly options: LocalResponseOptions,
    dynamoDb: Parameters<typeof createLocalHandlers>[0]['dynamoDb'],
  ) {
    this.definitions = options.definitions ?? renderWorkflowDefinitions(options.config);
    const lambdas = createLocalHandlers({
      config: options.config,
      dynamoDb,
      tableName: INCIDENTS_TABLE,
      reportsDir: options.reportsDir,
      fallbackBucketNames: [
        ...new Set(inputs.flatMap((input) => input.decisions.map((decision) => decision.bucket))),
      ],
      triageClock: () => this.triageTime,
      clock: options.clock ?? (() => new Date()),
      log: options.log ?? ((line) => console.log(line)),
      containmentClients: options.containmentClients,
    });
    const integrations: IntegrationHandlers = {
      'sns:publish': localSnsPublish(this.published),
      'states:startExecution': this.registry.startExecution,
      ...localAthena(),
      ...localMacie(),
      ...options.integrations,
    };
    this.sources = { lambdas, integrations };
  }

  /** Runs one triage execution, at the time of the input's last event as Lambda would run it then. */
  async triage(input: TriageInput): Promise<TriageRun> {
    this.triageTime = lastEventTime(input) ?? new Date();
    const outcome = await runExecution(this.definitions.triage, input as unknown as JsonValue, this.sources, {
      name: `triage-${input.principal.key}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80),
    });
    if (outcome.status === 'failed') {
      throw new Error(
        `Triage of principal ${input.principal.key} failed with ${outcome.error}: ${outcome.cause}`,
      );
    }

    const output = outcome.output as { triage: TriageResult; startError?: unknown };
    const started = this.registry
      .takeStarted()
      .map(({ name, input: executionInput }) => ({ name, input: executionInput }));
    return {
      input,
      result: output.triage,
      taskCalls: outcome.taskCalls,
      responseStart: responseStartOf(output),
      started,
    };
  }

  /** Runs the response that a triage started, if any, and collects what it did. */
  async respond(triage: TriageRun): Promise<LocalResponseResult> {
    const base = {
      principalKey: triage.input.principal.key,
      incidentId: triage.result.incident.incidentId,
      isNew: triage.result.isNew,
      responseStart: triage.responseStart,
    };
    const execution = triage.started[0];
    if (execution === undefined) {
      return { ...base, alerts: [], reportPaths: [], taskCalls: triage.taskCalls };
    }

    const firstMessage = this.published.length;
    const outcome = await runExecution(this.definitions.response, execution.input, this.sources, {
      name: execution.name,
    });
    const alerts = this.published
      .slice(firstMessage)
      .map(({ subject, message }) => ({ subject: subject ?? '', message }));
    return {
      ...base,
      ...this.describeResponse(outcome),
      alerts,
      taskCalls: [...triage.taskCalls, ...outcome.taskCalls],
    };
  }

  private describeResponse(
    outcome: ExecutionOutcome,
  ): Partial<LocalResponseResult> & { reportPaths: string[] } {
    if (outcome.status === 'failed') {
      return {
        responseStatus: 'failed',
        responseError: `${outcome.error}: ${outcome.cause}`,
        reportPaths: [],
      };
    }
    const output = outcome.output as {
      containment: ContainmentResult;
      investigation: InvestigationResults;
      report: ReportLocation;
    };
    const reportPaths = [output.report.jsonKey, output.report.markdownKey].map((key) =>
      path.join(this.options.reportsDir, ...key.split('/')),
    );
    return {
      responseStatus: 'succeeded',
      containment: output.containment,
      investigation: output.investigation,
      reportPaths,
    };
  }
}

function responseStartOf(output: {
  triage: TriageResult;
  startError?: unknown;
}): LocalResponseResult['responseStart'] {
  if (output.startError !== undefined) {
    return 'already-started';
  }
  return output.triage.isNew ? 'started' : 'not-needed';
}

function lastEventTime(input: TriageInput): Date | undefined {
  const times = input.decisions
    .map((decision) => Date.parse(decision.eventTime))
    .filter((time) => !Number.isNaN(time));
  return times.length === 0 ? undefined : new Date(Math.max(...times));
}
